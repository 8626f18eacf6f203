import Foundation
import XCTest

/// Incremental re-runs and the audit trail.
final class CacheAndAuditTests: XCTestCase {
    func testUnchangedFolderComesEntirelyFromTheCacheAndAChangeReReviews() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let cache = dir.appendingPathComponent("cache").path
        let args = ["batch", vendors.path, "--format", "json", "--cache", cache]
        let first = try BatchCLI.json(BatchCLI.run(args).stdout)
        let c1 = BatchCLI.counts(first)
        XCTAssertEqual(c1["cached"], 0)
        let total = try XCTUnwrap(c1["reviewed"])
        XCTAssertEqual(total, 8)

        let second = try BatchCLI.json(BatchCLI.run(args).stdout)
        XCTAssertEqual(BatchCLI.counts(second)["cached"], total, "every file comes from the cache")
        XCTAssertEqual(BatchCLI.counts(second)["reviewed"], total)
        // Same verdicts either way.
        func vendorScores(_ r: [String: Any]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: (r["vendors"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["score"] as! Int) })
        }
        XCTAssertEqual(vendorScores(first), vendorScores(second))
        XCTAssertTrue(try BatchCLI.run(["batch", vendors.path, "--cache", cache]).stdout.contains("\(total) reviewed (\(total) from cache)"))

        // One changed file is reviewed again; the rest still come from the cache.
        let changed = vendors.appendingPathComponent("brightwave/c007-one-page-short-form-promptly.md")
        try (String(contentsOf: changed, encoding: .utf8) + "\nSigned in counterparts.\n").write(to: changed, atomically: true, encoding: .utf8)
        XCTAssertEqual(BatchCLI.counts(try BatchCLI.json(BatchCLI.run(args).stdout))["cached"], total - 1)

        // A different playbook (like a changed rule) re-reviews everything.
        let playbook = dir.appendingPathComponent("strict.yaml")
        try "name: strict\nai_training_required: prohibited\n".write(to: playbook, atomically: true, encoding: .utf8)
        let strict = try BatchCLI.json(BatchCLI.run(args + ["--playbook", playbook.path]).stdout)
        XCTAssertEqual(BatchCLI.counts(strict)["cached"], 0)
    }

    func testCopiesOfOneFileKeepTheirOwnPathAndFingerprints() throws {
        let dir = try scratch()
        let root = dir.appendingPathComponent("in")
        for v in ["v1", "v2"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(v), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: BatchCLI.agreements.appendingPathComponent("c007-one-page-short-form-promptly.md"),
                                             to: root.appendingPathComponent("\(v)/baa.md"))
        }
        let cache = dir.appendingPathComponent("cache").path
        _ = try BatchCLI.run(["batch", root.path, "--format", "json", "--cache", cache, "--jobs", "1"])
        let r = try BatchCLI.json(BatchCLI.run(["batch", root.path, "--format", "json", "--cache", cache]).stdout)
        let docs = r["documents"] as? [[String: Any]] ?? []
        XCTAssertEqual(docs.count, 2)
        var fingerprints = Set<String>()
        for d in docs {
            let report = d["report"] as! [String: Any]
            XCTAssertEqual((report["document"] as! [String: Any])["path"] as? String, d["path"] as? String)
            for f in report["findings"] as? [[String: Any]] ?? [] { fingerprints.insert(f["fingerprint"] as! String) }
        }
        let perDoc = ((docs[0]["report"] as! [String: Any])["findings"] as? [Any] ?? []).count
        XCTAssertEqual(fingerprints.count, perDoc * 2, "fingerprints follow the path, not the cached copy")
    }

    func testAuditLogRecordsRunAndEveryFileAndIsAppendOnly() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        try Data().write(to: vendors.appendingPathComponent("acme/empty.txt"))
        let log = dir.appendingPathComponent("audit.jsonl").path
        for _ in 0..<2 { _ = try BatchCLI.run(["batch", vendors.path, "--audit-log", log, "--cache", dir.appendingPathComponent("c").path]) }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.count, 2 * (9 + 2), "two runs, each: start, 9 files, end")
        let runs = Set(lines.map { $0["run_id"] as! String })
        XCTAssertEqual(runs.count, 2)
        let start = lines[0]
        XCTAssertEqual(start["event"] as? String, "run_start")
        for key in ["time", "user", "tool_version", "clause_library_version", "clause_library_sha256", "playbook_sha256"] {
            XCTAssertNotNil(start[key], key)
        }
        XCTAssertEqual((start["tool_sha256"] as? String)?.count, 64)
        XCTAssertEqual((start["clause_library_sha256"] as? String)?.count, 64)
        let files = lines.filter { $0["event"] as? String == "file" }
        XCTAssertEqual(files.count, 18)
        for f in files {
            XCTAssertEqual((f["sha256"] as? String)?.count, 64, "\(f)")
            XCTAssertNotNil(f["path"])
            if f["status"] as? String == "reviewed" {
                XCTAssertNotNil(f["risk"]); XCTAssertNotNil(f["score"])
            } else {
                XCTAssertEqual(f["reason"] as? String, "empty file (0 bytes)")
            }
        }
        XCTAssertEqual(lines.last?["event"] as? String, "run_end")
        XCTAssertEqual(lines.last?["cached"] as? Int, 8)
    }

    /// After a complete run, entries no run has used for --cache-max-age days are removed; a hit refreshes an entry,
    /// and nothing but entry-named files is touched.
    func testStaleCacheEntriesArePrunedAndUsedOnesKept() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let cache = dir.appendingPathComponent("cache")
        let args = ["batch", vendors.path, "--format", "json", "--output", dir.appendingPathComponent("b.json").path, "--cache", cache.path]
        XCTAssertEqual(try BatchCLI.run(args).status, 0)
        let fm = FileManager.default
        func entries() -> [String] {
            (fm.enumerator(atPath: cache.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") && $0.utf8.count == 72 }.sorted()
        }
        let used = entries()
        XCTAssertGreaterThan(used.count, 3)
        let old = Date(timeIntervalSinceNow: -100 * 86_400)
        let stale = "ab/ab" + String(repeating: "0", count: 62) + ".json"
        try fm.createDirectory(at: cache.appendingPathComponent("ab"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: cache.appendingPathComponent(stale))
        try Data("keep".utf8).write(to: cache.appendingPathComponent("ab/notes.json"))
        for f in used + [stale, "ab/notes.json"] { try fm.setAttributes([.modificationDate: old], ofItemAtPath: cache.appendingPathComponent(f).path) }

        let kept = try BatchCLI.run(args + ["--cache-max-age", "0"])
        XCTAssertEqual(kept.status, 0)
        XCTAssertTrue(fm.fileExists(atPath: cache.appendingPathComponent(stale).path), "0 keeps everything")
        for f in used { try fm.setAttributes([.modificationDate: old], ofItemAtPath: cache.appendingPathComponent(f).path) }

        let pruned = try BatchCLI.run(args)
        XCTAssertEqual(pruned.status, 0)
        XCTAssertTrue(pruned.stderr.contains("removed 1 cache entry no run has used for 90 days"), pruned.stderr)
        XCTAssertFalse(fm.fileExists(atPath: cache.appendingPathComponent(stale).path))
        XCTAssertEqual(entries(), used, "the entries this run used were refreshed, so they stay")
        XCTAssertTrue(fm.fileExists(atPath: cache.appendingPathComponent("ab/notes.json").path), "not an entry's name")
        XCTAssertEqual(try BatchCLI.run(args + ["--cache-max-age", "-1"]).status, 2)
    }
}
