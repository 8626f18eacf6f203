import BAAClauses
import BAAReview
import BAAUtil
import Foundation

/// One create-issue payload per vendor with findings (Jira/GitHub/Linear-like): summary, Markdown
/// description, priority from the worst severity, labels, and the findings' fingerprints for de-duplication.
public struct Ticket: Codable, Sendable, Equatable {
    public var summary: String
    public var description: String
    /// Highest, High, Medium, Low, Lowest.
    public var priority: String
    public var labels: [String]
    public var vendor: String
    public var score: Int
    public var risk: RiskLevel
    public var fingerprints: [String]
}

public enum TicketBuilder {
    public static func priority(_ s: Severity) -> String {
        switch s {
        case .critical: "Highest"
        case .high: "High"
        case .medium: "Medium"
        case .low: "Low"
        case .info: "Lowest"
        }
    }

    static func slug(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(separator: "-")
    }

    /// Tickets for the vendors' findings, leaving out fingerprints already sent (`skip`). Info findings are left out.
    public static func tickets(for vendors: [VendorReport], skip: Set<String> = [], redact: Bool = false) -> [Ticket] {
        vendors.compactMap { v in
            if v.documents.isEmpty && !v.errors.isEmpty { return unreadable(v, skip: skip) }
            let findings = v.findings.filter { $0.severity != .info && !skip.contains($0.fingerprint) }
            guard let worst = findings.map(\.severity).max() else { return nil }
            var md = "**Vendor:** \(v.name)  \n**Score:** \(v.score)/100  ·  **Risk:** \(v.risk.rawValue)\n\n"
            md += "**Documents reviewed:** \(v.documents.map { "`\($0)`" }.joined(separator: ", "))\n\n"
            md += "| Flag | Verdict |\n|---|---|\n| AI training | \(v.flags.aiTraining) |\n| Breach notification | \(v.flags.breachNotification) |\n| Subcontractors | \(v.flags.subcontractors) |\n\n"
            md += "## Findings (\(findings.count))\n"
            for f in findings {
                md += "\n### [\(f.severity.rawValue.uppercased())] \(f.title)\n\n"
                md += "`\(f.element)` · 45 CFR \(f.citation) · fingerprint `\(f.fingerprint)`\n\n\(f.detail)\n"
                for e in f.evidence {
                    let loc = [e.file, e.section.map { "§\($0)" }, "p.\(e.page) line \(e.line)"].compactMap { $0 }.joined(separator: ", ")
                    md += redact ? "\n- Evidence: \(loc)\n" : "\n> \(e.text.replacingOccurrences(of: "\n", with: " "))\n>\n> — \(loc)\n"
                }
                md += "\n**Recommended language:** \(f.recommendation)\n"
            }
            let s = findings.count == 1 ? "" : "s"
            return Ticket(summary: "BAA review: \(v.name): \(findings.count) gap\(s) (worst \(worst.rawValue))",
                          description: md, priority: priority(worst),
                          labels: ["baa-review", "hipaa", "risk-\(v.risk.rawValue)", "vendor-\(slug(v.name))"],
                          vendor: v.name, score: v.score, risk: v.risk, fingerprints: findings.map(\.fingerprint))
        }
    }

    /// The fingerprint of "none of this vendor's files could be reviewed": one ticket until a file can be.
    public static func unreadableFingerprint(vendor: String) -> String {
        Finding.fingerprint(path: VendorView.fingerprintPath(vendor: vendor), element: "documents", kind: "unreadable")
    }

