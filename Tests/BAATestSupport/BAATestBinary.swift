import Foundation

/// What the suites that run the built `baa` share: the package root, where the binary is, the environment it runs
/// in, and reading a child's output without blocking on a full pipe. Each suite keeps its own way of running it
/// (a plain Process; one the test can interrupt; posix_spawn with wait4 for the child's peak memory).
public enum BAATestBinary {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary: the debug build, else the release build.
    public static var path: String {
        for config in ["debug", "release"] {
            let p = root.appendingPathComponent(".build/\(config)/baa").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root.appendingPathComponent(".build/debug/baa").path
    }

    /// This process's environment with the repository's Clauses/ and no authoring-time allowance for missing
    /// elements; then `removing` taken out and `setting` put on top.
    public static func environment(setting: [String: String], removing: [String] = []) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["BAA_CLAUSES"] = root.appendingPathComponent("Clauses").path
        environment.removeValue(forKey: "BAA_ALLOW_MISSING_ELEMENTS")
        for k in removing { environment.removeValue(forKey: k) }
        for (k, v) in setting { environment[k] = v }
        return environment
    }

    /// Starts reading both pipes at once (a child that fills one while the other is read would block); the
    /// returned closure waits for both and gives their text.
    public static func collect(_ out: Pipe, _ err: Pipe) -> () -> (stdout: String, stderr: String) {
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        return {
            group.wait()
            return (String(decoding: outBox.data, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
        }
    }
}
