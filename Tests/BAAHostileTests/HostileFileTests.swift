import Foundation
import XCTest

/// Every file tools/make-hostile writes ends, quickly and in bounded memory, either as a review or as one
/// line on stderr naming the file and the limit or fault (exit code 2); none crashes, hangs, or writes
/// anything anywhere. docs/hostile.md lists the files and the figures this test prints.
final class HostileFileTests: XCTestCase {
    func testEveryHostileFileEndsWithAOneLineErrorOrAReview() throws {
        let (dir, entries) = try Hostile.made.get()
        XCTAssertGreaterThanOrEqual(entries.count, 20)
        var table: [String] = []
        for entry in entries {
            let path = dir.appendingPathComponent(entry.file).path
            let shown = Hostile.displayPath(path)
            // A working folder two levels down, so a ZIP entry "../../x" would land inside the test's temp tree.
            let cwd = try Hostile.tempDir().appendingPathComponent("a/b")
            try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
            let r = try Hostile.run(["review", "--format", "json", path], cwd: cwd, timeout: 60)
            let name = Hostile.displayPath(entry.file)
            table.append(name.padding(toLength: max(34, name.count), withPad: " ", startingAt: 0)
                         + String(format: " exit %d  %5.2f s  peak ", r.status, r.seconds) + Hostile.mb(r.peakKB))
            XCTAssertFalse(r.timedOut, "\(name) hung")
            XCTAssertEqual(r.signal, 0, "\(name) died of signal \(r.signal): \(r.stderr)")
            XCTAssertLessThan(r.peakKB, Hostile.peakLimitKB, "\(name): peak \(Hostile.mb(r.peakKB))")
            XCTAssertLessThan(r.seconds, 20, "\(name) took \(r.seconds) s")
            switch entry.expect {
            case "error":
                XCTAssertEqual(r.status, 2, "\(name): \(r.stderr)")
                XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "\(name): one line: \(r.stderr)")
                XCTAssertTrue(r.stderr.hasPrefix("baa: error: \(shown): "), "\(name): names the file: \(r.stderr)")
                for fragment in entry.says {
                    XCTAssertTrue(r.stderr.contains(fragment), "\(name): says '\(fragment)': \(r.stderr)")
                }
                // No report: JSON to standard output is an empty list, as for any run that reviewed nothing.
                let reports = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any]
                XCTAssertEqual(reports?.count, 0, "\(name): no report for a file that could not be read: \(r.stdout.prefix(80))")
            default:
                XCTAssertTrue(r.status == 0 || r.status == 1, "\(name): exit \(r.status): \(r.stderr)")
                XCTAssertFalse(r.stderr.contains("error:"), "\(name): \(r.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                XCTAssertNotNil(json?["elements"], "\(name): a report")
            }
            // Nothing was written where the review ran, nor where a ZIP-slip entry points.
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.path), [], "\(name) wrote into its working folder")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.deletingLastPathComponent().path), ["b"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/baa-zip-slip-evil.txt"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: cwd.appendingPathComponent("../../baa-zip-slip-evil.txt").standardized.path))
            try? FileManager.default.removeItem(at: cwd.deletingLastPathComponent().deletingLastPathComponent())
        }
        print("hostile files (baa review --format json FILE; peak = child's ru_maxrss):\n" + table.joined(separator: "\n"))
    }

    /// The 200 MiB file is refused by its size before a byte is read: fast and flat in memory.
    func testHugeFileIsRefusedBeforeItIsRead() throws {
        let (dir, _) = try Hostile.made.get()
        let r = try Hostile.run(["review", dir.appendingPathComponent("huge.txt").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("over the 104,857,600-byte limit (--max-file-size)"), r.stderr)
        XCTAssertLessThan(r.seconds, 5)
        XCTAssertLessThan(r.peakKB, max(100 * 1024, r.floorKB + 1), "refused without reading: \(Hostile.mb(r.peakKB)) (floor \(Hostile.mb(r.floorKB)))")
    }

    /// `baa extract` reads through the same limits.
    func testExtractGivesTheSameOneLineErrors() throws {
        let (dir, _) = try Hostile.made.get()
        for name in ["zip-bomb-lying.docx", "billion-laughs.docx", "truncated.pdf", "huge.txt"] {
            let r = try Hostile.run(["extract", dir.appendingPathComponent(name).path])
            XCTAssertEqual(r.status, 2, name)
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("baa: error: \(dir.appendingPathComponent(name).path): "), r.stderr)
            XCTAssertLessThan(r.peakKB, Hostile.peakLimitKB)
        }
    }

    /// Several files at once: the bad ones are errors, the good one is still reviewed, exit 2.
    func testGoodFilesAreReviewedAlongsideHostileOnes() throws {
        let (dir, _) = try Hostile.made.get()
        let files = ["noise.pdf", "zip-bomb.docx", "huge.txt"].map { dir.appendingPathComponent($0).path }
        let r = try Hostile.run(["review", "--format", "json"] + files + [Hostile.goodAgreement.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 3, r.stderr)
        let reports = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual((reports.first?["document"] as? [String: Any])?["path"] as? String, Hostile.goodAgreement.path)
    }
}