    /// A vendor none of whose files could be read has no verdicts at all: that is itself a gap to act on
    /// (ask the vendor for a readable copy), so it gets a ticket of the highest priority listing each file's error.
    static func unreadable(_ v: VendorReport, skip: Set<String>) -> Ticket? {
        let fingerprint = unreadableFingerprint(vendor: v.name)
        if skip.contains(fingerprint) { return nil }
        var md = "**Vendor:** \(v.name)  \n**Score:** \(v.score)/100  ·  **Risk:** \(v.risk.rawValue)\n\n"
        md += "None of the vendor's \(v.errors.count) file\(v.errors.count == 1 ? "" : "s") could be reviewed, so no term of its "
        md += "agreement has been checked. Obtain a readable copy (text PDF, DOCX, HTML or text) and run the review again.\n\n"
        md += "## Files that could not be read\n\n" + v.errors.map { "- \($0)\n" }.joined()
        md += "\nfingerprint `\(fingerprint)`\n"
        return Ticket(summary: "BAA review: \(v.name): no document could be reviewed (\(v.errors.count) unreadable)",
                      description: md, priority: priority(.critical),
                      labels: ["baa-review", "hipaa", "risk-\(v.risk.rawValue)", "vendor-\(slug(v.name))", "unreadable"],
                      vendor: v.name, score: v.score, risk: v.risk, fingerprints: [fingerprint])
    }
}

/// The fingerprints a tracker has accepted, kept in a JSON file written atomically after each accepted ticket.
public struct SentState: Codable, Sendable, Equatable {
    public struct Record: Codable, Sendable, Equatable {
        public var vendor: String
        public var sent: String
        public var status: Int
        /// The issue the tracker created for it (SEC-12, owner/repo#34, #7, INC0010001) and its web address.
        public var issue: String?
        public var url: String?
    }
    /// A ticket posted without an answer (or whose run ended while posting): it may exist in the tracker.
    public struct Pending: Codable, Sendable, Equatable {
        public var vendor: String
        public var since: String
        public var fingerprints: [String]
    }
    public var schemaVersion = 1
    public var fingerprints: [String: Record] = [:]
    /// By idempotency key: recorded before a ticket is sent, removed once the tracker answers.
    public var unknown: [String: Pending]?
    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", fingerprints, unknown }
    public init() {}

    public static func load(path: String) throws -> SentState {
        guard FileManager.default.fileExists(atPath: path) else { return SentState() }
        do { return try JSONDecoder().decode(SentState.self, from: try RawPath.read(path, limit: 1 << 30)) } catch {
            throw TicketError(message: "\(path): not a ticket state file (\(error)); move it away to start afresh")
        }
    }

    public func save(path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(enc.encode(self), to: path)
    }
}

public struct TicketError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// POSTs tickets as JSON, synchronously, one at a time: bearer token, retries with exponential backoff on
/// 5xx and connection errors, and no retry on 4xx (the payload or the token is wrong). Through libcurl, loaded
/// at the first post (`CurlAPI`), not URLSession: FoundationNetworking would load libcurl at every start.
public struct TicketPoster {
    public var url: URL
    public var token: String?
    /// Header lines a tracker needs (its authentication, its Accept): sent instead of the bearer `token` when set.
    public var headers: [String] = []
    public var maxAttempts = 5
    /// First backoff in seconds; doubles each retry.
    public var baseDelay: Double = 1.0
    public var timeout: Double = 30
    /// Follow a 3xx to the same origin (scheme, host and port) only, at most 5 hops; never to another host.
    public var followRedirects = false

    public init(url: URL, token: String?) { self.url = url; self.token = token }

