import BAATestSupport
import BAAUtil
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15: faults of the machine rather than of the input. A full disk (a 2 MB tmpfs, /dev/full), a closed
/// pipe, a read-only target, SIGTERM / SIGHUP / SIGKILL mid-batch, a torn audit log. Each must end as one line
/// naming the path and the errno's own words, exit 2, with nothing half-written and nothing left behind.
final class FaultTests: XCTestCase {
    // MARK: helpers

    /// Runs the binary with stdout sent to `stdoutPath` (e.g. /dev/full) or to a pipe closed before it writes.
    func runRaw(_ args: [String], stdoutTo stdoutPath: String? = nil, closedPipe: Bool = false, env: [String: String] = [:]) throws -> BatchCLI.Result {
        guard FileManager.default.isExecutableFile(atPath: BatchCLI.binary) else { throw XCTSkip("baa is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: BatchCLI.binary)
        p.arguments = args
        p.environment = BAATestBinary.environment(setting: ["NO_COLOR": "1"].merging(env) { $1 })
        p.currentDirectoryURL = BatchCLI.root
        let err = Pipe()
        p.standardError = err
        var pipe: Pipe?
        if let stdoutPath {
            guard let h = FileHandle(forWritingAtPath: stdoutPath) else { throw XCTSkip("cannot open \(stdoutPath)") }
            p.standardOutput = h
        } else if closedPipe {
            pipe = Pipe()
            p.standardOutput = pipe
        }
        try p.run()
        if let pipe { try pipe.fileHandleForReading.close() }
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return BatchCLI.Result(status: p.terminationStatus, stdout: "", stderr: String(decoding: e, as: UTF8.self))
    }

    /// A tmpfs of `size` at a fresh folder (root only: skipped with a message otherwise); unmounted at teardown.
    func tmpfs(_ size: String, options extra: String = "") throws -> URL {
        let dir = try BatchCLI.tempDir().appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)" + (extra.isEmpty ? "" : ",\(extra)"), "tmpfs", dir.path]
        mount.standardError = FileHandle.nullDevice
        do { try mount.run() } catch { throw XCTSkip("cannot run mount: \(error)") }
        mount.waitUntilExit()
        if mount.terminationStatus != 0 { throw XCTSkip("cannot mount a tmpfs (needs root): the disk-full tests are skipped") }
        addTeardownBlock {
            let u = Process()
            u.executableURL = URL(fileURLWithPath: "/bin/umount")
            u.arguments = ["-l", dir.path]
            try? u.run()
            u.waitUntilExit()
        }
        return dir
    }

    /// Fills the file system holding `dir` with a file `fill`, then frees `leave` bytes of it.
    func fill(_ dir: URL, leave: Int = 0) throws {
        let path = dir.appendingPathComponent("fill").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let chunk = [UInt8](repeating: 0x41, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        if leave > 0 { ftruncate(fd, off_t(max(0, total - leave))) }
        close(fd)
    }

    /// Names in a folder other than the ones expected.
    func leftovers(_ dir: URL, except: Set<String>) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !except.contains($0) }.sorted()
    }

