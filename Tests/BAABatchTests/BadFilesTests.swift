import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A folder of broken inputs: every file ends as reviewed or as an error with a reason, and the run goes on.
final class BadFilesTests: XCTestCase {
    func testEveryBadFileIsAccountedForAndExitIs2OnlyWithFailOnError() throws {
        let dir = try scratch()
        let root = dir.appendingPathComponent("in")
        let vendor = root.appendingPathComponent("vendor-a")
        try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: BatchCLI.agreements.appendingPathComponent("c011-northwind-billing-baa-90-days.md"),
                                         to: vendor.appendingPathComponent("baa.md"))
        try (Data("%PDF-1.7\n".utf8) + Data((0..<4096).map { _ in UInt8.random(in: 0...255) })).write(to: vendor.appendingPathComponent("corrupt.pdf"))
        try Data().write(to: vendor.appendingPathComponent("empty.txt"))
        try Data([0x00, 0x01, 0x02, 0xFF] + (0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: vendor.appendingPathComponent("random.bin"))
        XCTAssertEqual(mkfifo(vendor.appendingPathComponent("pipe.pdf").path, 0o644), 0)
        // A folder named like a document is walked as a folder (here: holds nothing).
        try FileManager.default.createDirectory(at: vendor.appendingPathComponent("folder.pdf"), withIntermediateDirectories: true)
        // Links: a folder loop, a file loop, a dangling link.
        try FileManager.default.createSymbolicLink(atPath: vendor.appendingPathComponent("loop").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: vendor.appendingPathComponent("a.txt").path, withDestinationPath: "b.txt")
        try FileManager.default.createSymbolicLink(atPath: vendor.appendingPathComponent("b.txt").path, withDestinationPath: "a.txt")
        try FileManager.default.createSymbolicLink(atPath: vendor.appendingPathComponent("gone.txt").path, withDestinationPath: "nowhere.txt")
        try Data("hidden".utf8).write(to: vendor.appendingPathComponent(".DS_Store"))
        var expectedErrors = ["corrupt.pdf", "empty.txt", "random.bin", "pipe.pdf", "a.txt", "b.txt", "gone.txt"]
        if getuid() != 0 {
            let locked = vendor.appendingPathComponent("locked.txt")
            try Data("Business Associate Agreement".utf8).write(to: locked)
            chmod(locked.path, 0)
            expectedErrors.append("locked.txt")
        } else {
            print("BadFilesTests: running as root, which reads chmod-000 files: unreadability is covered by the FIFO and the link loop")
        }

        let out = dir.appendingPathComponent("b.json").path
        let r = try BatchCLI.run(["batch", root.path, "--format", "json", "--output", out, "--no-cache", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try BatchCLI.json(String(contentsOfFile: out, encoding: .utf8))
        let c = BatchCLI.counts(report)
        XCTAssertEqual(c["reviewed"], 1)
        XCTAssertEqual(c["errors"], expectedErrors.count)
        XCTAssertEqual(c["files"], expectedErrors.count + 1, "every file is reviewed or an error")
        XCTAssertEqual(c["not_reached"], 0)
        let errors = report["errors"] as? [[String: Any]] ?? []
        var reasons: [String: String] = [:]
        for e in errors { reasons[((e["path"] as? String) ?? "").components(separatedBy: "/").last!] = e["reason"] as? String }
        XCTAssertEqual(Set(reasons.keys), Set(expectedErrors))
        for (name, reason) in reasons { XCTAssertFalse(reason.isEmpty, "\(name) has a reason") }
        XCTAssertEqual(reasons["empty.txt"], "empty file (0 bytes)")
        XCTAssertEqual(reasons["pipe.pdf"], "not a regular file (named pipe)")
        XCTAssertEqual(reasons["a.txt"], "symbolic link loop")
        XCTAssertTrue(reasons["gone.txt"]?.hasPrefix("broken symbolic link") ?? false)
        XCTAssertTrue(reasons["corrupt.pdf"]?.lowercased().contains("pdf") ?? false, reasons["corrupt.pdf"] ?? "")
        let skipped = (report["skipped"] as? [[String: Any]] ?? []).map { (($0["path"] as? String) ?? "").components(separatedBy: "/").last! }
        XCTAssertTrue(skipped.contains("loop") && skipped.contains(".DS_Store"), "\(skipped)")

        // The terminal summary counts both, and --fail-on-error turns the errors into exit 2.
        let table = try BatchCLI.run(["batch", root.path, "--no-cache"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("\(expectedErrors.count + 1) files: 1 reviewed (0 from cache), \(expectedErrors.count) errors"), table.stdout)
        let strict = try BatchCLI.run(["batch", root.path, "--no-cache", "--fail-on-error"])
        XCTAssertEqual(strict.status, 2)
        XCTAssertTrue(strict.stdout.contains("vendor-a"), "the table is still printed")
    }
}
