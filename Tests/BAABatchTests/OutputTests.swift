import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Formats, redaction, exit codes, shards and merge, and Ctrl-C.
final class OutputTests: XCTestCase {
    func testTerminalTableIsWorstFirstWithFlags() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let r = try BatchCLI.run(["batch", vendors.path, "--no-cache"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("VENDOR") && lines[0].contains("AI TRAINING") && lines[0].contains("BREACH NOTICE") && lines[0].contains("SUBCONTRACTORS"))
        let scores = lines.dropFirst().prefix { !$0.isEmpty }.map { line -> Int in
            Int(line.split(separator: " ", omittingEmptySubsequences: true)[2])!
        }
        XCTAssertEqual(scores.count, 4, r.stdout)
        XCTAssertEqual(scores, scores.sorted(), "worst first")
        XCTAssertTrue(r.stdout.contains("8 files: 8 reviewed (0 from cache), 0 errors; 4 vendors"), r.stdout)
        XCTAssertTrue(r.stdout.contains("c008-short-form-bare-164-410.txt"), "a loose file is its own row")
    }

    func testJSONLinesOneFindingPerLineAndRedactLeavesNoExcerpt() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let out = dir.appendingPathComponent("f.jsonl").path
        XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--format", "jsonl", "--output", out, "--no-cache"]).status, 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        var withEvidence = 0
        for l in lines {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])
            for key in ["vendor", "document", "fingerprint", "severity", "element", "title", "citation", "recommendation", "evidence"] {
                XCTAssertNotNil(o[key], "\(key) in \(l)")
            }
            if let ev = o["evidence"] as? [[String: Any]], let t = ev.first?["text"] as? String, !t.isEmpty { withEvidence += 1 }
        }
        XCTAssertGreaterThan(withEvidence, 0)
        let json = try BatchCLI.json(BatchCLI.run(["batch", vendors.path, "--format", "json", "--no-cache"]).stdout)
        let total = (json["documents"] as! [[String: Any]]).reduce(0) { $0 + ((($1["report"] as! [String: Any])["findings"] as! [Any]).count) }
        XCTAssertEqual(lines.count, total, "one line per document finding")

        // --redact: no excerpt of any evidence survives in any format.
        let excerpts = (json["documents"] as! [[String: Any]]).flatMap { d in
            ((d["report"] as! [String: Any])["elements"] as! [[String: Any]]).flatMap { ($0["evidence"] as! [[String: Any]]).map { $0["text"] as! String } }
        }.filter { $0.count > 40 }
        XCTAssertFalse(excerpts.isEmpty)
        for format in ["json", "jsonl", "tickets", "terminal"] {
            let r = try BatchCLI.run(["batch", vendors.path, "--format", format, "--redact", "--no-cache"])
            XCTAssertEqual(r.status, 0)
            for e in excerpts { XCTAssertFalse(r.stdout.contains(e), "\(format) leaks: \(e.prefix(60))") }
        }
    }

    func testOutputInsideTheFolderIsNotReviewedNextTime() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let out = vendors.appendingPathComponent("batch.json").path
        for _ in 0..<2 {
            let r = try BatchCLI.run(["batch", vendors.path, "--format", "json", "--output", out, "--audit-log", vendors.appendingPathComponent("audit.jsonl").path])
            XCTAssertEqual(r.status, 0, r.stderr)
            let c = BatchCLI.counts(try BatchCLI.json(String(contentsOfFile: out, encoding: .utf8)))
            XCTAssertEqual(c["files"], 8)
            XCTAssertEqual(c["errors"], 0)
        }
    }

    /// A vendor none of whose files can be read has no verdicts at all: it gets one ticket of the highest priority
    /// naming each file's error, and the vendors that were reviewed get theirs as before.
    func testVendorWithNoReadableFileGetsOneTicket() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let broken = vendors.appendingPathComponent("opaque-vendor")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data().write(to: broken.appendingPathComponent("baa.txt"))
        try Data("%PDF-1.7\n1 0 obj".utf8).write(to: broken.appendingPathComponent("signed.pdf"))
        let r = try BatchCLI.run(["batch", vendors.path, "--format", "tickets", "--no-cache"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tickets = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let opaque = tickets.filter { $0["vendor"] as? String == "opaque-vendor" }
        XCTAssertEqual(opaque.count, 1)
        let t = try XCTUnwrap(opaque.first)
        XCTAssertEqual(t["priority"] as? String, "Highest")
        XCTAssertEqual((t["fingerprints"] as? [String])?.count, 1)
        XCTAssertTrue((t["labels"] as? [String] ?? []).contains("unreadable"))
        let description = t["description"] as? String ?? ""
        XCTAssertTrue(description.contains("baa.txt") && description.contains("signed.pdf"), description)
        XCTAssertTrue((t["summary"] as? String ?? "").contains("no document could be reviewed"))
        XCTAssertGreaterThanOrEqual(tickets.count, 3, "the reviewed vendors keep their tickets")
    }

    func testFailOnSeverityExits1() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--no-cache", "--fail-on", "info"]).status, 1)
        XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--no-cache", "--shard", "0/2"]).status, 2, "bad shard is a usage error")
    }

    func testShardsPartitionVendorsAndMergeEqualsFullRun() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let full = try BatchCLI.json(BatchCLI.run(["batch", vendors.path, "--format", "json", "--no-cache"]).stdout)
        var paths: [String] = []
        var seen: [String] = []
        for k in 1...3 {
            let p = dir.appendingPathComponent("shard-\(k).json").path
            let r = try BatchCLI.run(["batch", vendors.path, "--format", "json", "--no-cache", "--shard", "\(k)/3", "--output", p])
            XCTAssertEqual(r.status, 0, r.stderr)
            seen += (try BatchCLI.json(String(contentsOfFile: p, encoding: .utf8))["vendors"] as! [[String: Any]]).map { $0["name"] as! String }
            paths.append(p)
        }
        XCTAssertEqual(seen.count, Set(seen).count, "no vendor in two shards")
        let merged = try BatchCLI.run(["merge"] + paths)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let m = try BatchCLI.json(merged.stdout)
        func summary(_ r: [String: Any]) -> [String] {
            (r["vendors"] as! [[String: Any]]).map { "\($0["name"]!) \($0["score"]!) \($0["risk"]!)" }.sorted()
        }
        XCTAssertEqual(summary(m), summary(full))
        XCTAssertEqual(BatchCLI.counts(m)["reviewed"], BatchCLI.counts(full)["reviewed"])
        XCTAssertEqual((m["documents"] as! [Any]).count, (full["documents"] as! [Any]).count)
        let overlap = try BatchCLI.run(["merge", paths[0], paths[0]])
        XCTAssertEqual(overlap.status, 2)
        XCTAssertTrue(overlap.stderr.contains("shard 1/3 given twice"), overlap.stderr)
        XCTAssertEqual(try BatchCLI.run(["merge", paths[0], paths[1], "--format", "terminal"]).status, 0)
    }

    func testInterruptStopsCleanlyAndSaysHowFarItGot() throws {
        let dir = try scratch()
        let root = dir.appendingPathComponent("many")
        let source = try String(contentsOf: BatchCLI.agreements.appendingPathComponent("c002-health-system-longform.md"), encoding: .utf8)
        for i in 0..<600 {
            let v = root.appendingPathComponent("vendor-\(i % 60)")
            try FileManager.default.createDirectory(at: v, withIntermediateDirectories: true)
            try (source + "\nCopy \(i).\n").write(to: v.appendingPathComponent("baa-\(i).md"), atomically: false, encoding: .utf8)
        }
        let log = dir.appendingPathComponent("audit.jsonl").path
        let out = dir.appendingPathComponent("b.json").path
        let (process, wait) = try BatchCLI.start(["batch", root.path, "--format", "json", "--output", out, "--no-cache", "--jobs", "1", "--audit-log", log])
        // Signal once the audit log shows the first reviewed file (the run is under way).
        var started = false
        for _ in 0..<6000 where !started {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("\"event\":\"file\"") { started = true; break }
            if !process.isRunning { break }
            usleep(5000)
        }
        XCTAssertTrue(started)
        kill(process.processIdentifier, SIGINT)
        let r = wait()
        if r.status == 0 { throw XCTSkip("the run finished before the signal arrived") }
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("interrupted:") && r.stderr.contains("of 600 files done"), r.stderr)
        let report = try BatchCLI.json(String(contentsOfFile: out, encoding: .utf8))
        XCTAssertEqual((report["batch"] as? [String: Any])?["interrupted"] as? Bool, true)
        let c = BatchCLI.counts(report)
        XCTAssertEqual((c["reviewed"] ?? 0) + (c["errors"] ?? 0) + (c["not_reached"] ?? 0), 600)
        XCTAssertGreaterThan(c["not_reached"] ?? 0, 0)
        let end = try XCTUnwrap(String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last)
        XCTAssertTrue(end.contains("\"event\":\"run_end\"") && end.contains("\"interrupted\":true"), String(end))
    }
}
