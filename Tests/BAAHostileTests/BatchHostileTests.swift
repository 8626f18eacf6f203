import Foundation
import XCTest

/// A batch with every hostile file in it still reviews every good file, and accounts for each bad one.
final class BatchHostileTests: XCTestCase {
    func testBatchOfHostileFilesStillReviewsEveryGoodFile() throws {
        let (made, entries) = try Hostile.made.get()
        let root = try Hostile.tempDir().appendingPathComponent("vendors")
        let hostile = root.appendingPathComponent("hostile-vendor"), good = root.appendingPathComponent("good-vendor")
        try FileManager.default.createDirectory(at: hostile, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: good, withIntermediateDirectories: true)
        for e in entries {
            let to = hostile.appendingPathComponent(e.file)
            if e.file == "huge.txt" {
                // Sparse again rather than copying 200 MB.
                XCTAssertTrue(FileManager.default.createFile(atPath: to.path, contents: nil))
                let h = try FileHandle(forWritingTo: to)
                try h.truncate(atOffset: 200 * 1024 * 1024)
                try h.close()
            } else {
                try FileManager.default.copyItem(at: made.appendingPathComponent(e.file), to: to)
            }
        }
        let agreements = Hostile.root.appendingPathComponent("Corpus/agreements")
        let goodFiles = try FileManager.default.contentsOfDirectory(atPath: agreements.path).filter { $0.hasSuffix(".md") }.sorted().prefix(3)
        for name in goodFiles { try FileManager.default.copyItem(at: agreements.appendingPathComponent(name), to: good.appendingPathComponent(name)) }
        try FileManager.default.copyItem(atPath: Hostile.root.appendingPathComponent("Corpus/formats/sample-baa.pdf").path,
                                         toPath: good.appendingPathComponent("sample-baa.pdf").path)

        let out = root.deletingLastPathComponent().appendingPathComponent("batch.json")
        let r = try Hostile.run(["batch", root.path, "--format", "json", "--output", out.path, "--no-cache", "--jobs", "2", "--quiet"], timeout: 120)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(r.signal, 0, r.stderr)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let counts = ((report["batch"] as? [String: Any])?["counts"] as? [String: Int]) ?? [:]
        let okHostile = entries.filter { $0.expect == "ok" }.count
        let badHostile = entries.filter { $0.expect == "error" }.count
        XCTAssertEqual(counts["reviewed"], goodFiles.count + 1 + okHostile, "\(counts)")
        XCTAssertEqual(counts["errors"], badHostile, "\(counts)")
        XCTAssertEqual(counts["not_reached"], 0, "\(counts)")
        XCTAssertLessThan(r.peakKB, Hostile.peakLimitKB, "batch peak \(Hostile.mb(r.peakKB))")
        print("batch of \(entries.count) hostile + \(goodFiles.count + 1) good files: \(String(format: "%.1f", r.seconds)) s, peak \(Hostile.mb(r.peakKB)), counts \(counts)")
    }
}