    func errorLines(_ stderr: String) -> [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("baa: error:") } }

    let sample = "Corpus/agreements/c001-hhs-style-complete.md"

    // MARK: 1. disk full, closed pipes, read-only targets

    /// Standard output on a full disk (/dev/full): review, extract, batch (each format).
    func testStandardOutputOnAFullDiskIsOneLineExit2() throws {
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let runs: [[String]] = [
            ["review", sample], ["review", "--format", "json", sample], ["extract", sample], ["explain", "breach_notification"],
            ["batch", vendors.path, "--no-cache", "--quiet"], ["batch", vendors.path, "--no-cache", "--quiet", "--format", "jsonl"],
            ["batch", vendors.path, "--no-cache", "--quiet", "--format", "json"],
        ]
        for args in runs {
            let r = try runRaw(args, stdoutTo: "/dev/full", env: ["TMPDIR": dir.path])
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(errorLines(r.stderr), ["baa: error: standard output: cannot write: No space left on device"], "\(args)")
        }
        XCTAssertEqual(leftovers(dir, except: ["vendors"]), [], "the batch spool in TMPDIR was removed")
    }

    /// `--output` on a 2 MB tmpfs that is full: exit 2, one line naming a path on it and ENOSPC's words, nothing
    /// left but the file that filled it; a previous report there stays whole.
    func testOutputOnAFullDiskIsOneLineExit2AndNothingLeftBehind() throws {
        let mnt = try tmpfs("2m")
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let old = Data("the previous report\n".utf8)
        try old.write(to: mnt.appendingPathComponent("report.txt"))
        for leave in [0, 64 << 10] {
            try fill(mnt, leave: leave)
            let runs: [[String]] = [
                ["batch", vendors.path, "--no-cache", "--quiet", "--format", "json", "--output", mnt.appendingPathComponent("x.json").path],
                ["batch", vendors.path, "--no-cache", "--quiet", "--format", "jsonl", "--output", mnt.appendingPathComponent("x.jsonl").path],
                ["review", "--format", "json", sample, "Corpus/agreements/c002-health-system-longform.md", "--output", mnt.appendingPathComponent("report.txt").path],
            ]
            for args in runs {
                let r = try BatchCLI.run(args)
                if leave > 0 && args[0] == "review" { continue }  // a small report may fit in what was left
                XCTAssertEqual(r.status, 2, "\(args) leaving \(leave): \(r.stderr)")
                let lines = errorLines(r.stderr)
                XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
                XCTAssertTrue(lines.first?.contains(mnt.path) == true && lines.first?.hasSuffix(": cannot write: No space left on device") == true,
                              "\(args): \(r.stderr)")
                XCTAssertEqual(leftovers(mnt, except: ["fill", "report.txt"]), [], "\(args) leaving \(leave)")
            }
            if leave == 0 { XCTAssertEqual(try Data(contentsOf: mnt.appendingPathComponent("report.txt")), old, "the previous report stays whole") }
        }
    }

    /// A read-only target: the errno's words ("Read-only file system"), exit 2.
    func testReadOnlyTargetIsOneLineExit2() throws {
        let mnt = try tmpfs("1m", options: "ro")
        for args in [["review", sample, "--output", mnt.appendingPathComponent("r.txt").path],
                     ["batch", "Corpus/vendors", "--no-cache", "--quiet", "--output", mnt.appendingPathComponent("t.txt").path]] {
            let r = try BatchCLI.run(args)
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertEqual(errorLines(r.stderr).count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(mnt.path)/") && r.stderr.contains("Read-only file system"), r.stderr)
        }
    }

    /// A closed pipe (the reader went away): SIGPIPE is not fatal, the write fails with EPIPE, one line, exit 2.
    func testClosedPipeIsOneLineExit2() throws {
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        for args in [["extract", sample], ["review", sample], ["batch", vendors.path, "--no-cache", "--quiet", "--format", "jsonl"]] {
            let r = try runRaw(args, closedPipe: true, env: ["TMPDIR": dir.path])
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(errorLines(r.stderr), ["baa: error: standard output: cannot write: Broken pipe"], "\(args)")
        }
        XCTAssertEqual(leftovers(dir, except: ["vendors"]), [])
    }

    /// No `try!` on an I/O path: the only `try!` in Sources/ are the static pattern compilations and the
    /// literal-object decoding listed here (a failure there is a programming error caught by every test run); no
    /// `baseAddress!` in the files that do I/O (an empty buffer has none).
    func testNoTryBangOrForceUnwrapOnIOPaths() throws {
        let allowed: [(file: String, contains: String)] = [
            ("Sources/BAAReview/Scorer.swift", "static let"),               // static NSRegularExpression / Regex patterns
            ("Sources/BAAReview/Segmenter.swift", "static let"),
            ("Sources/BAAReview/Reviewer.swift", "static let"),
            ("Sources/BAABatch/DocumentDater.swift", "static let"),
            ("Sources/BAAExtract/Normalizer.swift", "static let"),       // static PCRE2 patterns (one regex engine)
            ("Sources/BAAReview/Evaluation.swift", "static let"),
            ("Sources/baa/BenchCommand.swift", "static let"),
            ("Sources/BAAReview/PartyRoles.swift", "try! Regex(\"(?!)\")"),  // the never-matching fallback pattern
            ("Sources/BAABatch/ReviewTypes+Init.swift", "try! JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))"),
        ]
        let ioFiles = ["Sources/BAAUtil/AtomicFile.swift", "Sources/BAAUtil/SafeIO.swift", "Sources/BAABatch/BatchSource.swift",
                       "Sources/BAABatch/AuditLog.swift", "Sources/BAABatch/ReportCache.swift", "Sources/BAABatch/Walker.swift",
                       "Sources/BAABatch/BatchRunner.swift", "Sources/BAABatch/Tickets.swift", "Sources/baa/BatchCommand.swift",
                       "Sources/baa/BAACommand.swift", "Sources/baa/ReviewCommand.swift", "Sources/baa/MergeCommand.swift"]
        var problems: [String] = []
        let root = BatchCLI.root
        let e = FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)
        while let rel = e?.nextObject() as? String {
            guard rel.hasSuffix(".swift") else { continue }
            let file = "Sources/" + rel
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.components(separatedBy: "//").first ?? ""
                if code.contains("try!"), !allowed.contains(where: { $0.file == file && line.contains($0.contains) }) {
                    problems.append("\(file):\(i + 1): try! outside the allowed list: \(line.trimmingCharacters(in: .whitespaces))")
                }
                if ioFiles.contains(file), code.contains("baseAddress!") || code.contains("FileHandle.standardOutput.write(") ||
                    code.contains("FileHandle.standardError.write(") || code.contains("handle.write(") || code.contains("Handle.write(buffer") {
                    problems.append("\(file):\(i + 1): unchecked write or force-unwrap on an I/O path: \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }

    // MARK: 2. signals

    func bigVendorFolder(_ dir: URL, vendors: Int = 40) throws -> URL {
        let root = dir.appendingPathComponent("in")
        let names = try FileManager.default.contentsOfDirectory(atPath: BatchCLI.agreements.path).filter { $0.hasSuffix(".md") }.sorted()
        for i in 0..<vendors {
            let d = root.appendingPathComponent("v\(i)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: BatchCLI.agreements.appendingPathComponent(names[i % names.count]), to: d.appendingPathComponent("a.md"))
        }
        return root
    }

    /// SIGTERM and SIGHUP mid-batch: the run stops taking files, writes what is complete, removes its spool and
    /// temporary output, and ends with 128 + the signal; a second signal ends it at once, also clean. SIGKILL cannot
    /// be handled: its temporaries (hidden, 0600) are swept by the next run.
    func testSignalsMidBatchLeaveNothingBehind() throws {
        let dir = try BatchCLI.tempDir()
        let input = try bigVendorFolder(dir)
        let out = dir.appendingPathComponent("out")
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        for (sig, twice) in [(SIGTERM, false), (SIGHUP, false), (SIGTERM, true)] {
            for toStdout in [false, true] {
                var args = ["batch", input.path, "--no-cache", "--quiet", "--jobs", "1", "--format", "json"]
                if !toStdout { args += ["--output", out.appendingPathComponent("r.json").path] }
                let (p, wait) = try BatchCLI.start(args, env: ["TMPDIR": tmp.path])
                // Wait until the spool exists (the run is mid-batch), then signal.
                let spoolDir = toStdout ? tmp : out
                let deadline = Date().addingTimeInterval(20)
                while Date() < deadline, !leftovers(spoolDir, except: ["r.json"]).contains(where: { $0.hasPrefix(".baa-batch-spool-") }) { usleep(20_000) }
                usleep(300_000)
                kill(p.processIdentifier, sig)
                if twice { usleep(50_000); kill(p.processIdentifier, sig) }
                let r = wait()
                XCTAssertTrue(r.status == 128 + sig || (twice && p.terminationReason == .uncaughtSignal),
                              "signal \(sig) twice \(twice): status \(r.status) \(r.stderr)")
                XCTAssertEqual(leftovers(out, except: ["r.json"]), [], "signal \(sig) twice \(twice) stdout \(toStdout)")
                XCTAssertEqual(leftovers(tmp, except: []), [], "signal \(sig) twice \(twice) stdout \(toStdout)")
                if !twice && !toStdout {
                    let report = try BatchCLI.json(String(decoding: try Data(contentsOf: out.appendingPathComponent("r.json")), as: UTF8.self))
                    XCTAssertEqual((report["batch"] as? [String: Any])?["interrupted"] as? Bool, true)
                }
            }
        }
        // SIGKILL: the temporaries stay (hidden, 0600) until the next run sweeps them.
        let (p, wait) = try BatchCLI.start(["batch", input.path, "--no-cache", "--quiet", "--jobs", "1", "--format", "json",
                                            "--output", out.appendingPathComponent("r.json").path])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !leftovers(out, except: ["r.json"]).contains(where: { $0.hasPrefix(".baa-batch-spool-") }) { usleep(20_000) }
        kill(p.processIdentifier, SIGKILL)
        _ = wait()
        let left = leftovers(out, except: ["r.json"])
        XCTAssertFalse(left.isEmpty)
        for name in left {
            var st = stat()
            XCTAssertEqual(lstat(out.appendingPathComponent(name).path, &st), 0)
            XCTAssertEqual(st.st_mode & 0o077, 0, "\(name) is private to its owner")
        }
        let r = try BatchCLI.run(["batch", "Corpus/vendors", "--no-cache", "--quiet", "--output", out.appendingPathComponent("t.txt").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(leftovers(out, except: ["r.json", "t.txt"]), [], "the next run swept the killed run's temporaries")
    }

    // MARK: 3. the audit log

    /// A torn last line (a crash, a full disk) is cut back before the next line is appended, so every line is a whole
    /// record; on a full disk the run fails naming the log and "No space left on device", and the log keeps whole
    /// lines only.
    func testAuditLogStaysWholeLinesOnAFullDisk() throws {
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        // A torn tail, repaired before appending.
        let log = dir.appendingPathComponent("audit.log")
        try Data("{\"event\":\"run_start\",\"run_id\":\"x\"}\n{\"event\":\"file\",\"pa".utf8).write(to: log)
        var r = try BatchCLI.run(["batch", vendors.path, "--no-cache", "--quiet", "--audit-log", log.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        var lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, "")
        for line in lines.dropLast() { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), String(line)) }
        XCTAssertTrue(lines[1].contains("\"run_start\""), "the new run starts on its own line")

        // A full disk part-way through the run.
        let mnt = try tmpfs("2m")
        let full = mnt.appendingPathComponent("audit.log")
        try FileManager.default.copyItem(at: log, to: full)
        try fill(mnt)
        var failedOnce = false
        for _ in 0..<4 {
            r = try BatchCLI.run(["batch", vendors.path, "--no-cache", "--quiet", "--audit-log", full.path])
            lines = try String(contentsOf: full, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.last, "", "the log ends with a whole line")
            for line in lines.dropLast() { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), String(line)) }
            if r.status != 0 {
                failedOnce = true
                XCTAssertEqual(r.status, 2, r.stderr)
                XCTAssertEqual(errorLines(r.stderr), ["baa: error: audit log: \(full.path): cannot write: No space left on device"], r.stderr)
                break
            }
        }
        XCTAssertTrue(failedOnce, "the disk filled up")
        XCTAssertEqual(leftovers(mnt, except: ["fill", "audit.log"]), [])
    }
}

/// Issue 15 item 4: the cache serves only entries it wrote.
final class CacheIntegrityTests: XCTestCase {
    func testAnEditedCacheEntryIsAMissReportedOnceAndReviewedAgain() throws {
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let cache = dir.appendingPathComponent("cache")
        let args = ["batch", vendors.path, "--format", "json", "--quiet", "--cache", cache.path]
        let first = try BatchCLI.run(args)
        XCTAssertEqual(first.status, 0, first.stderr)
        let total = try XCTUnwrap(BatchCLI.counts(try BatchCLI.json(first.stdout))["reviewed"])
        var st = stat()
        XCTAssertEqual(stat(cache.appendingPathComponent("secret").path, &st), 0)
        XCTAssertEqual(st.st_mode & 0o077, 0, "the cache secret is private")

        // Edit one entry: score 100, no findings (the JSON still parses, the key still matches).
        var entries: [URL] = []
        for sub in try FileManager.default.contentsOfDirectory(atPath: cache.path) where sub.count == 2 {
            for name in try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent(sub).path) where name.hasSuffix(".json") {
                entries.append(cache.appendingPathComponent(sub).appendingPathComponent(name))
            }
        }
        XCTAssertEqual(entries.count, total)
        let victim = try XCTUnwrap(entries.sorted { $0.path < $1.path }.first)
        let raw = try Data(contentsOf: victim)
        let nl = try XCTUnwrap(raw.firstIndex(of: 0x0A))
        XCTAssertTrue(String(decoding: raw[..<nl], as: UTF8.self).hasPrefix("baa-cache-v2 "))
        var entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: raw[(nl + 1)...]) as? [String: Any])
        var report = try XCTUnwrap(entry["report"] as? [String: Any])
        let originalScore = try XCTUnwrap(report["score"] as? Int)
        report["score"] = 100
        report["risk"] = "low"
        report["findings"] = [Any]()
        entry["report"] = report
        try (raw[...nl] + JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys])).write(to: victim)
        let sha = try XCTUnwrap(((entry["report"] as? [String: Any])?["document"] as? [String: Any])?["sha256"] as? String)

        let second = try BatchCLI.run(args)
        XCTAssertEqual(second.status, 0, second.stderr)
        let warnings = second.stderr.split(separator: "\n").filter { $0.contains("integrity check") }
        XCTAssertEqual(warnings.count, 1, second.stderr)
        XCTAssertTrue(warnings.first?.contains("1 cache entry failed the integrity check") == true, second.stderr)
        let json = try BatchCLI.json(second.stdout)
        XCTAssertEqual(BatchCLI.counts(json)["cached"], total - 1, "the edited entry was not served")
        let docs = json["documents"] as? [[String: Any]] ?? []
        let recomputed = try XCTUnwrap(docs.first { (($0["report"] as? [String: Any])?["document"] as? [String: Any])?["sha256"] as? String == sha })
        XCTAssertEqual((recomputed["report"] as? [String: Any])?["score"] as? Int, originalScore, "the review was computed again")
        XCTAssertEqual(recomputed["cached"] as? Bool, false)

        // The entry was rewritten: the next run serves everything from the cache, with no warning.
        let third = try BatchCLI.run(args)
        XCTAssertEqual(BatchCLI.counts(try BatchCLI.json(third.stdout))["cached"], total)
        XCTAssertFalse(third.stderr.contains("integrity"), third.stderr)
    }
}

