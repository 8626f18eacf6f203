import BAABatch
import BAAClauses
import Foundation
import XCTest

/// The walk: vendors by depth, loose files, globs, hidden entries, and the shard split.
final class WalkerTests: XCTestCase {
    func make(_ paths: [String]) throws -> URL {
        let root = try scratch()
        for p in paths {
            let u = root.appendingPathComponent(p)
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: u)
        }
        return root
    }

    func testVendorsLooseFilesGlobsAndHidden() throws {
        let root = try make(["acme/baa.md", "acme/old/2019.pdf", "acme/notes.xlsx", "loose.txt", ".git/config", "beta/.DS_Store", "beta/msa.docx", "README.md"])
        var w = FolderWalker()
        var r = try w.walk(root: root.path)
        XCTAssertEqual(r.files.map(\.relativePath), ["README.md", "acme/baa.md", "acme/notes.xlsx", "acme/old/2019.pdf", "beta/msa.docx", "loose.txt"])
        XCTAssertEqual(r.files.map(\.vendor), ["README.md", "acme", "acme", "acme", "beta", "loose.txt"])
        XCTAssertEqual(r.files.filter(\.loose).map(\.relativePath), ["README.md", "loose.txt"])
        XCTAssertEqual(Set(r.skipped.map { ($0.path as NSString).lastPathComponent }), [".git", ".DS_Store"])

        w.exclude = ["*.xlsx", "old"] + FolderWalker.defaultExcludes
        w.include = ["*.md", "*.docx", "*.pdf", "*.txt"]
        r = try w.walk(root: root.path)
        XCTAssertEqual(r.files.map(\.relativePath), ["acme/baa.md", "beta/msa.docx", "loose.txt"])
        XCTAssertEqual(r.excluded, 3)

        w = FolderWalker(vendorDepth: 2, include: ["acme/**"])
        r = try w.walk(root: root.path)
        XCTAssertEqual(r.files.map(\.vendor), ["acme/baa.md", "acme/notes.xlsx", "acme/old"], "at depth 2 a file directly in acme/ is loose: reviewed on its own")
        XCTAssertEqual(r.files.map(\.loose), [true, true, false])
    }

    func testShardsAreDeterministicAndCoverEveryVendorOnce() {
        let vendors = (0..<500).map { "vendor-\($0)" }
        var owners = [String: Int]()
        for k in 1...4 {
            let shard = Shard("\(k)/4")!
            for v in vendors where shard.contains(vendor: v) { XCTAssertNil(owners[v]); owners[v] = k }
        }
        XCTAssertEqual(owners.count, vendors.count)
        // FNV-1a 64 of the vendor key: the same split on every machine and run.
        XCTAssertEqual(Shard.hash(""), 0xcbf29ce484222325)
        XCTAssertEqual(Shard.hash("a"), 0xaf63dc4c8601ec8c)
        for k in 1...4 { XCTAssertGreaterThan(owners.values.filter { $0 == k }.count, 80, "roughly even") }
        XCTAssertNil(Shard("0/4")); XCTAssertNil(Shard("5/4")); XCTAssertNil(Shard("1-4")); XCTAssertNotNil(Shard("1/1"))
    }

    func testTicketPriorityFollowsWorstSeverity() {
        XCTAssertEqual(TicketBuilder.priority(.critical), "Highest")
        XCTAssertEqual(TicketBuilder.priority(.high), "High")
        XCTAssertEqual(TicketBuilder.priority(.medium), "Medium")
        XCTAssertEqual(TicketBuilder.priority(.low), "Low")
    }
}