    public struct Outcome: Sendable {
        public var status: Int?
        public var attempts: Int
        public var error: String?
        /// No answer came although the request may have reached the tracker (a timeout, a connection closed after
        /// sending): not retried, since a retry could open a second ticket.
        public var unknown = false
        /// The answer's body (first 64 KiB): the created issue, or the tracker's error message.
        public var body = Data()
        /// The first line of the tracker's answer to a 4xx or 5xx, truncated.
        public var response: String? {
            guard let status, status >= 400 else { return nil }
            return TrackerConfig.errorLine(body)
        }
        public var accepted: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// One POST, redirects handled as above.
    func once(_ body: Data, idempotencyKey: String?) -> CurlAPI.Response {
        guard let curl = CurlAPI.shared else { return CurlAPI.Response(status: nil, error: CurlAPI.unavailable, code: -1) }
        var headers = ["Content-Type: application/json", "User-Agent: baa/\(BAAVersion.current)"]
        if !self.headers.isEmpty { headers += self.headers } else if let token { headers.append("Authorization: Bearer \(token)") }
        // The same key on every attempt and every run for the same set of findings: a tracker that honours it
        // opens one issue however often the request arrives.
        if let idempotencyKey { headers.append("Idempotency-Key: \(idempotencyKey)") }
        // Send the body at once, as URLSession does, rather than wait up to 1 s for a "100 Continue".
        headers.append("Expect:")
        var target = url
        for _ in 0..<6 {
            var r = curl.post(url: target.absoluteString, headers: headers, body: body, timeout: timeout)
            guard let status = r.status, (300..<400).contains(status) else { return r }
            // A redirect is a failure that names where it points (a 302 to a login page is not a ticket; a 307 to
            // another host would take the excerpts there), unless --follow-redirects and the same origin.
            guard let location = r.location, let next = URL(string: location, relativeTo: target)?.absoluteURL else {
                r.error = "HTTP \(status) redirect with no Location: not followed"
                return r
            }
            guard followRedirects, TicketPoster.sameOrigin(next, url) else {
                let why = followRedirects ? "another origin: never followed" : "not followed (--follow-redirects follows same-origin ones)"
                r.error = "HTTP \(status) redirect to \(next.absoluteString): \(why)"
                return r
            }
            target = next
        }
        return CurlAPI.Response(status: nil, error: "more than 5 redirects: not followed", code: -1)
    }

    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ u: URL) -> Int? { u.port ?? (u.scheme == "https" ? 443 : u.scheme == "http" ? 80 : nil) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
    }

    /// Sends one payload: retries 429, 5xx and connection errors where nothing reached the tracker (waiting what
    /// Retry-After says for 429 and 503, else doubling from `baseDelay`), never past `deadline`; a timeout or a
    /// connection closed after sending is not retried (outcome unknown).
    public func send(_ body: Data, idempotencyKey: String? = nil, deadline: Date? = nil) -> Outcome {
        var attempt = 0
        var delay = baseDelay
        while true {
            attempt += 1
            let r = once(body, idempotencyKey: idempotencyKey)
            if r.outcomeUnknown {
                return Outcome(status: nil, attempts: attempt, error: "no answer (\(r.error ?? "timed out")): the tracker may have opened it, so it is not sent again", unknown: true)
            }
            let retryable = r.status.map { $0 >= 500 || $0 == 429 } ?? (r.code != -1)
            let err = r.error ?? r.status.flatMap { (200..<300).contains($0) ? nil : "HTTP \($0)" }
            if !retryable || attempt >= maxAttempts { return Outcome(status: r.status, attempts: attempt, error: err, body: r.body) }
            var wait = delay
            if let after = r.retryAfter, r.status == 429 || r.status == 503 { wait = Double(after) }
            if let deadline, Date().addingTimeInterval(wait) > deadline {
                return Outcome(status: r.status, attempts: attempt, error: (err ?? "failed") + "; not retried: the --deadline would pass", body: r.body)
            }
            Thread.sleep(forTimeInterval: wait)
            delay *= 2
        }
    }
}

/// Sends tickets whose fingerprints were never accepted, and records each in the state file only after a 2xx.
public struct TicketSender {
    public var poster: TicketPoster
    public var statePath: String
    /// Seconds for all the posting (nil: none).
    public var deadlineSeconds: Double?
    /// Send again the tickets whose outcome is unknown (after checking the tracker).
    public var resendUnknown = false
    /// Which tracker's payload is sent (and how its answer is read).
    public var tracker = TrackerConfig()

    public init(poster: TicketPoster, statePath: String) { self.poster = poster; self.statePath = statePath }

