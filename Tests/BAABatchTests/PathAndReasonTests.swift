@testable import BAABatch
import BAAClauses
import BAAExtract
import BAAReview
import BAATestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15 items 9 and 11: names that are not UTF-8, and reasons that say what really happened.
final class PathAndReasonTests: XCTestCase {
    /// Makes a file or folder whose name is raw bytes (not UTF-8).
    func make(_ parent: URL, _ name: [UInt8], directory: Bool = false, contents: Data = Data()) -> [UInt8] {
        let path = Array(parent.path.utf8) + [0x2F] + name
        let c = (path + [0]).map { CChar(bitPattern: $0) }
        if directory {
            XCTAssertEqual(mkdir(c, 0o755), 0)
        } else {
            let fd = open(c, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            _ = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return path
    }

    /// Runs baa through /bin/sh so that an argument can be raw bytes (printf's octal escapes).
    func runShell(_ script: String, cwd: URL) throws -> BatchCLI.Result {
        guard FileManager.default.isExecutableFile(atPath: BatchCLI.binary) else { throw XCTSkip("baa is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script, BatchCLI.binary]
        p.environment = BAATestBinary.environment(setting: ["NO_COLOR": "1"])
        p.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let collect = BAATestBinary.collect(out, err)
        let (o, e) = collect()
        p.waitUntilExit()
        return BatchCLI.Result(status: p.terminationStatus, stdout: o, stderr: e)
    }

    func testPathsThatAreNotUTF8AreReviewedAndShownEscaped() throws {
        let dir = try BatchCLI.tempDir()
        let agreement = try Data(contentsOf: BatchCLI.agreements.appendingPathComponent("c001-hhs-style-complete.md"))
        _ = make(dir, Array("a".utf8) + [0xFF] + Array(".txt".utf8), contents: agreement)
        // baa review $'a\xff.txt'
        var r = try runShell(#"exec "$0" review "$(printf 'a\377.txt')""#, cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("baa review: a\\xFF.txt\n"), String(r.stdout.prefix(200)))
        r = try runShell(#"exec "$0" review --format json "$(printf 'a\377.txt')""#, cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try BatchCLI.json(r.stdout)
        XCTAssertEqual((json["document"] as? [String: Any])?["path"] as? String, "a\\xFF.txt")
        // A missing one is named escaped, on one line.
        r = try runShell(#"exec "$0" review "$(printf 'gone\377.txt')""#, cwd: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "baa: error: gone\\xFF.txt: no such file\n")

        // In a batch: a vendor folder and a file whose names are not UTF-8.
        let root = dir.appendingPathComponent("vendors")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let vendor = make(root, Array("ven".utf8) + [0xFE] + Array("dor".utf8), directory: true)
        let filePath = vendor + [0x2F] + Array("b".utf8) + [0xFF] + Array(".md".utf8)
        let fd = open((filePath + [0]).map { CChar(bitPattern: $0) }, O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = agreement.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        r = try BatchCLI.run(["batch", root.path, "--no-cache", "--quiet", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let batch = try BatchCLI.json(r.stdout)
        XCTAssertEqual(BatchCLI.counts(batch)["reviewed"], 1, r.stdout)
        XCTAssertEqual(BatchCLI.counts(batch)["errors"], 0, r.stdout)
        let doc = try XCTUnwrap((batch["documents"] as? [[String: Any]])?.first)
        XCTAssertEqual(doc["path"] as? String, root.path + "/ven\\xFEdor/b\\xFF.md")
        XCTAssertEqual((batch["vendors"] as? [[String: Any]])?.first?["name"] as? String, "ven\\xFEdor")
        let table = try BatchCLI.run(["batch", root.path, "--no-cache", "--quiet"])
        XCTAssertTrue(table.stdout.contains("ven\\xFEdor "), table.stdout)
    }

    /// Outputs whose names are not UTF-8 are written under their own bytes (they used to get the bytes of the
    /// placeholder scalars that carry raw bytes inside baa), and nothing else is left in the folder.
    func testOutputsWhoseNamesAreNotUTF8AreWrittenByteForByte() throws {
        let dir = try BatchCLI.tempDir()
        let agreement = try Data(contentsOf: BatchCLI.agreements.appendingPathComponent("c001-hhs-style-complete.md"))
        FileManager.default.createFile(atPath: dir.appendingPathComponent("a.md").path, contents: agreement)
        let vendors = dir.appendingPathComponent("vendors/acme")
        try FileManager.default.createDirectory(at: vendors, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: vendors.appendingPathComponent("baa.md").path, contents: agreement)
        let out = make(dir, Array("out".utf8) + [0xFE], directory: true)
        var r = try runShell(#"exec "$0" review a.md -o "$(printf 'r\377.txt')""#, cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try runShell(#"exec "$0" batch vendors --no-cache --quiet --format json -o "$(printf 'out\376/b\377.json')""#, cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        func names(_ path: [UInt8]) -> [[UInt8]] {
            guard let d = opendir((path + [0]).map { CChar(bitPattern: $0) }) else { return [] }
            defer { closedir(d) }
            var found: [[UInt8]] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if name != [0x2E] && name != [0x2E, 0x2E] { found.append(name) }
            }
            return found.sorted { $0.lexicographicallyPrecedes($1) }
        }
        XCTAssertTrue(names(Array(dir.path.utf8)).contains(Array("r".utf8) + [0xFF] + Array(".txt".utf8)), "\(names(Array(dir.path.utf8)))")
        XCTAssertEqual(names(out), [Array("b".utf8) + [0xFF] + Array(".json".utf8)], "only the output, no temporary or spool left")
        let written = try XCTUnwrap(readRaw(out + [0x2F] + Array("b".utf8) + [0xFF] + Array(".json".utf8)))
        XCTAssertEqual(BatchCLI.counts(try BatchCLI.json(String(decoding: written, as: UTF8.self)))["reviewed"], 1)
    }

    func readRaw(_ path: [UInt8]) -> Data? {
        let fd = open((path + [0]).map { CChar(bitPattern: $0) }, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data(), buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return data
    }

    /// A file removed between the walk and its review: the errno's own words, not a permission problem.
    func testAFileRemovedMidBatchSaysNoSuchFile() throws {
        let dir = try BatchCLI.tempDir()
        let root = try BatchCLI.vendorFolder(in: dir)
        let walk = try FolderWalker().walk(root: root.path)
        let file = try XCTUnwrap(walk.files.first { $0.problem == nil })
        try FileManager.default.removeItem(atPath: file.path)
        let lib = try ClauseLibrary.load(directory: BatchCLI.root.appendingPathComponent("Clauses").path)
        let outcome = BatchRunner.review(file, reviewer: Reviewer(library: lib, playbook: Playbook()), loader: DocumentLoader(options: ExtractOptions()), cache: nil)
        guard case .failed(let e) = outcome else { return XCTFail("reviewed a file that is gone") }
        XCTAssertEqual(e.reason, "cannot read: No such file or directory (removed since the folder was listed)")
    }

    /// A clause pattern that hits a PCRE2 resource limit shows in the batch table, not only in the JSON.
    func testARuleResourceLimitShowsInTheBatchTable() throws {
        let dir = try BatchCLI.tempDir()
        let clauses = dir.appendingPathComponent("Clauses")
        try FileManager.default.copyItem(at: BatchCLI.root.appendingPathComponent("Clauses"), to: clauses)
        try FileManager.default.removeItem(at: clauses.appendingPathComponent("insurance.yaml"))
        try FileManager.default.copyItem(at: BatchCLI.root.appendingPathComponent("Tests/BAACLITests/Fixtures/catastrophic/insurance.yaml"),
                                         to: clauses.appendingPathComponent("insurance.yaml"))
        let vendor = dir.appendingPathComponent("vendors/unlucky")
        try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: true)
        let unlucky = (0..<20).map { _ in String(repeating: "a", count: 3000) + "!" }.joined(separator: "\n\n")
        try ("Business Associate shall protect PHI.\n\n" + unlucky + "\n").write(to: vendor.appendingPathComponent("u.txt"), atomically: true, encoding: .utf8)
        let r = try BatchCLI.run(["batch", dir.appendingPathComponent("vendors").path, "--no-cache", "--quiet", "--clauses", clauses.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        XCTAssertEqual(lines.count, 1, r.stdout)
        XCTAssertTrue(lines.first?.contains("u.txt: rule error:") == true && lines.first?.contains("insurance.catastrophic") == true
                      && lines.first?.contains("resource limit") == true, r.stdout)
    }
}
