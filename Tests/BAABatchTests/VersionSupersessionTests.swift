import BAABatch
import BAAReview
import Foundation
import XCTest

/// A vendor folder holding two full versions of one agreement: the later replaces the earlier, whatever its verdicts.
/// Folders are made at test time from team text (c035 with ten days, and its later version with ninety days).
final class VersionSupersessionTests: XCTestCase {
    static let v1 = BatchCLI.agreements.appendingPathComponent("c035-clearinghouse-ten-days-offshore-consent.md")
    static let v2 = BatchCLI.root.appendingPathComponent("Corpus/versions/c035-clearinghouse-v2-ninety-days.md")

    func folder(_ files: [(URL, String, (String) -> String)]) throws -> URL {
        let root = try BatchCLI.tempDir()
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let vendor = root.appendingPathComponent("vendors/claimsbridge")
        try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: true)
        for (source, name, edit) in files {
            try edit(try String(contentsOf: source, encoding: .utf8)).write(to: vendor.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return root.appendingPathComponent("vendors")
    }

    func vendor(_ report: [String: Any]) throws -> [String: Any] {
        try XCTUnwrap((report["vendors"] as? [[String: Any]])?.first)
    }

    func element(_ vendor: [String: Any], _ id: String) throws -> [String: Any] {
        try XCTUnwrap((vendor["elements"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id })
    }

    func testLaterFullVersionReplacesTheEarlierOne() throws {
        // Named so that the old version sorts last by name: the dates written in the preambles decide.
        let root = try folder([(Self.v1, "z-baa.md", { $0 }), (Self.v2, "a-baa.md", { $0 })])
        let r = try BatchCLI.json(BatchCLI.run(["batch", root.path, "--format", "json", "--no-cache"]).stdout)
        let v = try vendor(r)
        let breach = try element(v, "breach_notification")
        XCTAssertEqual((breach["deadline"] as? [String: Any])?["value"] as? Int, 90, "v2's window, not v1's better one")
        let files = (breach["evidence"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["a-baa.md"], "only the later version's evidence")
        XCTAssertEqual(try element(v, "ai_training")["stance"] as? String, "permitted")
        XCTAssertEqual(try element(v, "subcontractors")["status"] as? String, "weak")
        let findings = v["findings"] as? [[String: Any]] ?? []
        XCTAssertTrue(findings.contains { $0["element"] as? String == "breach_notification" && $0["kind"] as? String == "too_late" })
        XCTAssertEqual((v["flags"] as? [String: Any])?["breach_notification"] as? String, "weak (90 days)")

        let superseded = try XCTUnwrap((v["superseded"] as? [[String: Any]])?.first)
        XCTAssertEqual((superseded["file"] as? String).map { ($0 as NSString).lastPathComponent }, "z-baa.md")
        XCTAssertEqual((superseded["by"] as? String).map { ($0 as NSString).lastPathComponent }, "a-baa.md")
        XCTAssertEqual(superseded["file_date"] as? String, "2026-02-09")
        XCTAssertEqual(superseded["by_date"] as? String, "2026-10-05")
        XCTAssertTrue((superseded["regressions"] as? [String] ?? []).contains("breach_notification"))
        XCTAssertEqual((v["documents"] as? [String])?.count, 2, "the old version is still one of the vendor's documents")
        // Its own review is unchanged: ten days.
        let old = (r["documents"] as? [[String: Any]] ?? []).first { ($0["path"] as? String)?.hasSuffix("z-baa.md") ?? false }
        let oldBreach = ((old?["report"] as? [String: Any])?["elements"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "breach_notification" }
        XCTAssertEqual((oldBreach?["deadline"] as? [String: Any])?["value"] as? Int, 10)

        let t = try BatchCLI.run(["batch", root.path, "--no-cache"])
        XCTAssertTrue(t.stdout.contains("superseded: claimsbridge: claimsbridge/z-baa.md (2026-02-09) by claimsbridge/a-baa.md (2026-10-05), a later full version of the same agreement; changed: "), t.stdout)
        XCTAssertTrue(t.stdout.contains("breach_notification (worse)"), t.stdout)
        XCTAssertTrue(t.stdout.contains("weak (90 days)"), t.stdout)
    }

    func testAgreementsWithDifferentCoveredEntitiesBothCount() throws {
        // The same vendor's BAA with another practice: a separate agreement, so the best verdict counts as before.
        let root = try folder([(Self.v1, "tidewater-baa.md", { $0 }),
                               (Self.v2, "lantern-baa.md", { $0.replacingOccurrences(of: "Tidewater Anesthesia Partners, P.C.", with: "Lantern Peak Hospice, Inc.") })])
        let r = try BatchCLI.json(BatchCLI.run(["batch", root.path, "--format", "json", "--no-cache"]).stdout)
        let v = try vendor(r)
        XCTAssertEqual((v["superseded"] as? [Any])?.count, 0)
        XCTAssertEqual(((try element(v, "breach_notification"))["deadline"] as? [String: Any])?["value"] as? Int, 10)
        let t = try BatchCLI.run(["batch", root.path, "--no-cache"])
        XCTAssertFalse(t.stdout.contains("superseded:"), t.stdout)
    }

    func testLaterVersionReplacesAnEarlierAmendmentsTermButNotTheOnesItIsSilentOn() throws {
        // v1 (February 2026) amended in June 2026: thirty days, and no AI training. v2 (October 2026) says ninety days
        // and permits training; a second amendment (December 2026) says fifteen days.
        let amendmentJune = """
        # AMENDMENT NO. 1 TO BUSINESS ASSOCIATE AGREEMENT

        Effective June 1, 2026, Claimsbridge Clearinghouse, LLC ("Clearinghouse") and Tidewater Anesthesia Partners, P.C. ("Provider") amend their Business Associate Agreement as follows.

        1. Section 3.2 is replaced: "Clearinghouse shall notify Provider of a Breach of Unsecured PHI within thirty (30) calendar days of discovery."

        2. All other terms continue in effect.
        """
        let amendmentDecember = amendmentJune.replacingOccurrences(of: "AMENDMENT NO. 1", with: "AMENDMENT NO. 2")
            .replacingOccurrences(of: "June 1, 2026", with: "December 1, 2026").replacingOccurrences(of: "thirty (30)", with: "fifteen (15)")
        let dir = try BatchCLI.tempDir()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let june = dir.appendingPathComponent("june.md"), december = dir.appendingPathComponent("december.md")
        try amendmentJune.write(to: june, atomically: true, encoding: .utf8)
        try amendmentDecember.write(to: december, atomically: true, encoding: .utf8)

        let root = try folder([(Self.v1, "baa-v1.md", { $0 }), (june, "amendment-1.md", { $0 }), (Self.v2, "baa-v2.md", { $0 })])
        let r = try BatchCLI.json(BatchCLI.run(["batch", root.path, "--format", "json", "--no-cache"]).stdout)
        let v = try vendor(r)
        let breach = try element(v, "breach_notification")
        XCTAssertEqual((breach["deadline"] as? [String: Any])?["value"] as? Int, 90, "v2 is later than the June amendment")
        let s = (v["supersessions"] as? [[String: Any]] ?? []).first { $0["element"] as? String == "breach_notification" }
        XCTAssertEqual((s?["winner"] as? String).map { ($0 as NSString).lastPathComponent }, "baa-v2.md")
        XCTAssertEqual((s?["replaced"] as? [String] ?? []).map { ($0 as NSString).lastPathComponent }, ["amendment-1.md"])

        // An amendment after v2 amends v2.
        let later = try folder([(Self.v1, "baa-v1.md", { $0 }), (june, "amendment-1.md", { $0 }), (Self.v2, "baa-v2.md", { $0 }),
                                (december, "amendment-2.md", { $0 })])
        let r2 = try BatchCLI.json(BatchCLI.run(["batch", later.path, "--format", "json", "--no-cache"]).stdout)
        XCTAssertEqual(((try element(try vendor(r2), "breach_notification"))["deadline"] as? [String: Any])?["value"] as? Int, 15)
    }
}
