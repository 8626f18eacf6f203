import BAATestSupport
import Foundation
import XCTest

/// Runs the built `baa` binary as a user would.
enum CLI {
    static let root = BAATestBinary.root
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var binary: String { BAATestBinary.path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = BAATestBinary.environment(setting: ["COLUMNS": "100"].merging(env) { $1 })
        p.currentDirectoryURL = cwd ?? root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let start = Date()
        try p.run()
        let (stdout, stderr) = BAATestBinary.collect(out, err)()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: stdout, stderr: stderr, seconds: Date().timeIntervalSince(start))
    }

    static func tempDir() throws -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("baa-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
