import BAAClauses
import BAAExtract
import BAAReview
import BAAUtil
import Foundation
import PCRE2

/// What the runner reports while it works (the command draws the progress bar).
public struct BatchProgress: Sendable {
    public var done: Int
    public var total: Int
    public var cached: Int
    public var errors: Int
    public var elapsed: Double
    /// Files per second so far.
    public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
    /// Seconds left at the current rate.
    public var eta: Double? { rate > 0 ? Double(total - done) / rate : nil }
}

public struct BatchOptions: Sendable {
    public var root: String
    public var vendorDepth = 1
    public var include: [String] = []
    public var exclude: [String] = []
    public var includeHidden = false
    public var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var shard: Shard?
    /// nil: no cache.
    public var cacheDirectory: String?
    /// After a run that was not interrupted, cache entries unused for this many days are removed (nil: never).
    public var cacheMaxAgeDays: Double? = 90
    /// nil: no audit log.
    public var auditLog: String?
    /// Files the batch writes (output, ticket state): left out of the walk when they sit inside the folder.
    public var ownFiles: [String] = []
    public init(root: String) { self.root = root }
}

/// The outcome of one file.
public enum FileOutcome: Sendable {
    case reviewed(BatchDocument)
    case failed(BatchError)
}

/// Reviews a folder: walk, then `jobs` threads each with its own Reviewer (PCRE2 match state is per thread)
/// sharing the read-only clause library. Only reports are kept: a document's text is dropped as soon as
/// it is reviewed. A bad file ends as an error with a reason; the run never stops on one.
public final class BatchRunner {
    public let library: ClauseLibrary
    public let playbook: Playbook
    public let extraction: ExtractOptions
    public let options: BatchOptions

    public let matchLimits: MatchLimits

    public init(library: ClauseLibrary, playbook: Playbook, extraction: ExtractOptions, options: BatchOptions, matchLimits: MatchLimits = .default) {
        self.library = library; self.playbook = playbook; self.extraction = extraction; self.options = options
        self.matchLimits = matchLimits
    }

    /// Reviews one file on a watchdog thread under the --time-budget: a file still running a second past
    /// its budget is abandoned as an error naming what was done, and the worker goes on with a fresh Reviewer.
    static func reviewWithinBudget(_ file: BatchFile, reviewer: inout Reviewer, extraction: ExtractOptions, cache: ReportCache?,
                                   makeReviewer: () -> Reviewer) -> FileOutcome {
        var options = extraction
        let budget = options.timeBudgetSeconds.map { TimeBudget(seconds: $0) }
        options.budget = budget
        let loader = DocumentLoader(options: options)
        let r = reviewer
        switch Watchdog.run(budget: budget, { BatchRunner.review(file, reviewer: r, loader: loader, cache: cache) }) {
        case .finished(let outcome): return outcome
        case .abandoned(let over):
            reviewer = makeReviewer()
            return .failed(BatchError(path: file.path, relativePath: file.relativePath, vendor: file.vendor,
                                      reason: ExtractError(path: file.path, over).message))
        }
    }

