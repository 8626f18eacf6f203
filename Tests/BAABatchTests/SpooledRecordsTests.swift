@testable import BAABatch
import BAAClauses
@testable import BAAReview
import Foundation
import XCTest

/// The compact records the batch spools instead of keeping summaries and errors in memory (issue 15 item 10).
final class SpooledRecordsTests: XCTestCase {
    let summary = VendorSummary(name: "acmé/sub\u{1F}name", loose: false, score: 41, risk: .high, documents: 3, errors: 1,
                                counts: ["critical": 0, "high": 2, "medium": 5, "low": 1],
                                flags: VendorFlags(aiTraining: "permitted", breachNotification: "present (90 days)", subcontractors: "weak", aiVendor: "yes (disclosure missing)"),
                                worstSeverity: .high,
                                superseded: [SupersededVersion(file: "/r/acme/v1.md", by: "/r/acme/v2.md", fileDate: "2026-01-02", byDate: nil,
                                                               reason: "same parties", changed: ["breach_notification"], regressions: ["breach_notification"], scoreDelta: -7)])

    func testASummaryAndAnErrorComeBackAsTheyWent() {
        let back = summary.record.withUnsafeBytes { VendorSummary(record: $0) }
        XCTAssertEqual(back, summary)
        var plain = summary
        plain.superseded = []; plain.flags.aiVendor = nil; plain.worstSeverity = nil; plain.counts = [:]
        XCTAssertEqual(plain.record.withUnsafeBytes { VendorSummary(record: $0) }, plain)
        let e = BatchError(path: "/r/x\u{FFFD}.pdf", relativePath: "x\u{FFFD}.pdf", vendor: "x\u{FFFD}.pdf", reason: "cannot read: No such file or directory")
        XCTAssertEqual(e.record.withUnsafeBytes { BatchError(record: $0) }, e)
    }

    /// A record cut short (a damaged spool) reads as empty fields, never past its end.
    func testATruncatedRecordDoesNotReadPastItsEnd() {
        let bytes = summary.record
        for cut in [0, 1, 7, 8, 9, bytes.count / 2, bytes.count - 1] {
            let back = Array(bytes.prefix(cut)).withUnsafeBytes { VendorSummary(record: $0) }
            XCTAssertNotEqual(back, summary, "cut at \(cut)")
        }
    }

    /// Through a spool: summaries come back worst first (score, then name), errors in folder order, whatever
    /// order they were added in.
    func testTheSpoolOrdersSummariesAndErrors() throws {
        let spool = try Spool()
        let flags = VendorFlags(aiTraining: "-", breachNotification: "-", subcontractors: "-", aiVendor: nil)
        let reports = [("b", 50), ("a", 50), ("c", 10)].map { name, score in
            VendorReport(name: name, loose: false, score: score, risk: .medium, documents: ["\(name)/1.md"], errors: [], counts: ["high": 1],
                         flags: flags, aiVendor: nil, elements: [], findings: [], supersessions: [], superseded: nil,
                         scoring: Scoring(base: 100, contributions: [], playbook: "hipaa-baseline", bands: []))
        }
        for r in reports { try spool.add(vendor: r) }
        for (i, name) in [(2, "z"), (0, "x"), (1, "y")] {
            try spool.add(error: BatchError(path: name, relativePath: name, vendor: name, reason: "r"), order: i)
        }
        let info = BatchInfo(runID: "r", root: "/r", started: "", finished: "", seconds: 0, user: "u",
                             tool: ToolInfo.make(name: "baa", version: "0", libraryVersion: "0", librarySHA256: ""), playbook: "p", playbookSHA256: "",
                             shard: nil, vendorDepth: 1, interrupted: false, counts: BatchCounts())
        let batch = SpooledBatch(info: info, skipped: [], spool: spool, hasDocuments: false)
        XCTAssertEqual(batch.vendorSummaries.map(\.name), ["c", "a", "b"])
        XCTAssertEqual(batch.vendorSummaries.names, ["c", "a", "b"])
        XCTAssertEqual(batch.errorList.map(\.path), ["x", "y", "z"])
        var vendorNames: [String] = []
        try batch.forEachVendor { vendorNames.append($0.name) }
        XCTAssertEqual(vendorNames, ["c", "a", "b"])
        XCTAssertNil(batch.spoolFailure)
    }
}
