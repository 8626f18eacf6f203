import BAATestSupport
import Foundation
import XCTest

/// An installed `baa` (PREFIX/bin/baa with PREFIX/share/baa/Clauses) found on PATH, and a clause library whose
/// identity does not depend on how its folder was typed (issue 16).
final class InstallTests: XCTestCase {
    func run(_ executable: String, _ args: [String], env: [String: String], cwd: URL) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [executable] + args
        p.environment = env
        p.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let (stdout, stderr) = BAATestBinary.collect(out, err)()
        p.waitUntilExit()
        return (p.terminationStatus, stdout, stderr)
    }

    func testAnInstalledBaaOnPathFindsItsClauseLibrary() throws {
        let fm = FileManager.default
        let prefix = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("baa-prefix-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: prefix) }
        try fm.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try fm.createDirectory(at: prefix.appendingPathComponent("share/baa"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: BAATestBinary.path, toPath: prefix.appendingPathComponent("bin/baa").path)
        try fm.copyItem(at: BAATestBinary.root.appendingPathComponent("Clauses"), to: prefix.appendingPathComponent("share/baa/Clauses"))
        let agreement = BAATestBinary.root.appendingPathComponent("Corpus/agreements/c001-hhs-style-complete.md").path
        // Run from a folder with no Clauses/, by bare name through PATH, with no BAA_CLAUSES.
        var env = BAATestBinary.environment(setting: [:], removing: ["BAA_CLAUSES"])
        env["PATH"] = prefix.appendingPathComponent("bin").path + ":/usr/bin:/bin"
        let (status, stdout, stderr) = try run("baa", ["review", "--format", "json", agreement], env: env, cwd: fm.temporaryDirectory)
        XCTAssertTrue(status == 0 || status == 1, "exit \(status): \(stderr)")
        XCTAssertTrue(stdout.contains("\"clause_library\""), stderr)
    }

    func testTheLibraryHashDoesNotDependOnHowItsFolderIsTyped() throws {
        let root = BAATestBinary.root
        let agreement = root.appendingPathComponent("Corpus/agreements/c001-hhs-style-complete.md").path
        var hashes: Set<String> = []
        for spelling in ["Clauses", "./Clauses", root.appendingPathComponent("Clauses").path, "../" + root.lastPathComponent + "/Clauses"] {
            let (status, stdout, stderr) = try run(BAATestBinary.path, ["review", "--format", "json", "--clauses", spelling, agreement],
                                                   env: BAATestBinary.environment(setting: [:]), cwd: root)
            XCTAssertTrue(status == 0 || status == 1, "exit \(status): \(stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
            let tool = json?["tool"] as? [String: Any]
            let library = tool?["clause_library"] as? [String: Any]
            hashes.insert(library?["sha256"] as? String ?? "none")
        }
        XCTAssertEqual(hashes.count, 1, "one library, one hash: \(hashes)")
        XCTAssertFalse(hashes.contains("none"))
    }
}
