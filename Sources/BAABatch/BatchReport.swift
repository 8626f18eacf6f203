import BAAClauses
import BAAReview
import Foundation

/// A reviewed document of the batch: the same Report as `baa review`, plus its place in the vendor's history.
public struct BatchDocument: Codable, Sendable, Equatable {
    public var path: String
    public var relativePath: String
    public var vendor: String
    public var cached: Bool
    public var dating: DocumentDating
    public var report: Report
    enum CodingKeys: String, CodingKey { case path, relativePath = "relative_path", vendor, cached, dating, report }
}

/// A file that could not be reviewed, and why.
public struct BatchError: Codable, Sendable, Equatable {
    public var path: String
    public var relativePath: String
    public var vendor: String
    public var reason: String
    enum CodingKeys: String, CodingKey { case path, relativePath = "relative_path", vendor, reason }
}

/// A later amending document replaced an earlier verdict for an element.
public struct Supersession: Codable, Sendable, Equatable {
    public var element: String
    /// The document whose verdict counts.
    public var winner: String
    /// The earlier documents that also addressed the element.
    public var replaced: [String]
}

/// A full agreement that a later full version of the same agreement replaced (docs/batch.md, "Later versions").
public struct SupersededVersion: Codable, Sendable, Equatable {
    /// The earlier version: its verdicts no longer count.
    public var file: String
    /// The later version that replaces it.
    public var by: String
    public var fileDate: String?
    public var byDate: String?
    /// Why the two are read as versions of one agreement.
    public var reason: String
    /// Elements whose verdict, findings or evidence changed between the two (as `baa diff` compares them),
    /// and those of them that got worse.
    public var changed: [String]
    public var regressions: [String]
    /// The later version's score minus the earlier's (each reviewed alone).
    public var scoreDelta: Int
    enum CodingKeys: String, CodingKey {
        case file, by, fileDate = "file_date", byDate = "by_date", reason, changed, regressions, scoreDelta = "score_delta"
    }
}

/// The three flags the vendor table shows.
public struct VendorFlags: Codable, Sendable, Equatable {
    /// prohibited, permitted or silent ("-" when the library has no such element).
    public var aiTraining: String
    /// present (with the deadline), weak or missing.
    public var breachNotification: String
    public var subcontractors: String
    /// "no", or "yes (disclosure <status>, change notice <status>)": does the vendor process PHI with AI, and are
    /// the models disclosed and their changes notified.
    public var aiVendor: String?
    enum CodingKeys: String, CodingKey { case aiTraining = "ai_training", breachNotification = "breach_notification", subcontractors, aiVendor = "ai_vendor" }
}

/// The vendor view: every element's verdict taken across the vendor's documents.
public struct VendorReport: Codable, Sendable, Equatable {
    public var name: String
    /// True for a loose file at the root, reviewed on its own.
    public var loose: Bool
    public var score: Int
    public var risk: RiskLevel
    public var documents: [String]
    public var errors: [String]
    public var counts: [String: Int]
    public var flags: VendorFlags
    /// Does any of the vendor's documents say AI processes the data (the first such statement as evidence)?
    public var aiVendor: AIVendor?
    public var elements: [ElementResult]
    public var findings: [Finding]
    public var supersessions: [Supersession]
    /// Full agreements replaced by a later full version of the same agreement (absent in reports made before).
    public var superseded: [SupersededVersion]?
    public var scoring: Scoring

    enum CodingKeys: String, CodingKey { case name, loose, score, risk, documents, errors, counts = "findings_by_severity", flags, aiVendor = "ai_vendor", elements, findings, supersessions, superseded, scoring }

    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

public struct BatchCounts: Codable, Sendable, Equatable {
    /// Files the walk found (reviewed + errors), after --include/--exclude and the shard.
    public var files = 0
    public var reviewed = 0
    public var errors = 0
    public var cached = 0
    public var skipped = 0
    public var excluded = 0
    /// Files not reached because the run was interrupted.
    public var notReached = 0
    public var vendors = 0
    public init() {}
    enum CodingKeys: String, CodingKey { case files, reviewed, errors, cached, skipped, excluded, notReached = "not_reached", vendors }
}

public struct BatchInfo: Codable, Sendable, Equatable {
    public var runID: String
    public var root: String
    public var started: String
    public var finished: String
    public var seconds: Double
    public var user: String
    public var tool: ToolInfo
    public var playbook: String
    public var playbookSHA256: String
    public var shard: String?
    public var vendorDepth: Int
    public var interrupted: Bool
    public var counts: BatchCounts
    enum CodingKeys: String, CodingKey {
        case runID = "run_id", root, started, finished, seconds, user, tool, playbook, playbookSHA256 = "playbook_sha256", shard
        case vendorDepth = "vendor_depth", interrupted, counts
    }
}

/// `baa batch --format json`: one document. Schema version 1; keys sorted.
public struct BatchReport: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = BatchReport.currentSchemaVersion
    public var kind = "baa-batch"
    public var batch: BatchInfo
    /// Worst first.
    public var vendors: [VendorReport]
    public var documents: [BatchDocument]
    public var errors: [BatchError]
    public var skipped: [SkippedPath]
    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", kind, batch, vendors, documents, errors, skipped }

    /// Worst first: risk, then score, then name.
    public static func sortVendors(_ v: inout [VendorReport]) {
        v.sort { ($0.score, $0.name) < ($1.score, $1.name) }
    }
}

extension Report {
    /// The report as if the document had been read at `path` (a cached report of identical bytes elsewhere):
    /// path and fingerprints follow the path.
    public func relocated(to path: String) -> Report {
        guard path != document.path else { return self }
        var r = self
        r.document.path = path
        var map: [String: String] = [:]
        for i in r.findings.indices {
            let fp = Finding.fingerprint(path: path, element: r.findings[i].element, kind: r.findings[i].kind)
            map[r.findings[i].fingerprint] = fp
            r.findings[i].fingerprint = fp
        }
        for i in r.scoring.contributions.indices { r.scoring.contributions[i].fingerprint = map[r.scoring.contributions[i].fingerprint] ?? r.scoring.contributions[i].fingerprint }
        return r
    }

    /// Excerpts left out (--redact): evidence and guard text become empty.
    public func redacted() -> Report {
        var r = self
        for i in r.elements.indices { r.elements[i] = r.elements[i].redacted() }
        for i in r.findings.indices { r.findings[i] = r.findings[i].redacted() }
        r.aiVendor?.evidence?.text = ""
        return r
    }
}

extension ElementResult {
    func redacted() -> ElementResult {
        var e = self
        for i in e.evidence.indices { e.evidence[i].text = "" }
        for i in e.vetoed.indices { e.vetoed[i].text = "" }
        return e
    }
}

extension Finding {
    func redacted() -> Finding {
        var f = self
        for i in f.evidence.indices { f.evidence[i].text = "" }
        return f
    }
}

extension VendorReport {
    func redacted() -> VendorReport {
        var v = self
        v.elements = v.elements.map { $0.redacted() }
        v.findings = v.findings.map { $0.redacted() }
        v.aiVendor?.evidence?.text = ""
        return v
    }
}

extension BatchReport {
    public func redacted() -> BatchReport {
        var b = self
        b.vendors = b.vendors.map { $0.redacted() }
        for i in b.documents.indices { b.documents[i].report = b.documents[i].report.redacted() }
        return b
    }
}
