import BAAReview
import Foundation

/// JSON output: sorted keys, schema version 1 (schema/report.schema.json). One document per review.
public enum JSONReporter {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func render(_ report: Report, pretty: Bool = true) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(report), as: UTF8.self) + "\n"
    }

    /// Several reports (review of several files) as one JSON array.
    public static func render(_ reports: [Report], pretty: Bool = true) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(reports), as: UTF8.self) + "\n"
    }
}
