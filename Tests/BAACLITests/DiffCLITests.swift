import Foundation
import XCTest

/// `baa diff` as a user runs it: the team's c035 and its later version (Corpus/versions), and a real agreement
/// against a copy with its breach deadline changed, made at test time in a temporary folder (never kept).
final class DiffCLITests: XCTestCase {
    static let v1 = "Corpus/agreements/c035-clearinghouse-ten-days-offshore-consent.md"
    static let v2 = "Corpus/versions/c035-clearinghouse-v2-ninety-days.md"

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func changed(_ diff: [String: Any], _ id: String) throws -> [String: Any] {
        try XCTUnwrap((diff["changed"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id }, "\(id) not among the changed elements")
    }

    func testTerminalDiffOfTheTeamPair() throws {
        let r = try CLI.run(["diff", Self.v1, Self.v2])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = r.stdout
        XCTAssertTrue(out.hasPrefix("baa diff: \(Self.v1) →"), out)
        XCTAssertTrue(out.contains("Risk LOW → HIGH"), out)
        XCTAssertTrue(out.contains("✗ breach_notification  WORSE"), out)
        XCTAssertTrue(out.contains("deadline: 10 days → 90 days"), out)
        XCTAssertTrue(out.contains("[-ten (10)-] {+ninety (90)+}"), out)
        XCTAssertTrue(out.contains("stance: silent → permitted"), out)
        XCTAssertTrue(out.contains("+ [CRITICAL] Breach notice deadline (90 days) is beyond HIPAA's outer limit"), out)
        // Unchanged elements are one summary line, not an entry each.
        XCTAssertTrue(out.contains("Unchanged ("), out)
        XCTAssertFalse(out.contains("permitted_uses  "), "unchanged elements are not listed at length")
        for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 100, String(line)) }
    }

    func testJSONDiffAndFailOnRegression() throws {
        let r = try CLI.run(["diff", "--format", "json", Self.v1, Self.v2])
        XCTAssertEqual(r.status, 0, r.stderr)
        let d = try json(r.stdout)
        let old = try XCTUnwrap(d["old"] as? [String: Any]), new = try XCTUnwrap(d["new"] as? [String: Any])
        XCTAssertEqual(d["score_delta"] as? Int, (new["score"] as? Int ?? 0) - (old["score"] as? Int ?? 0))
        let breach = try changed(d, "breach_notification")
        XCTAssertEqual(((breach["before"] as? [String: Any])?["deadline"] as? [String: Any])?["value"] as? Int, 10)
        XCTAssertEqual(((breach["after"] as? [String: Any])?["deadline"] as? [String: Any])?["value"] as? Int, 90)
        XCTAssertTrue((d["regressions"] as? [String] ?? []).contains("breach_notification"))

        // Worse: exit 1 with --fail-on-regression; the other way round nothing got worse in the breach window.
        XCTAssertEqual(try CLI.run(["diff", "--fail-on-regression", Self.v1, Self.v2]).status, 1)
        let back = try CLI.run(["diff", "--format", "json", "--fail-on-regression", Self.v2, Self.v1])
        let reverse = try json(back.stdout)
        XCTAssertEqual(try changed(reverse, "breach_notification")["direction"] as? String, "better")
        XCTAssertEqual(back.status, (reverse["regressions"] as? [String] ?? []).isEmpty ? 0 : 1)
        // The same file twice: nothing changed, exit 0 even with the flag.
        let same = try CLI.run(["diff", "--format", "json", "--fail-on-regression", Self.v1, Self.v1])
        XCTAssertEqual(same.status, 0)
        XCTAssertEqual((try json(same.stdout)["changed"] as? [Any])?.count, 0)
    }

    func testBadInputIsOneLineExit2AndNothingWritten() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("diff.html")
        let missing = dir.appendingPathComponent("nope.md").path
        let r = try CLI.run(["diff", "--format", "html", Self.v1, missing, "-o", out.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("baa: error: \(missing): "), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing half-written")
    }

    func testHTMLDiffIsSelfContainedAndParsesStrictly() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("diff.html")
        let r = try CLI.run(["diff", "--format", "html", Self.v1, Self.v2, "-o", page.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<del>ten (10)</del> <ins>ninety (90)</ins>"))
        XCTAssertTrue(html.contains("<tr id=\"el-breach_notification\" class=\"bad\">"))
        XCTAssertFalse(html.contains("src=") || html.contains("<link") || html.contains("@import"), "nothing fetched")

        let python = "/usr/bin/python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import html5lib"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { throw XCTSkip("no \(python)") }
        probe.waitUntilExit()
        if probe.terminationStatus != 0 { throw XCTSkip("python3-html5lib is not installed (`make test` installs it: TOOL_DEBS in the Makefile)") }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", """
            import sys, html5lib
            p = html5lib.HTMLParser(strict=True)
            try:
                p.parse(open(sys.argv[1], encoding="utf-8").read())
            except Exception as e:
                print("line/col and error:", p.errors[:3] or e)
                sys.exit(1)
            """, page.path]
        let pipe = Pipe()
        check.standardOutput = pipe
        check.standardError = pipe
        try check.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, text)
    }

    /// A real agreement (read in place) against a copy whose breach deadline is replaced by ninety days.
    func testRealAgreementAgainstACopyWithTheDeadlineChanged() throws {
        let docs = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/corpus-real/docs")
        let candidates = ["045-revkeep-hipaa-agreement.txt", "043-claima-medical-billing-baa.txt", "057-unified-health-platform-baa.txt"]
        guard let name = candidates.first(where: { FileManager.default.fileExists(atPath: docs.appendingPathComponent($0).path) }) else {
            throw XCTSkip("\(docs.path) is absent: the real agreements are read in place only")
        }
        let original = docs.appendingPathComponent(name)
        let review = try json(try CLI.run(["review", "--format", "json", original.path]).stdout)
        let breach = try XCTUnwrap((review["elements"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "breach_notification" })
        let deadline = try XCTUnwrap((breach["deadline"] as? [String: Any])?["text"] as? String, "\(name) states a breach deadline")
        let text = try String(contentsOf: original, encoding: .utf8)
        let range = try XCTUnwrap(text.range(of: deadline), "the deadline's words '\(deadline)' are in \(name)")
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent(name)
        try text.replacingCharacters(in: range, with: "ninety (90) calendar days").write(to: copy, atomically: true, encoding: .utf8)

        let r = try CLI.run(["diff", "--format", "json", original.path, copy.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let d = try json(r.stdout)
        let change = try changed(d, "breach_notification")
        XCTAssertEqual(change["direction"] as? String, "worse")
        XCTAssertEqual(((change["after"] as? [String: Any])?["deadline"] as? [String: Any])?["value"] as? Int, 90)
        let words = change["words"] as? [[String: String]] ?? []
        XCTAssertTrue(words.contains { $0["op"] == "insert" && ($0["text"] ?? "").contains("ninety (90)") }, "\(words)")
        XCTAssertTrue(words.contains { $0["op"] == "delete" }, "\(words)")
        XCTAssertLessThan(d["score_delta"] as? Int ?? 0, 0)
        // Only the deadline's sentence changed: every element listed quotes it (a sentence can be evidence of two).
        for c in d["changed"] as? [[String: Any]] ?? [] {
            let w = c["words"] as? [[String: String]] ?? []
            XCTAssertTrue(w.contains { $0["op"] == "insert" && ($0["text"] ?? "").contains("ninety (90)") }, "\(c["id"] ?? "") changed otherwise: \(c)")
        }

        let t = try CLI.run(["diff", original.path, copy.path])
        XCTAssertTrue(t.stdout.contains("✗ breach_notification  WORSE"), t.stdout)
        XCTAssertTrue(t.stdout.contains("{+ninety (90) calendar days+}") || t.stdout.contains("{+ninety (90)"), t.stdout)
    }
}

/// The terminal report's summary card, --brief, and wrapping to the terminal's width.
final class TerminalCardTests: XCTestCase {
    static let v2 = DiffCLITests.v2

    func testCardComesFirstWithTheThreeFlagsInPlainWords() throws {
        let r = try CLI.run(["review", "--no-color", Self.v2])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = lines.prefix(8).joined(separator: "\n")
        XCTAssertTrue(head.contains("Score 51/100  Risk HIGH"), head)
        XCTAssertTrue(head.contains("✗ AI training     permitted: the vendor may train AI on your data (§1.4)"), head)
        XCTAssertTrue(head.contains("✗ Breach notice   90 days: later than HIPAA's 60-day limit (§3.2)"), head)
        XCTAssertTrue(head.contains("! Subcontractors  weak: not clearly the same terms"), head)
        // The full report follows.
        XCTAssertTrue(r.stdout.contains("\nElements\n"))
        // Model language in full for findings above low, once; low and info point to baa explain.
        XCTAssertTrue(r.stdout.contains("Recommended language: baa explain sale_of_phi_prohibited"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "Recommended language:\n").count - 1,
                       r.stdout.components(separatedBy: "[CRITICAL]").count - 1 + r.stdout.components(separatedBy: "[HIGH]").count - 1
                       + r.stdout.components(separatedBy: "[MEDIUM]").count - 1)
    }

    func testWithinLimitDeadlineAndBusinessDays() throws {
        let r = try CLI.run(["review", "--no-color", "--brief", "Corpus/agreements/c036-staffing-agency-fifteen-business-days.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Breach notice   15 business days (~21 days): within HIPAA's 60-day limit"), r.stdout)
    }

    func testBriefPrintsTheCardAndTheFindingTitlesOnly() throws {
        let full = try CLI.run(["review", "--no-color", "--format", "json", Self.v2])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        let titles = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        XCTAssertFalse(titles.isEmpty)
        let r = try CLI.run(["review", "--brief", "--no-color", Self.v2])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Titles may wrap: compare with line breaks and their indents read as one space.
        let joined = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        for t in titles { XCTAssertTrue(joined.contains(t), "title '\(t)' in:\n\(r.stdout)") }
        XCTAssertTrue(r.stdout.contains("\nFindings (\(titles.count))\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  CRITICAL Breach notice deadline (90 days) is beyond HIPAA's outer limit"), r.stdout)
        for absent in ["Elements", "Recommended language", "Parties", "decided by"] { XCTAssertFalse(r.stdout.contains(absent), absent) }
        XCTAssertLessThanOrEqual(r.stdout.split(separator: "\n").count, 7 + 2 + titles.count * 2)
        XCTAssertNotEqual(try CLI.run(["review", "--brief", "--format", "json", Self.v2]).status, 0, "--brief is for the terminal")
    }

    func testSixtyColumnsWrapEveryLineAndKeepTheCardInTheFirstEightLines() throws {
        for file in [Self.v2, "Corpus/agreements/c024-acme-scribe-baa.md", "Corpus/agreements/c041-weak-generic-obligations-120-days.txt"] {
            for extra in [[], ["--brief"], ["--explain"]] {
                let r = try CLI.run(["review", "--no-color"] + extra + [file], env: ["COLUMNS": "60"])
                XCTAssertEqual(r.status, 0, r.stderr)
                let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                for line in lines { XCTAssertLessThanOrEqual(line.count, 60, "\(file) \(extra): \(line)") }
                let head = lines.prefix(8).joined(separator: "\n")
                for term in ["Score ", "AI training", "Breach notice", "Subcontractors"] {
                    XCTAssertTrue(head.contains(term), "\(term) within the first 8 lines of \(file):\n\(head)")
                }
            }
        }
        // Wider: rows that fit stay on one line.
        let wide = try CLI.run(["review", "--no-color", Self.v2], env: ["COLUMNS": "160"])
        XCTAssertTrue(wide.stdout.contains("present                     §1.1, - Scope of Permitted Activity, p.1 line 7"), wide.stdout)
        XCTAssertTrue(wide.stdout.split(separator: "\n").contains { $0.count > 100 }, "160 columns are used")
    }
}
