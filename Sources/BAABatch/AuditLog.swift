import BAAUtil
import Foundation

/// Append-only JSON lines, each fsynced: a `run_start` line (who, when, which tool and clause library),
/// one `file` line per file (path, SHA-256, verdict or error), and a `run_end` line with the counts.
/// Every line carries the run id, so runs that share a log stay apart.
public final class AuditLog {
    public let path: String
    public let runID: String

    public init(path: String, runID: String) { self.path = path; self.runID = runID }

    /// One line; keys sorted; `event` and `run_id` always present.
    public func append(_ event: String, _ fields: [String: AuditValue]) throws {
        var all = fields
        all["event"] = .string(event)
        all["run_id"] = .string(runID)
        all["time"] = .string(BatchClock.iso(Date()))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.appendLine(String(decoding: try enc.encode(all), as: UTF8.self), to: path)
    }
}

/// A JSON value for audit lines.
public enum AuditValue: Encodable, Sendable, Equatable {
    case string(String), int(Int), double(Double), bool(Bool), null
    case object([String: AuditValue])

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .object(let o): try c.encode(o)
        }
    }

    public static func opt(_ s: String?) -> AuditValue { s.map { .string($0) } ?? .null }
}

public enum BatchClock {
    public static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    /// The login name: $USER, $LOGNAME, else the uid.
    public static func user() -> String {
        let env = ProcessInfo.processInfo.environment
        if let u = env["USER"], !u.isEmpty { return u }
        if let u = env["LOGNAME"], !u.isEmpty { return u }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    /// A fresh run id: time plus random bits (sortable by time).
    public static func runID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(f.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }
}
