import Foundation
import XCTest

final class ReviewCLITests: XCTestCase {
    let complete = CLI.fixtures.appendingPathComponent("complete-baa.md").path
    let thin = CLI.fixtures.appendingPathComponent("thin-vendor-addendum.txt").path

    func testMissingFileIsOneLineNamingTheFileWithExitCode2() throws {
        let r = try CLI.run(["review", "/nonexistent/vendor-baa.pdf"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "baa: error: /nonexistent/vendor-baa.pdf: no such file\n")
    }

    func testUnknownOptionIsAUsageErrorWithExitCode2() throws {
        let r = try CLI.run(["review", "--frobnicate", complete])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("Unknown option '--frobnicate'"), r.stderr)
    }

    func testBinaryInputIsRejectedWithItsName() throws {
        let dir = try CLI.tempDir()
        let bin = dir.appendingPathComponent("noise.pdf")
        try Data([0x00, 0x01, 0xFF, 0x13, 0x37, 0x00, 0x42]).write(to: bin)
        let r = try CLI.run(["review", bin.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("baa: error: \(bin.path): "), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "one line: \(r.stderr)")
    }

    func testPartiesInTheHeaderAndTheOverride() throws {
        let dir = try CLI.tempDir()
        let file = dir.appendingPathComponent("named-parties.txt")
        try """
        This Agreement is made between Fenwick Pediatrics, P.C. ("Fenwick"), a covered entity, and Orrery Notes LLC ("Orrery"), its business associate.

        1. Orrery shall notify Fenwick of any Breach of Unsecured PHI within five (5) business days after discovery.
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["review", "--no-color", file.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Parties  business associate \"Orrery\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("decided by the preamble, p.1 line 1: \"This Agreement is made between Fenwick"), r.stdout)
        XCTAssertTrue(r.stdout.split(separator: "\n").contains { $0.contains("breach_notification") && $0.contains("present (5 business days)") }, r.stdout)
        // --ba / --ce say who is who where the document does not.
        let plain = dir.appendingPathComponent("unnamed.txt")
        try "Provider shall notify Company of any Breach of Unsecured PHI within five (5) days after discovery.\n".write(to: plain, atomically: true, encoding: .utf8)
        let j = try CLI.run(["review", "--format", "json", "--ba", "Provider", "--ce", "Company", plain.path])
        XCTAssertEqual(j.status, 0, j.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let parties = try XCTUnwrap(object["parties"] as? [String: Any])
        XCTAssertEqual(parties["source"] as? String, "override")
        XCTAssertEqual(parties["business_associate"] as? [String], ["Provider"])
        XCTAssertEqual(parties["covered_entity"] as? [String], ["Company"])
        XCTAssertEqual(parties["canonicalized"] as? Bool, true)
        let same = try CLI.run(["review", "--ba", "Acme", "--ce", "acme", plain.path])
        XCTAssertEqual(same.status, 2, "one name on both sides is a usage error")
    }

    func testFailOnMapsFindingsToExitCodes() throws {
        // The thin addendum lacks required terms (high findings) but has nothing critical.
        XCTAssertEqual(try CLI.run(["review", "--fail-on", "high", thin]).status, 1)
        XCTAssertEqual(try CLI.run(["review", "--fail-on", "critical", thin]).status, 0)
        XCTAssertEqual(try CLI.run(["review", "--fail-on", "High", thin]).status, 1, "values are read without regard to case")
        // Without --fail-on a review with findings still exits 0.
        XCTAssertEqual(try CLI.run(["review", thin]).status, 0)
        // The complete agreement has nothing critical.
        let r = try CLI.run(["review", "--fail-on", "critical", complete])
        XCTAssertEqual(r.status, 0, r.stdout)
        XCTAssertEqual(try CLI.run(["review", "--fail-on", "severe", complete]).status, 2)
    }

    func testNoColorWhenNotATerminalOrNOCOLOR() throws {
        let r = try CLI.run(["review", complete], env: ["NO_COLOR": "1", "TERM": "xterm-256color"])
        XCTAssertFalse(r.stdout.contains("\u{1B}["))
        XCTAssertTrue(r.stdout.contains("Score "), r.stdout)
    }

    func testJSONHasEveryElementAndDefendableEvidence() throws {
        let r = try CLI.run(["review", "--format", "json", complete])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["schema_version"] as? Int, 1)
        let elements = try XCTUnwrap(json["elements"] as? [[String: Any]])
        XCTAssertEqual(elements.count, 25, "21 elements and the 4 due-diligence terms")
        let text = try String(contentsOfFile: complete, encoding: .utf8)
        for e in elements where e["status"] as? String == "present" {
            let ev = try XCTUnwrap((e["evidence"] as? [[String: Any]])?.first, "\(e["id"]!) present without evidence")
            XCTAssertNotNil(ev["rule"] as? String)
            XCTAssertGreaterThan(ev["line"] as? Int ?? 0, 0)
            // The excerpt is text of the agreement (modulo normalization of quotes and wraps).
            let words = (ev["text"] as! String).split(separator: " ").prefix(4).joined(separator: " ")
            XCTAssertTrue(text.replacingOccurrences(of: "\n", with: " ").contains(words), "\(e["id"]!): \(words)")
        }
        let breach = try XCTUnwrap(elements.first { $0["id"] as? String == "breach_notification" })
        let deadline = try XCTUnwrap(breach["deadline"] as? [String: Any])
        XCTAssertEqual(deadline["value"] as? Int, 10)
        XCTAssertEqual(deadline["unit"] as? String, "business_days")
        XCTAssertNil(elements.first { $0["id"] as? String == "access" }?["deadline"], "deadline only on breach_notification")
        XCTAssertNotNil(elements.first { $0["id"] as? String == "ai_training" }?["stance"])
        XCTAssertNil(elements.first { $0["id"] as? String == "access" }?["stance"])
    }

    func testScoreIsRecomputableFromContributions() throws {
        let r = try CLI.run(["review", "--format", "json", thin])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let scoring = try XCTUnwrap(json["scoring"] as? [String: Any])
        let points = (scoring["contributions"] as! [[String: Any]]).map { $0["points"] as! Int }.reduce(0, +)
        XCTAssertEqual(json["score"] as? Int, max(0, 100 - points))
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.count, (scoring["contributions"] as! [Any]).count)
        // "Vendor may use usage information to maintain and improve the service": a service-improvement permission.
        XCTAssertTrue(findings.contains { $0["element"] as? String == "ai_training" && $0["kind"] as? String == "ai_permitted" })
        XCTAssertTrue(findings.contains { $0["element"] as? String == "subcontractors" && $0["kind"] as? String == "missing" })
    }

    func testFingerprintsAreStableAcrossRuns() throws {
        let a = try CLI.run(["review", "--format", "json", thin]).stdout
        let b = try CLI.run(["review", "--format", "json", thin]).stdout
        func prints(_ s: String) throws -> [String] {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
            return (json["findings"] as! [[String: Any]]).map { $0["fingerprint"] as! String }.sorted()
        }
        XCTAssertEqual(try prints(a), try prints(b))
        XCTAssertFalse(try prints(a).isEmpty)
    }

    func testOutputIsWrittenAtomically() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("report.json")
        let r = try CLI.run(["review", "--format", "json", "--output", out.path, complete])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(contentsOf: out)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["report.json"], "no temp file left behind")
    }

    func testPlaybookMakesTheReviewStricter() throws {
        let dir = try CLI.tempDir()
        let playbook = dir.appendingPathComponent("strict.yaml")
        try "name: strict practice\nbreach_preferred: {value: 5, unit: business_days}\nai_training_required: prohibited\n".write(to: playbook, atomically: true, encoding: .utf8)
        let base = try CLI.run(["review", "--format", "json", complete])
        let strict = try CLI.run(["review", "--format", "json", "--playbook", playbook.path, complete])
        XCTAssertEqual(strict.status, 0, strict.stderr)
        func kinds(_ s: String) throws -> Set<String> {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
            return Set((json["findings"] as! [[String: Any]]).map { "\($0["element"]!):\($0["kind"]!)" })
        }
        XCTAssertFalse(try kinds(base.stdout).contains("breach_notification:exceeds_playbook"))
        XCTAssertTrue(try kinds(strict.stdout).contains("breach_notification:exceeds_playbook"))
        // A risk term the practice requires: a missing offshore restriction becomes a high finding.
        let requireOffshore = dir.appendingPathComponent("offshore.yaml")
        try "elements:\n  offshore_restriction: {required: true}\n".write(to: requireOffshore, atomically: true, encoding: .utf8)
        let thinReview = try CLI.run(["review", "--format", "json", "--playbook", requireOffshore.path, thin])
        let thinJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(thinReview.stdout.utf8)) as? [String: Any])
        let offshore = (thinJSON["findings"] as! [[String: Any]]).first { $0["element"] as? String == "offshore_restriction" }
        XCTAssertEqual(offshore?["severity"] as? String, "high")
        let bad = dir.appendingPathComponent("bad.yaml")
        try "elements:\n  not_an_element: {missing: high}\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["review", "--playbook", bad.path, complete])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains(bad.path) && r.stderr.contains("not_an_element"), r.stderr)
    }

    func testExplainAndRulesCommands() throws {
        let e = try CLI.run(["explain", "breach_notification"])
        XCTAssertEqual(e.status, 0)
        XCTAssertTrue(e.stdout.contains("164.410"), e.stdout)
        XCTAssertEqual(try CLI.run(["explain", "no_such_element"]).status, 2)
        let list = try CLI.run(["rules", "list"])
        for id in ["permitted_uses", "ai_training", "insurance"] { XCTAssertTrue(list.stdout.contains(id)) }
        let show = try CLI.run(["rules", "show", "breach.deadline-stated"])
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.contains("capture") || show.stdout.contains("deadline"))
        let explain = try CLI.run(["review", "--explain", complete], env: ["NO_COLOR": "1"])
        XCTAssertTrue(explain.stdout.contains("rules fired:"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("100"), explain.stdout)
    }
}

final class EvalCLITests: XCTestCase {
    /// Issue 5's bar, through the command a rule author runs.
    func testEvalOverTheTeamCorpusMeetsTheBar() throws {
        let r = try CLI.run(["eval", "Corpus/", "--min-agreement", "97", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertGreaterThanOrEqual(json["agreement"] as? Double ?? 0, 0.97)
        XCTAssertNotNil(json["confusion"] as? [String: Any])
        // An impossible bar fails with exit 1.
        XCTAssertEqual(try CLI.run(["eval", "Corpus/", "--min-agreement", "100.1"]).status, 1)
    }
}
