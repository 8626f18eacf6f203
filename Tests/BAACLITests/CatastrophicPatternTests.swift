import Foundation
import XCTest

/// A clause file with a runaway pattern must not hang anything: `rules test` names the rule,
/// and a review finishes, reporting the rule error as a warning.
final class CatastrophicPatternTests: XCTestCase {
    func makeLibrary() throws -> URL {
        let dir = try CLI.tempDir().appendingPathComponent("Clauses")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Clauses"), to: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("insurance.yaml"))
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("catastrophic/insurance.yaml"), to: dir.appendingPathComponent("insurance.yaml"))
        return dir
    }

    func testRulesTestReportsTheRunawayRule() throws {
        let dir = try makeLibrary()
        let r = try CLI.run(["rules", "test", "insurance", "--clauses", dir.path])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("insurance.catastrophic"), r.stdout)
        XCTAssertTrue(r.stdout.contains("resource limit"), r.stdout)
    }

    func testReviewStillFinishesAndWarnsNamingTheRule() throws {
        let dir = try makeLibrary()
        let doc = try CLI.tempDir().appendingPathComponent("unlucky.txt")
        let unlucky = (0..<20).map { _ in String(repeating: "a", count: 3000) + "!" }.joined(separator: "\n\n")
        try ("Business Associate shall protect PHI.\n\n" + unlucky + "\n").write(to: doc, atomically: true, encoding: .utf8)
        let r = try CLI.run(["review", "--format", "json", "--clauses", dir.path, doc.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let warnings = (json["document"] as? [String: Any])?["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.contains("insurance.catastrophic") && $0.contains("resource limit") }, "\(warnings)")
        print("review with a catastrophic rule took \(String(format: "%.2f", r.seconds)) s (debug build, process start included)")
    }
}