    public var playbookSHA256: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return SHA256.hex([UInt8]((try? enc.encode(playbook)) ?? Data()))
    }

    public var extractionKey: String {
        "ocr=\(extraction.ocr) tracked=\(extraction.trackedChanges.rawValue) pages=\(extraction.maxPages) text=\(extraction.maxTextBytes) pw=\(extraction.password.map { SHA256.hex(Array($0.utf8)) } ?? "-")"
    }

    public func makeCache() -> ReportCache? {
        options.cacheDirectory.map {
            ReportCache(directory: $0, librarySHA256: library.spec.sha256, playbookSHA256: playbookSHA256,
                        toolVersion: "\(BAAVersion.current) \(BAAVersion.reviewRevision)", extraction: extractionKey)
        }
    }

    /// Reviews one file (thread-safe given a Reviewer per thread).
    public static func review(_ file: BatchFile, reviewer: Reviewer, loader: DocumentLoader, cache: ReportCache?) -> FileOutcome {
        func fail(_ reason: String) -> FileOutcome {
            .failed(BatchError(path: file.path, relativePath: file.relativePath, vendor: file.vendor, reason: reason))
        }
        if let p = file.problem { return fail(p) }
        var st = stat()
        if RawPath.statPath(file.path, &st) == 0, Int(st.st_size) > loader.options.maxFileBytes {
            return fail("file is \(st.st_size) bytes, over the \(loader.options.maxFileBytes)-byte limit (--max-file-size)")
        }
        let data: Data
        do { data = try RawPath.read(file.path, limit: loader.options.maxFileBytes) } catch {
            // The errno's own words: a file deleted since the walk is "No such file or directory", not a permission problem.
            let e = (error as? IOFailure)?.code ?? EIO
            return fail("cannot read: \(String(cString: strerror(e)))" + (e == ENOENT ? " (removed since the folder was listed)" : ""))
        }
        if data.count > loader.options.maxFileBytes {
            return fail("file grew past the \(loader.options.maxFileBytes)-byte limit while being read (--max-file-size)")
        }
        let sha = SHA256.hex(data)
        if let cache, let e = cache.load(fileSHA256: sha) {
            return .reviewed(BatchDocument(path: file.path, relativePath: file.relativePath, vendor: file.vendor, cached: true,
                                           dating: e.dating, report: e.report.relocated(to: file.path)))
        }
        let doc: Document
        do { doc = try loader.load(data: data, path: file.path, sha256: sha) } catch { return fail(error.message) }
        let report = reviewer.review(doc)
        let dating = DocumentDating.of(text: doc.text, path: file.path)
        cache?.store(fileSHA256: sha, dating: dating, report: report)
        return .reviewed(BatchDocument(path: file.path, relativePath: file.relativePath, vendor: file.vendor, cached: false,
                                       dating: dating, report: report))
    }

    /// Runs the batch. `shouldStop` is polled between files (Ctrl-C); `onProgress` and `onOutcome` are
    /// called on the calling thread, in completion order.
    /// `keepDocuments`: spool every document's report (JSON output needs them; the table does not).
    /// `redact`: excerpts are left out of what is spooled (the cache keeps them).
    public func run(keepDocuments: Bool = true, redact: Bool = false, spoolParent: String? = nil,
                    shouldStop: @escaping @Sendable () -> Bool = { false },
                    onProgress: (BatchProgress) -> Void = { _ in },
                    onOutcome: (FileOutcome) -> Void = { _ in }) throws -> SpooledBatch {
        let started = Date()
        let runID = BatchClock.runID()
        var walker = FolderWalker(vendorDepth: options.vendorDepth, include: options.include, exclude: options.exclude,
                                  includeHidden: options.includeHidden)
        walker.ownFiles = Set((options.ownFiles + [options.auditLog].compactMap { $0 }).map(FolderWalker.absolute))
        var walk = try walker.walk(root: options.root)
        if let shard = options.shard { walk.files = walk.files.filter { shard.contains(vendor: $0.vendor) } }
        let files = walk.files
        let tool = ToolInfo.make(name: "baa", version: BAAVersion.current, libraryVersion: library.spec.version, librarySHA256: library.spec.sha256)
        let audit = options.auditLog.map { AuditLog(path: $0, runID: runID) }
        var auditProblem: String?
        do { try audit?.append("run_start", [
            "user": .string(BatchClock.user()), "host": .string(ProcessInfo.processInfo.hostName),
            "root": .string(options.root), "tool": .string("baa"), "tool_version": .string(BAAVersion.current),
            "tool_sha256": .opt(BatchRunner.executableSHA256(cacheDirectory: options.cacheDirectory)),
            "clause_library_version": .string(library.spec.version), "clause_library_sha256": .string(library.spec.sha256),
            "playbook": .string(playbook.name), "playbook_sha256": .string(playbookSHA256),
            "shard": .opt(options.shard?.description), "files": .int(files.count),
            "arguments": .string(CommandLine.arguments.joined(separator: " ")),
        ]) } catch { throw AuditError(message: "\(error)") }

        // Extractors with global C state (libxml2) are initialised once, here, before any thread starts.
        let loader = DocumentLoader(options: extraction)
        _ = try? loader.load(data: Data("<html><body><p>warm up</p></body></html>".utf8), path: "warm-up.html")

        let cache = makeCache()
        let channel = Channel(files: files)
        let jobs = max(1, min(options.jobs, max(1, files.count)))
        let library = self.library, playbook = self.playbook, limits = matchLimits, extraction = self.extraction
        for _ in 0..<jobs {
            let t = Thread {
                let make = { Reviewer(library: library, playbook: playbook, limits: limits) }
                var reviewer = make()
                while !shouldStop(), let (i, file) = channel.next() {
                    let outcome = BatchRunner.reviewWithinBudget(file, reviewer: &reviewer, extraction: extraction, cache: cache, makeReviewer: make)
                    channel.put(i, outcome)
                }
                channel.workerDone()
            }
            t.stackSize = 16 << 20
            t.start()
        }

        // Vendors close as soon as their last file is done (workers take files in path order, so only a few
        // are open at once); their documents' reports are then dropped from memory. A vendor's files are
        // consecutive in the walk, so a vendor is a run of file indexes: what is kept per file is one Int32.
        var vendorOfFile = [Int32](), vendorFirstFile = [Int](), remaining = [Int32]()
        vendorOfFile.reserveCapacity(files.count)
        for (i, f) in files.enumerated() {
            if i == 0 || f.vendor != files[i - 1].vendor { vendorFirstFile.append(i); remaining.append(0) }
            vendorOfFile.append(Int32(vendorFirstFile.count - 1))
            remaining[remaining.count - 1] += 1
        }
        let spool = try Spool(parent: spoolParent)
        let view = VendorView(library: library, playbook: playbook)
        var openDocs: [Int32: [BatchDocument]] = [:]
        var openErrors: [Int32: [BatchError]] = [:]
        var vendors = 0
        var ruleWarnings: [RuleWarning] = []
        var ruleWarningsDropped = 0
        var counts = BatchCounts()
        counts.files = files.count
        counts.skipped = walk.skipped.count
        counts.excluded = walk.excluded
        func close(_ vendor: Int32) throws {
            let d = openDocs.removeValue(forKey: vendor) ?? [], e = openErrors.removeValue(forKey: vendor) ?? []
            if d.isEmpty && e.isEmpty { return }
            let first = files[vendorFirstFile[Int(vendor)]]
            var v = view.build(name: first.vendor, loose: first.loose, documents: d, errors: e)
            if redact { v = v.redacted() }
            try spool.add(vendor: v)
            vendors += 1
        }

        var progress = BatchProgress(done: 0, total: files.count, cached: 0, errors: 0, elapsed: 0)
        onProgress(progress)
        while let batch = channel.take(workers: jobs) {
            for (index, outcome) in batch {
                progress.done += 1
                let vendor = vendorOfFile[index]
                switch outcome {
                case .reviewed(let d):
                    counts.reviewed += 1
                    if d.cached { progress.cached += 1; counts.cached += 1 }
                    for w in d.report.document.warnings where w.hasPrefix("rule error:") {
                        if ruleWarnings.count < BatchRunner.maxRuleWarnings { ruleWarnings.append(RuleWarning(path: d.path, message: w)) } else { ruleWarningsDropped += 1 }
                    }
                    if let audit, auditProblem == nil {
                        do {
                            try audit.append("file", ["path": .string(d.path), "sha256": .string(d.report.document.sha256), "vendor": .string(d.vendor),
                                                      "status": .string("reviewed"), "risk": .string(d.report.risk.rawValue), "score": .int(d.report.score),
                                                      "findings": .int(d.report.findings.count), "cached": .bool(d.cached)])
                        } catch { auditProblem = "\(error)" }
                    }
                    if keepDocuments {
                        var kept = d
                        if redact { kept.report = kept.report.redacted() }
                        try spool.add(document: kept)
                    }
                    openDocs[vendor, default: []].append(d)
                case .failed(let e):
                    progress.errors += 1
                    counts.errors += 1
                    try spool.add(error: e, order: index)
                    openErrors[vendor, default: []].append(e)
                    if let audit, auditProblem == nil {
                        do {
                            try audit.append("file", ["path": .string(e.path), "sha256": .opt(BatchRunner.sha256(ofFile: e.path)), "vendor": .string(e.vendor),
                                                      "status": .string("error"), "reason": .string(e.reason)])
                        } catch { auditProblem = "\(error)" }
                    }
                }
                onOutcome(outcome)
                remaining[Int(vendor)] -= 1
                if remaining[Int(vendor)] == 0 { try close(vendor) }
            }
            progress.elapsed = Date().timeIntervalSince(started)
            onProgress(progress)
        }
        // Interrupted: vendors with files not reached are shown with what was reviewed.
        for v in remaining.indices where remaining[v] > 0 { try close(Int32(v)) }
        counts.notReached = files.count - progress.done
        cache?.sync()  // the last group of cache entries made durable, before the run's end is logged
        counts.vendors = vendors
        let finished = Date()
        let interrupted = counts.notReached > 0
        if let audit, auditProblem == nil {
            do {
                try audit.append("run_end", ["files": .int(counts.files), "reviewed": .int(counts.reviewed), "errors": .int(counts.errors),
                                             "cached": .int(counts.cached), "not_reached": .int(counts.notReached), "interrupted": .bool(interrupted),
                                             "vendors": .int(counts.vendors), "seconds": .double(finished.timeIntervalSince(started))])
            } catch { auditProblem = "\(error)" }
        }
        if let auditProblem { throw AuditError(message: auditProblem) }
        var pruned = 0
        if !interrupted, let dir = options.cacheDirectory, let days = options.cacheMaxAgeDays {
            pruned = ReportCache.prune(directory: dir, maxAge: days * 86_400)
        }
        let info = BatchInfo(runID: runID, root: options.root, started: BatchClock.iso(started), finished: BatchClock.iso(finished),
                             seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, user: BatchClock.user(), tool: tool,
                             playbook: playbook.name, playbookSHA256: playbookSHA256, shard: options.shard?.description,
                             vendorDepth: options.vendorDepth, interrupted: interrupted, counts: counts)
        let batch = SpooledBatch(info: info, skipped: walk.skipped, spool: spool, hasDocuments: keepDocuments)
        batch.cacheEntriesPruned = pruned
        batch.ruleWarnings = ruleWarnings.sorted { $0.path < $1.path }
        batch.ruleWarningsDropped = ruleWarningsDropped
        if let cache, cache.rejected.count > 0 { batch.cacheEntriesRejected = (cache.rejected.count, cache.rejected.first ?? "") }
        return batch
    }

    /// Rule warnings kept for the table (memory stays bounded on a huge folder; the rest are counted).
    public static let maxRuleWarnings = 1_000

    /// The SHA-256 of the running executable (for the audit log), nil if it cannot be read.
    /// Remembered in the cache folder by the executable's path, size and modification time (hashing a debug
    /// build's 16 MB takes seconds).
    static func executableSHA256(cacheDirectory: String?) -> String? {
        var path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if !FileManager.default.fileExists(atPath: path) {
            guard let arg = CommandLine.arguments.first else { return nil }
            path = URL(fileURLWithPath: arg).resolvingSymlinksInPath().path
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let id = SHA256.hex(Array("\(path)\u{1F}\(st.st_size)\u{1F}\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)".utf8))
        let memo = cacheDirectory.map { "\($0)/tool-\(id.prefix(32)).sha256" }
        if let memo, let text = try? String(contentsOfFile: memo, encoding: .utf8), text.count == 64 { return text }
        guard let hash = sha256(ofFile: path) else { return nil }
        if let memo, let dir = cacheDirectory {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? AtomicFile.write(hash, to: memo)
        }
        return hash
    }

    static func sha256(ofFile path: String) -> String? {
        var st = stat()
        guard RawPath.statPath(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return SHA256.hex(ofFileAt: path)
    }
}

public struct AuditError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "audit log: \(message)" }
}

