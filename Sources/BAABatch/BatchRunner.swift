import BAAClauses
import BAAExtract
import BAAReview
import BAAUtil
import Foundation

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
    /// nil: no audit log.
    public var auditLog: String?
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

    public init(library: ClauseLibrary, playbook: Playbook, extraction: ExtractOptions, options: BatchOptions) {
        self.library = library; self.playbook = playbook; self.extraction = extraction; self.options = options
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
                        toolVersion: BAAVersion.current, extraction: extractionKey)
        }
    }

    /// Reviews one file (thread-safe given a Reviewer per thread).
    public static func review(_ file: BatchFile, reviewer: Reviewer, loader: DocumentLoader, cache: ReportCache?) -> FileOutcome {
        func fail(_ reason: String) -> FileOutcome {
            .failed(BatchError(path: file.path, relativePath: file.relativePath, vendor: file.vendor, reason: reason))
        }
        if let p = file.problem { return fail(p) }
        var st = stat()
        if stat(file.path, &st) == 0, Int(st.st_size) > loader.options.maxFileBytes {
            return fail("file is \(st.st_size) bytes, over the \(loader.options.maxFileBytes)-byte limit (--max-file-size)")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file.path)) } catch {
            return fail("cannot read: \((error as NSError).localizedDescription)")
        }
        let sha = SHA256.hex([UInt8](data))
        if let cache, let e = cache.load(fileSHA256: sha) {
            return .reviewed(BatchDocument(path: file.path, relativePath: file.relativePath, vendor: file.vendor, cached: true,
                                           dating: e.dating, report: e.report.relocated(to: file.path)))
        }
        let doc: Document
        do { doc = try loader.load(data: data, path: file.path) } catch { return fail(error.message) }
        let report = reviewer.review(doc)
        let dating = DocumentDating.of(text: doc.text, path: file.path)
        cache?.store(fileSHA256: sha, dating: dating, report: report)
        return .reviewed(BatchDocument(path: file.path, relativePath: file.relativePath, vendor: file.vendor, cached: false,
                                       dating: dating, report: report))
    }

    /// Runs the batch. `shouldStop` is polled between files (Ctrl-C); `onProgress` and `onOutcome` are
    /// called on the calling thread, in completion order.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false },
                    onProgress: (BatchProgress) -> Void = { _ in },
                    onOutcome: (FileOutcome) -> Void = { _ in }) throws -> BatchReport {
        let started = Date()
        let runID = BatchClock.runID()
        let walker = FolderWalker(vendorDepth: options.vendorDepth, include: options.include, exclude: options.exclude,
                                  includeHidden: options.includeHidden)
        var walk = try walker.walk(root: options.root)
        if let shard = options.shard { walk.files = walk.files.filter { shard.contains(vendor: $0.vendor) } }
        let files = walk.files
        let tool = ToolInfo.make(name: "baa", version: BAAVersion.current, libraryVersion: library.spec.version, librarySHA256: library.spec.sha256)
        let audit = options.auditLog.map { AuditLog(path: $0, runID: runID) }
        var auditProblem: String?
        try audit?.append("run_start", [
            "user": .string(BatchClock.user()), "host": .string(ProcessInfo.processInfo.hostName),
            "root": .string(options.root), "tool": .string("baa"), "tool_version": .string(BAAVersion.current),
            "clause_library_version": .string(library.spec.version), "clause_library_sha256": .string(library.spec.sha256),
            "playbook": .string(playbook.name), "playbook_sha256": .string(playbookSHA256),
            "shard": .opt(options.shard?.description), "files": .int(files.count),
            "arguments": .string(CommandLine.arguments.joined(separator: " ")),
        ])

        // Extractors with global C state (libxml2) are initialised once, here, before any thread starts.
        let loader = DocumentLoader(options: extraction)
        _ = try? loader.load(data: Data("<html><body><p>warm up</p></body></html>".utf8), path: "warm-up.html")

        let cache = makeCache()
        let channel = Channel(files: files)
        let jobs = max(1, min(options.jobs, max(1, files.count)))
        let library = self.library, playbook = self.playbook
        for _ in 0..<jobs {
            let t = Thread {
                let reviewer = Reviewer(library: library, playbook: playbook)
                while !shouldStop(), let (i, file) = channel.next() {
                    let outcome = BatchRunner.review(file, reviewer: reviewer, loader: loader, cache: cache)
                    channel.put(i, outcome)
                }
                channel.workerDone()
            }
            t.stackSize = 16 << 20
            t.start()
        }

        var outcomes = [FileOutcome?](repeating: nil, count: files.count)
        var progress = BatchProgress(done: 0, total: files.count, cached: 0, errors: 0, elapsed: 0)
        onProgress(progress)
        while let batch = channel.take(workers: jobs) {
            for (i, outcome) in batch {
                outcomes[i] = outcome
                progress.done += 1
                switch outcome {
                case .reviewed(let d):
                    if d.cached { progress.cached += 1 }
                    if let audit, auditProblem == nil {
                        do {
                            try audit.append("file", ["path": .string(d.path), "sha256": .string(d.report.document.sha256), "vendor": .string(d.vendor),
                                                      "status": .string("reviewed"), "risk": .string(d.report.risk.rawValue), "score": .int(d.report.score),
                                                      "findings": .int(d.report.findings.count), "cached": .bool(d.cached)])
                        } catch { auditProblem = "\(error)" }
                    }
                case .failed(let e):
                    progress.errors += 1
                    if let audit, auditProblem == nil {
                        do {
                            try audit.append("file", ["path": .string(e.path), "sha256": .opt(BatchRunner.sha256(ofFile: e.path)), "vendor": .string(e.vendor),
                                                      "status": .string("error"), "reason": .string(e.reason)])
                        } catch { auditProblem = "\(error)" }
                    }
                }
                onOutcome(outcome)
            }
            progress.elapsed = Date().timeIntervalSince(started)
            onProgress(progress)
        }

        // Assemble: documents and errors in path order, grouped by vendor.
        var documents: [BatchDocument] = []
        var errors: [BatchError] = []
        var counts = BatchCounts()
        counts.files = files.count
        counts.skipped = walk.skipped.count
        counts.excluded = walk.excluded
        var vendorOrder: [String] = []
        var loose: [String: Bool] = [:]
        for (i, f) in files.enumerated() {
            if loose[f.vendor] == nil { vendorOrder.append(f.vendor); loose[f.vendor] = f.loose }
            switch outcomes[i] {
            case .reviewed(let d)?: documents.append(d); counts.reviewed += 1; if d.cached { counts.cached += 1 }
            case .failed(let e)?: errors.append(e); counts.errors += 1
            case nil: counts.notReached += 1
            }
        }
        let docsByVendor = Dictionary(grouping: documents, by: \.vendor)
        let errorsByVendor = Dictionary(grouping: errors, by: \.vendor)
        let view = VendorView(library: library, playbook: playbook)
        var vendors = vendorOrder.compactMap { name -> VendorReport? in
            let d = docsByVendor[name] ?? [], e = errorsByVendor[name] ?? []
            if d.isEmpty && e.isEmpty { return nil }
            return view.build(name: name, loose: loose[name] ?? false, documents: d, errors: e)
        }
        BatchReport.sortVendors(&vendors)
        counts.vendors = vendors.count
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
        let info = BatchInfo(runID: runID, root: options.root, started: BatchClock.iso(started), finished: BatchClock.iso(finished),
                             seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, user: BatchClock.user(), tool: tool,
                             playbook: playbook.name, playbookSHA256: playbookSHA256, shard: options.shard?.description,
                             vendorDepth: options.vendorDepth, interrupted: interrupted, counts: counts)
        return BatchReport(batch: info, vendors: vendors, documents: documents, errors: errors, skipped: walk.skipped)
    }

    static func sha256(ofFile path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let d = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256.hex([UInt8](d))
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

    func put(_ i: Int, _ o: FileOutcome) {
        cond.lock(); pending.append((i, o)); cond.signal(); cond.unlock()
    }

    func workerDone() {
        cond.lock(); finishedWorkers += 1; cond.signal(); cond.unlock()
    }

    /// The outcomes that arrived (waking at least every quarter second so the ETA stays fresh); nil when all workers are done.
    func take(workers: Int) -> [(Int, FileOutcome)]? {
        cond.lock(); defer { cond.unlock() }
        while pending.isEmpty && finishedWorkers < workers {
            _ = cond.wait(until: Date().addingTimeInterval(0.25))
            if pending.isEmpty && finishedWorkers < workers { return [] }
        }
        if pending.isEmpty { return nil }
        defer { pending.removeAll() }
        return pending
    }
}
