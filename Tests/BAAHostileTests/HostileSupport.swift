import BAATestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `baa` as a child process with posix_spawn and wait4, so each run's own peak memory
/// (ru_maxrss) is known, and a run that hangs is killed and reported instead of hanging the suite.
enum Hostile {
    static let root = BAATestBinary.root
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The agreement every "good file" check reviews.
    static let goodAgreement = root.appendingPathComponent("Tests/BAACLITests/Fixtures/complete-baa.md")
    /// The peak resident memory any run may reach on a hostile file.
    static let peakLimitKB = 300 * 1024

    static var binary: String { BAATestBinary.path }

    struct Run {
        var status: Int32
        /// The signal that ended the child, or 0.
        var signal: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// Peak resident set of the child, in KiB (Linux ru_maxrss).
        var peakKB: Int
        var timedOut: Bool
        /// This test process's own peak (ru_maxrss) when the child was spawned. Linux copies a vfork parent's
        /// high-water mark into the child at exec, so `peakKB` is never below it: a peak at this floor only says
        /// the child stayed under it (in-process suites such as OCR raise it when they happen to run first).
        var floorKB = 0
    }

    /// Runs `baa args...` in `cwd`; kills it after `timeout` seconds (or at `killAfter`, to simulate a crash).
    static func run(_ args: [String], cwd: URL? = nil, timeout: Double = 60, killAfter: Double? = nil,
                    env: [String: String] = [:]) throws -> Run {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let environment = BAATestBinary.environment(setting: ["COLUMNS": "100", "OMP_THREAD_LIMIT": "1"].merging(env) { $1 })
        // posix_spawn_file_actions_addchdir_np does not import: the shell changes folder and execs baa
        // (same process, so wait4's usage is baa's).
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", (cwd ?? root).path, binary] + args
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }

        var own = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard rc == 0 else { throw NSError(domain: "posix_spawn", code: Int(rc)) }

        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        var killed = false
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            let elapsed = Date().timeIntervalSince(start)
            if let killAfter, !killed, elapsed >= killAfter {
                kill(pid, SIGKILL); killed = true
            } else if elapsed >= timeout, !killed {
                kill(pid, SIGKILL); killed = true; timedOut = true
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(start)
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7F
        let exitCode = signal == 0 ? (status >> 8) & 0xFF : -1
        return Run(status: exitCode, signal: signal,
                   stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                   stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
                   seconds: seconds, peakKB: Int(usage.ru_maxrss), timedOut: timedOut, floorKB: Int(own.ru_maxrss))
    }

    static func tempDir() throws -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("baa-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// One entry of the manifest tools/make-hostile writes.
    struct Entry: Decodable {
        var file: String
        var expect: String
        var says: [String]
        var note: String
    }

    /// The hostile files, made once per test process by the committed script into a temporary folder.
    static let made: Result<(URL, [Entry]), Error> = Result(catching: {
        let dir = try tempDir().appendingPathComponent("hostile")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", root.appendingPathComponent("tools/make-hostile").path, dir.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "tools/make-hostile exited \(p.terminationStatus) (needs python3)", code: 1)
        }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        return (dir, entries)
    })

    /// The path as baa prints it in a one-line error (control characters escaped).
    static func displayPath(_ path: String) -> String {
        path.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func mb(_ kb: Int) -> String { String(format: "%.1f MB", Double(kb) / 1024) }
}