    public struct Summary: Sendable {
        public var sent = 0
        public var failed: [String] = []
        /// Tickets with nothing new (every fingerprint already sent).
        public var alreadySent = 0
        public var attempts = 0
        /// Interrupted before every ticket was sent.
        public var stopped = false
        /// Tickets posted without an answer this run, or held from an earlier one: "vendor: why".
        public var unknown: [String] = []
        /// The issues the tracker created this run: "vendor: KEY URL".
        public var created: [String] = []
    }

    /// Sends one ticket per vendor with findings not yet accepted, reading vendors one at a time.
    /// `shouldStop` is checked between tickets (Ctrl-C); what was accepted so far stays recorded.
    public func send(_ batch: BatchSource, redact: Bool, shouldStop: () -> Bool = { false }, log: (String) -> Void = { _ in }) throws -> Summary {
        // Without libcurl every ticket would fail after all its retries: say so once, before anything is sent.
        guard CurlAPI.shared != nil else { throw TicketError(message: CurlAPI.unavailable) }
        // One sender at a time per state file: two runs posting at once could both send a finding.
        let lockPath = statePath + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT, 0o644)
        guard lock >= 0 else { throw TicketError(message: "\(lockPath): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw TicketError(message: "\(statePath): another baa is posting tickets with this state file; try again when it is done")
        }
        var state = try SentState.load(path: statePath)
        var summary = Summary()
        let deadline = deadlineSeconds.map { Date().addingTimeInterval($0) }
        let endpoint = poster.url
        try batch.forEachVendor { v in
            if shouldStop() { summary.stopped = true; return }
            guard let t = TicketBuilder.tickets(for: [v], skip: Set(state.fingerprints.keys), redact: redact).first else {
                if !TicketBuilder.tickets(for: [v]).isEmpty { summary.alreadySent += 1 }
                return
            }
            // A ticket whose findings were posted once with no answer may exist: held until the tracker is checked.
            let held = (state.unknown ?? [:]).filter { !Set($0.value.fingerprints).isDisjoint(with: t.fingerprints) }
            if !held.isEmpty && !resendUnknown {
                let since = held.values.map(\.since).min() ?? "?"
                summary.unknown.append("\(t.vendor): posted at \(since) with no answer; it may exist in the tracker: check, then re-run with --resend-unknown")
                return
            }
            if let deadline, Date() > deadline {
                summary.failed.append("\(t.vendor): not sent: the --deadline passed")
                return
            }
            let key = SHA256.hex(Array(t.fingerprints.sorted().joined(separator: "\n").utf8))
            // Recorded before sending: a run that dies while posting leaves it "unknown", not forgotten.
            for k in held.keys { state.unknown?[k] = nil }
            state.unknown = (state.unknown ?? [:]).merging([key: .init(vendor: t.vendor, since: BatchClock.iso(Date()), fingerprints: t.fingerprints.sorted())]) { $1 }
            try state.save(path: statePath)
            let outcome = poster.send(try tracker.payload(t), idempotencyKey: key, deadline: deadline)
            summary.attempts += outcome.attempts
            if outcome.unknown {
                summary.unknown.append("\(t.vendor): \(outcome.error ?? "no answer")")
                return
            }
            state.unknown?[key] = nil
            if state.unknown?.isEmpty == true { state.unknown = nil }
            if outcome.accepted, let status = outcome.status {
                let now = BatchClock.iso(Date())
                let issue = tracker.created(from: outcome.body, endpoint: endpoint)
                for fp in t.fingerprints {
                    state.fingerprints[fp] = .init(vendor: t.vendor, sent: now, status: status, issue: issue?.key, url: issue?.url)
                }
                if let issue { summary.created.append("\(t.vendor): \(issue.key)" + (issue.url.map { " \($0)" } ?? "")) }
                // Recorded only now, after the tracker accepted it, and atomically.
                try state.save(path: statePath)
                summary.sent += 1
            } else {
                try state.save(path: statePath)
                var why = "\(t.vendor): \(outcome.error ?? "not accepted") after \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")"
                if let said = outcome.response { why += ": the tracker said: \(said)" }
                summary.failed.append(why)
                log(why)
            }
        }
        return summary
    }
}
