import ArgumentParser
import BAABatch
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import BAAUtil
import Foundation

enum BatchFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json, jsonl, tickets, html
}

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Review a folder of vendors (a subfolder per vendor) and report each vendor's verdicts across its documents.",
        discussion: """
        Each top-level subfolder is a vendor (--vendor-depth N: the first N levels); loose files at the root are \
        reviewed on their own. A later amendment or addendum replaces the terms it addresses (see docs/batch.md). \
        Exit codes: 0 done; 1 a vendor finding at or above --fail-on; 2 a usage error, a ticket the tracker did \
        not accept, or (with --fail-on-error) a file that could not be reviewed; 130 interrupted.
        """
    )

    @Argument(help: "The folder to review (or a single file).") var directory: String
    @OptionGroup var library: LibraryOptions
    @OptionGroup var extraction: ExtractionOptions
    @OptionGroup var matchLimits: MatchLimitOptions
    @Option(name: .long, help: "Output: terminal (vendor table), json, jsonl (one line per finding, streamed), tickets, or html (a vendor dashboard; each document's report is written beside it; needs --output).")
    var format: BatchFormat = .terminal
    @Option(name: [.long, .customShort("o")], help: "Write the output here (atomically) instead of standard output.") var output: String?
    @Option(name: .customLong("playbook"), help: "A YAML playbook with the practice's positions.") var playbookPath: String?
    @Option(name: .long, help: "Review only files matching this glob (repeatable; a glob with / matches the relative path).")
    var include: [String] = []
    @Option(name: .long, help: "Leave out files and folders matching this glob (repeatable).") var exclude: [String] = []
    @Flag(name: .long, help: "Also review hidden files and folders (names starting with a dot).") var hidden = false
    @Flag(name: .customLong("no-default-excludes"), help: "Also review README files (left out by default).") var noDefaultExcludes = false
    @Option(name: .customLong("vendor-depth"), help: "How many folder levels name a vendor.") var vendorDepth = 1
    @Option(name: .long, help: "Files reviewed at once (default: the number of cores).") var jobs: Int?
    @Option(name: .long, help: "Review only shard K of N (1-based), e.g. 2/4; join the shards with `baa merge`.") var shard: String?
    @Option(name: .long, help: "Report cache folder (default: .baa-cache beside --output, else in the current folder).") var cache: String?
    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the cache.") var noCache = false
    @Option(name: .customLong("cache-max-age"), help: "After a complete run, remove cache entries no run has used for this many days (0: keep all).")
    var cacheMaxAge: Double = 90
    @Option(name: .customLong("audit-log"), help: "Append a JSON-lines audit record of the run here (hash-chained; fsynced at least every second).") var auditLog: String?
    @OptionGroup var trackerOptions: TrackerOptions
    @Option(name: .long, help: "POST each vendor's ticket to this URL: the webhook's URL, or the tracker's base URL (https://acme.atlassian.net, https://api.github.com...), to which its documented path is added. Never the same finding twice.") var post: String?
    @Option(name: .customLong("token-env"), help: "Environment variable holding the secret for --post: the bearer token (webhook, GitHub), Jira's API token, GitLab's PRIVATE-TOKEN, ServiceNow's password.") var tokenEnv = "BAA_TICKET_TOKEN"
    @Option(name: .customLong("user-env"), help: "Environment variable holding the user for Basic auth: Jira's account email, ServiceNow's user name.") var userEnv = "BAA_TICKET_USER"
    @Option(name: .customLong("ticket-state"), help: "Sent-fingerprint state file (default: .baa-tickets-sent.json beside --output, else in the current folder).")
    var ticketState: String?
    @Option(name: .long, help: "Attempts per ticket on 5xx or connection errors.") var retries = 5
    @Option(name: .long, help: "Seconds one ticket request may take before its outcome is unknown.") var timeout = 30.0
    @Option(name: .long, help: "Seconds all the ticket posting may take (0: no limit).") var deadline = 0.0
    @Flag(name: .customLong("resend-unknown"), help: "Send again tickets posted earlier with no answer (check the tracker first).")
    var resendUnknown = false
    @Flag(name: .customLong("follow-redirects"), help: "Follow a tracker's redirects to the same origin (scheme, host, port); never to another host.")
    var followRedirects = false
    @Option(name: .customLong("retry-delay"), help: "First retry delay in seconds (doubles each retry).") var retryDelay = 1.0
    @Flag(name: .long, help: "Leave excerpts out of every output.") var redact = false
    @Option(name: .customLong("fail-on"), help: "Exit 1 when a vendor finding is at or above this severity.") var failOn: Severity?
    @Flag(name: .customLong("fail-on-error"), help: "Exit 2 when a file could not be reviewed.") var failOnError = false
    @Flag(name: .long, help: "No progress bar.") var quiet = false
    @Flag(name: .customLong("no-color"), help: "No colours.") var noColor = false

    func validate() throws {
        if vendorDepth < 1 { throw ValidationError("--vendor-depth must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 <= K <= N, e.g. 1/4 (got '\(shard)')") }
        if let post, URL(string: post)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--post takes an http(s) URL (got '\(post)')")
        }
        if format == .html && output == nil { throw ValidationError("--format html needs --output (-o): the documents' reports are written beside the dashboard") }
        if retries < 1 { throw ValidationError("--retries must be at least 1") }
        if !(timeout > 0) || !timeout.isFinite { throw ValidationError("--timeout takes seconds, more than 0") }
        if !(deadline >= 0) || !deadline.isFinite { throw ValidationError("--deadline takes seconds, 0 or more (0: no limit)") }
        if !(cacheMaxAge >= 0) { throw ValidationError("--cache-max-age must be 0 or more days") }
        _ = try trackerOptions.config()
    }

    /// Beside --output, else the current folder.
    func besideOutput(_ name: String) -> String {
        let dir = output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
        return (dir as NSString).appendingPathComponent(name)
    }

    func run() throws {
        var st = stat()
        guard RawPath.statPath(directory, &st) == 0 else { throw UserError("\(SafeIO.displayPath(directory)): no such folder") }
        let lib = try library.loadLibrary()
        var playbook = Playbook()
        if let playbookPath {
            do { playbook = try Playbook.load(path: playbookPath) } catch { throw UserError("\(error)") }
        }
        var opts = BatchOptions(root: directory)
        opts.vendorDepth = vendorDepth
        opts.include = include
        opts.exclude = exclude + (noDefaultExcludes ? [] : FolderWalker.defaultExcludes)
        opts.includeHidden = hidden
        if let jobs { opts.jobs = jobs }
        opts.shard = shard.flatMap(Shard.init)
        opts.cacheDirectory = noCache ? nil : (cache ?? besideOutput(".baa-cache"))
        opts.cacheMaxAgeDays = cacheMaxAge > 0 ? cacheMaxAge : nil
        opts.auditLog = auditLog
        opts.ownFiles = [output, ticketState ?? (post == nil ? nil : besideOutput(".baa-tickets-sent.json"))].compactMap { $0 }
        let runner = BatchRunner(library: lib, playbook: playbook, extraction: try extraction.options(), options: opts, matchLimits: matchLimits.limits)

        let progressOn = !quiet && isatty(STDERR_FILENO) == 1
        let bar = ProgressBar(enabled: progressOn)
        // Temporaries of earlier runs that were killed (SIGKILL cannot be handled): swept before this run makes its own.
        let spoolParent = output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        if let spoolParent { Temporaries.sweepStale(in: spoolParent) } else { Temporaries.sweepStale(in: NSTemporaryDirectory(), spoolsOnly: true) }
        // SIGINT, SIGTERM, SIGHUP: stop taking files, write what is complete, remove the temporaries; a second
        // signal ends the run at once (temporaries removed). SIGPIPE: a closed pipe is a write error (EPIPE).
        Temporaries.installSignalHandlers(graceful: true)
        let sink: TextSink
        do { sink = try TextSink(path: output) } catch { throw UserError("\(error)") }
        sink.json = format != .terminal
        let stopRequested: @Sendable () -> Bool = { Temporaries.stopSignal != 0 }

        let result: SpooledBatch
        let streamLines = format == .jsonl
        do {
            // The spool sits beside --output (same disk as the result), else in the temporary folder.
            let outputFailed = SendableFlag()
            result = try runner.run(keepDocuments: format == .json || format == .html, redact: redact, spoolParent: spoolParent,
                                    shouldStop: { stopRequested() || outputFailed.isSet }, onProgress: bar.draw) { outcome in
                if streamLines, case .reviewed(let d) = outcome, let lines = try? BatchRenderer.jsonLines(d, redact: redact) {
                    sink.write(lines)
                    if output == nil { sink.flush() }
                    if sink.failure != nil { outputFailed.set() }  // no use reviewing on: the output is lost
                }
            }
        } catch let e as WalkError {
            throw UserError(e.description)
        } catch let e as AuditError {
            throw UserError(e.description)
        } catch let e as SpoolError {
            throw UserError(e.description)
        }
        bar.finish()

        do {
            switch format {
            case .terminal:
                let color = !noColor && output == nil && TerminalReporter.shouldColor()
                BatchRenderer.table(result, color: color) { sink.write($0) }
            case .json: try BatchRenderer.writeJSON(result, to: sink)
            case .tickets: try BatchRenderer.writeTickets(result, redact: redact, tracker: try trackerOptions.config(), to: sink)
            case .html:
                let extractOptions = try extraction.options()
                sink.write(try DashboardHTML.render(result, dashboardPath: output ?? "dashboard.html", redact: redact) { path in
                    try? loadWithinBudget(path, options: extractOptions).get()
                })
            case .jsonl: break
            }
            if let f = result.spoolFailure { throw UserError(f.description) }
            try sink.commit()
        } catch let e as SpoolError { throw UserError(e.description) }
        if format != .terminal && progressOn {
            SafeIO.stderr((BatchRenderer.summaryLine(result.info) + "\n"))
        }
        if result.cacheEntriesPruned > 0 && !quiet {
            let n = result.cacheEntriesPruned
            SafeIO.stderr("baa: removed \(n) cache entr\(n == 1 ? "y" : "ies") no run has used for \(String(format: "%g", cacheMaxAge)) days\n")
        }
        if let (n, first) = result.cacheEntriesRejected {
            SafeIO.stderr("baa: warning: \(n) cache entr\(n == 1 ? "y" : "ies") failed the integrity check (edited or damaged; first: \(SafeIO.displayPath(first))): reviewed again, not served\n")
        }
        if result.info.interrupted {
            let c = result.info.counts
            SafeIO.stderr("baa: interrupted: \(c.reviewed + c.errors) of \(c.files) files done (\(c.reviewed) reviewed, \(c.errors) errors), \(c.notReached) not reached; no tickets sent\n")
            throw ExitCode(128 + Temporaries.stopSignal)
        }

        var postFailed = false
        if let post, let base = URL(string: post) {
            let tracker = try trackerOptions.config()
            let url = tracker.endpoint(base: base)
            let env = ProcessInfo.processInfo.environment
            // The secrets are read from the environment only and never printed: only the variables' names are.
            let token = env[tokenEnv].flatMap { $0.isEmpty ? nil : $0 }
            let user = env[userEnv].flatMap { $0.isEmpty ? nil : $0 }
            if token == nil {
                SafeIO.stderr("baa: warning: $\(tokenEnv) is not set: posting without credentials\n")
            }
            if tracker.auth == .basic, token != nil, user == nil {
                SafeIO.stderr("baa: warning: $\(userEnv) is not set: --tracker \(tracker.kind.rawValue) uses Basic auth with a user (Jira: the account's email)\n")
            }
            if token != nil, url.scheme == "http", !["127.0.0.1", "localhost", "::1"].contains(url.host ?? "") {
                SafeIO.stderr("baa: warning: sending the tracker's credentials over plain http to \(url.host ?? "?"); use https\n")
            }
            var poster = TicketPoster(url: url, token: token)
            if tracker.kind != .webhook { poster.headers = tracker.headers(user: user, secret: token) }
            poster.maxAttempts = retries
            poster.baseDelay = retryDelay
            poster.followRedirects = followRedirects
            poster.timeout = timeout
            var sender = TicketSender(poster: poster, statePath: ticketState ?? besideOutput(".baa-tickets-sent.json"))
            sender.deadlineSeconds = deadline > 0 ? deadline : nil
            sender.resendUnknown = resendUnknown
            sender.tracker = tracker
            let summary: TicketSender.Summary
            do { summary = try sender.send(result, redact: redact, shouldStop: stopRequested) } catch { throw UserError("\(error)") }
            var line = "baa: tickets: \(summary.sent) sent, \(summary.alreadySent) already sent earlier"
            if summary.stopped { line += "; interrupted before the rest were sent (they go next run)" }
            if !summary.failed.isEmpty { line += ", \(summary.failed.count) not accepted" }
            if !summary.unknown.isEmpty { line += ", \(summary.unknown.count) of unknown outcome" }
            SafeIO.stderr((line + "\n"))
            for c in summary.created { SafeIO.stderr("baa: ticket for \(c)\n") }
            for f in summary.failed { SafeIO.stderr("baa: error: ticket for \(f)\n") }
            for u in summary.unknown { SafeIO.stderr("baa: error: ticket for \(u)\n") }
            postFailed = !summary.failed.isEmpty || !summary.unknown.isEmpty
        }
        if Temporaries.stopSignal != 0 { throw ExitCode(128 + Temporaries.stopSignal) }
        if postFailed { throw ExitCode(2) }
        if failOnError && result.info.counts.errors > 0 { throw ExitCode(2) }
        if let failOn, result.vendorSummaries.contains(where: { ($0.worstSeverity ?? .info) >= failOn && $0.worstSeverity != nil }) { throw ExitCode(1) }
    }
}

/// A progress bar on stderr: files done of total, rate, ETA. Redrawn at most ten times a second.
final class ProgressBar {
    let enabled: Bool
    var last = Date.distantPast
    var drawn = false
    init(enabled: Bool) { self.enabled = enabled }

    func draw(_ p: BatchProgress) {
        guard enabled, p.total > 0 else { return }
        let now = Date()
        if now.timeIntervalSince(last) < 0.1 && p.done < p.total { return }
        last = now
        let width = 24
        let filled = p.total == 0 ? width : width * p.done / p.total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var eta = "--:--"
        if let s = p.eta { eta = String(format: "%d:%02d", Int(s) / 60, Int(s) % 60) }
        var line = "\r\u{1B}[K\(bar) \(p.done)/\(p.total) files  \(String(format: "%.1f", p.rate))/s  ETA \(eta)"
        if p.cached > 0 { line += "  \(p.cached) cached" }
        if p.errors > 0 { line += "  \(p.errors) error\(p.errors == 1 ? "" : "s")" }
        SafeIO.stderr(line)
        drawn = true
    }

    func finish() {
        if drawn { SafeIO.stderr("\r\u{1B}[K") }
    }
}


/// A flag one thread sets and others read.
final class SendableFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
