import Foundation
import XCTest

/// Outputs are written atomically (BAAUtil.AtomicFile: a temporary file `.NAME.tmp-PID-RANDOM` in the same
/// folder, fsync, rename): a run killed at any moment leaves the previous report whole, and at most a
/// temporary file of that pattern behind. A run with nothing to report leaves --output alone.
final class NothingLostTests: XCTestCase {
    static let tempPattern = try! NSRegularExpression(pattern: #"^\.report\.json\.tmp-[0-9]+-[0-9]+$"#)

    func testSIGKILLMidReviewLeavesThePreviousReportIntact() throws {
        let dir = try Hostile.tempDir()
        let out = dir.appendingPathComponent("report.json")
        let good = try Hostile.run(["review", "--format", "json", "--output", out.path, Hostile.goodAgreement.path])
        XCTAssertEqual(good.status, 0, good.stderr)
        let before = try Data(contentsOf: out)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: before))

        // A long input (about 1 MB: seconds of review in a debug build) so the kill lands mid-run.
        let agreement = try String(contentsOf: Hostile.goodAgreement, encoding: .utf8)
        let long = dir.appendingPathComponent("long.md")
        try String(repeating: agreement + "\n\n", count: max(1, 1_000_000 / agreement.utf8.count)).write(to: long, atomically: true, encoding: .utf8)
        var killed = 0
        for delay in [0.15, 0.4, 0.8, 1.5] {
            let r = try Hostile.run(["review", "--format", "json", "--time-budget", "0", "--output", out.path, long.path], killAfter: delay)
            if r.signal == 9 { killed += 1 } else { XCTAssertEqual(r.status, 0, r.stderr) }
            let now = try Data(contentsOf: out)
            if r.signal == 9 {
                XCTAssertEqual(now, before, "killed after \(delay) s: the previous report is untouched")
            } else {
                XCTAssertNotNil(try JSONSerialization.jsonObject(with: now), "finished: a whole new report")
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !["report.json", "long.md"].contains(name) {
                let range = NSRange(name.startIndex..., in: name)
                XCTAssertNotNil(NothingLostTests.tempPattern.firstMatch(in: name, range: range), "unexpected file left: \(name)")
            }
        }
        XCTAssertGreaterThan(killed, 0, "at least one run was killed mid-way")
    }

    func testARunWithNoReviewableFileLeavesOutputAlone() throws {
        let dir = try Hostile.tempDir()
        let out = dir.appendingPathComponent("report.json")
        XCTAssertEqual(try Hostile.run(["review", "--format", "json", "--output", out.path, Hostile.goodAgreement.path]).status, 0)
        let before = try Data(contentsOf: out)
        let (hostile, _) = try Hostile.made.get()
        let r = try Hostile.run(["review", "--format", "json", "--output", out.path, hostile.appendingPathComponent("truncated.pdf").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(try Data(contentsOf: out), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["report.json"])
    }
}