/// Issue 15: the audit log is tamper-evident; `baa audit verify` says where the chain breaks.
final class AuditChainTests: XCTestCase {
    func testVerifyDetectsAnEditedRemovedOrReorderedRecord() throws {
        let dir = try BatchCLI.tempDir()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let log = dir.appendingPathComponent("audit.jsonl")
        for _ in 0..<2 { XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--no-cache", "--quiet", "--audit-log", log.path]).status, 0) }
        let ok = try BatchCLI.run(["audit", "verify", log.path])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertEqual(ok.stdout, "\(log.path): 20 records, chain intact\n")
        let original = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertTrue(original[0].contains("\"prev_sha256\":null"), original[0])

        func check(_ lines: [String], _ expected: String, _ what: String) throws {
            let bad = dir.appendingPathComponent("bad.jsonl")
            try (lines.joined(separator: "\n") + "\n").write(to: bad, atomically: true, encoding: .utf8)
            let r = try BatchCLI.run(["audit", "verify", bad.path])
            XCTAssertEqual(r.status, 1, "\(what): \(r.stdout)")
            XCTAssertTrue(r.stdout.hasPrefix("\(bad.path):\(expected): prev_sha256 does not match"), "\(what): \(r.stdout)")
        }
        var edited = original
        edited[2] = edited[2].replacingOccurrences(of: "\"reviewed\"", with: "\"reviewed\" ").replacingOccurrences(of: "\"score\":", with: "\"score\":1")
        XCTAssertNotEqual(edited[2], original[2])
        try check(edited, "4", "an edited record")
        var removed = original
        removed.remove(at: 4)
        try check(removed, "5", "a removed record")
        var reordered = original
        reordered.swapAt(5, 6)
        try check(reordered, "6", "two records swapped")
        // A torn tail is repaired by the next run, and the chain holds across it.
        try (original.joined(separator: "\n") + "\n{\"event\":\"fi").write(to: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--no-cache", "--quiet", "--audit-log", log.path]).status, 0)
        XCTAssertEqual(try BatchCLI.run(["audit", "verify", log.path]).status, 0)
    }
}
