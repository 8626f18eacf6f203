import BAATestSupport
import Foundation
import XCTest

/// Issue 15, item 10: memory does not grow with the folder. 100,000 empty files each at the root (so every file is
/// its own vendor and an error line, the worst case for what a batch keeps) peaked at 169 MB, about 1.3 KB a file:
/// every vendor summary, every error and the whole table text were held in memory. Summaries and errors now wait
/// in the spool and the table is written a line at a time.
final class WalkMemoryTests: XCTestCase {
    /// Peak resident memory of `baa batch` on `n` empty loose files, measured by /usr/bin/time (its own child, so the
    /// peak is baa's alone: a child spawned straight from this test process inherits the test's high-water mark).
    func peakKB(files n: Int, extra: [String] = []) throws -> (kb: Int, stdout: String) {
        let dir = try Hostile.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<n { FileManager.default.createFile(atPath: folder.appendingPathComponent(String(format: "f%06d.txt", i)).path, contents: nil) }
        let timeOut = dir.appendingPathComponent("time").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "%M", "-o", timeOut, Hostile.binary, "batch", folder.path, "--no-cache", "--quiet"] + extra.map { $0.replacingOccurrences(of: "DIR", with: dir.path) }
        p.environment = BAATestBinary.environment(setting: ["NO_COLOR": "1"])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let collected = BAATestBinary.collect(out, err)
        try p.run()
        p.waitUntilExit()
        let (stdout, _) = collected()
        XCTAssertEqual(p.terminationStatus, 0, "baa batch on \(n) empty files")
        let text = try String(contentsOfFile: timeOut, encoding: .utf8)
        let kb = try XCTUnwrap(text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last, "time said: \(text)")
        return (kb, stdout)
    }

    func testMemoryPerFileStaysSmallWithTheAuditLog() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed (Debian package time)") }
        guard FileManager.default.isExecutableFile(atPath: Hostile.binary) else { throw XCTSkip("baa is not built") }
        let small = try peakKB(files: 2_000)
        let large = try peakKB(files: 20_000, extra: ["--audit-log", "DIR/audit.jsonl"])
        // Every file is still reported: 20,000 vendor rows and 20,000 error lines.
        XCTAssertEqual(large.stdout.split(separator: "\n").filter { $0.hasPrefix("error: ") }.count, 20_000)
        XCTAssertTrue(large.stdout.contains("20000 files: 0 reviewed (0 from cache), 20000 errors"), String(large.stdout.suffix(300)))
        let perFile = Double(large.kb - small.kb) * 1024 / 18_000
        print("peak \(small.kb) KB at 2,000 files, \(large.kb) KB at 20,000 (with --audit-log): \(Int(perFile)) bytes a file")
        // 1.3 KB a file before (169 MB at 100,000); about 0.45 KB now (the walk's list of paths and a small index
        // entry per vendor and error), which keeps 100,000 files under 100 MB.
        XCTAssertLessThan(perFile, 800, "memory grows by \(Int(perFile)) bytes a file")
    }
}