/// Work queue and result channel between the workers and the collecting thread.
final class Channel: @unchecked Sendable {
    private let cond = NSCondition()
    private let files: [BatchFile]
    private var nextIndex = 0
    private var pending: [(Int, FileOutcome)] = []
    private var finishedWorkers = 0

    init(files: [BatchFile]) { self.files = files }

    func next() -> (Int, BatchFile)? {
        cond.lock(); defer { cond.unlock() }
        guard nextIndex < files.count else { return nil }
        defer { nextIndex += 1 }
        return (nextIndex, files[nextIndex])
    }

    /// Workers wait while this many outcomes are not yet taken, so a slow consumer bounds memory.
    let limit = 64

    func put(_ i: Int, _ o: FileOutcome) {
        cond.lock()
        while pending.count >= limit { cond.wait() }
        pending.append((i, o))
        cond.broadcast()
        cond.unlock()
    }

    func workerDone() {
        cond.lock(); finishedWorkers += 1; cond.broadcast(); cond.unlock()
    }

    /// The outcomes that arrived (waking at least every quarter second so the ETA stays fresh); nil when all workers are done.
    func take(workers: Int) -> [(Int, FileOutcome)]? {
        cond.lock(); defer { cond.unlock() }
        while pending.isEmpty && finishedWorkers < workers {
            _ = cond.wait(until: Date().addingTimeInterval(0.25))
            if pending.isEmpty && finishedWorkers < workers { return [] }
        }
        if pending.isEmpty { return nil }
        defer { pending.removeAll(); cond.broadcast() }
        return pending
    }
}
