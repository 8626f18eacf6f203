import BAAClauses
import BAAUtil
import Foundation

/// Status of an element in a document.
public enum ElementStatus: String, Codable, Sendable, Comparable {
    case present, weak, missing
    var rank: Int { self == .present ? 2 : self == .weak ? 1 : 0 }
    public static func < (a: ElementStatus, b: ElementStatus) -> Bool { a.rank < b.rank }
}

/// Stance of ai_training, deidentification, data_aggregation.
public enum Stance: String, Codable, Sendable {
    case prohibited, permitted, silent
}

/// Risk level derived from the score.
public enum RiskLevel: String, Codable, Sendable {
    case low, medium, high, critical
}

/// A deadline, e.g. ten (10) business days.
public struct Deadline: Codable, Sendable, Equatable {
    public enum Unit: String, Codable, Sendable { case hours, days, business_days, calendar_days }
    public var value: Int
    public var unit: Unit
    /// The wording it was read from.
    public var text: String

    public init(value: Int, unit: Unit, text: String) { self.value = value; self.unit = unit; self.text = text }

    /// Outer limit in calendar days (business days count 7 per 5; plain days are calendar days).
    public var calendarDays: Double {
        switch unit {
        case .hours: Double(value) / 24
        case .days, .calendar_days: Double(value)
        case .business_days: (Double(value) * 7 / 5).rounded(.up)
        }
    }

    public var description: String { "\(value) \(unit.rawValue.replacingOccurrences(of: "_", with: " "))" }
}

/// One piece of evidence: the excerpt, where it is, and the rule that found it.
public struct Evidence: Codable, Sendable, Equatable {
    public var text: String
    public var section: String?
    public var heading: String?
    public var page: Int
    public var line: Int
    /// UTF-8 byte offsets into the normalized text.
    public var start: Int
    public var end: Int
    public var rule: String
    /// The file, when the evidence comes from one of several documents (vendor view).
    public var file: String?

    public init(text: String, section: String?, heading: String?, page: Int, line: Int, start: Int, end: Int, rule: String, file: String? = nil) {
        self.text = text; self.section = section; self.heading = heading; self.page = page; self.line = line
        self.start = start; self.end = end; self.rule = rule; self.file = file
    }
}

/// A rule hit that a guard vetoed, kept so a reviewer can see why a term did not count.
public struct Veto: Codable, Sendable, Equatable {
    public var rule: String
    public var guardName: String
    public var text: String
    public var section: String?
    public var line: Int
    enum CodingKeys: String, CodingKey { case rule, guardName = "guard", text, section, line }
}

/// The verdict for one element.
public struct ElementResult: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var kind: String
    public var status: ElementStatus
    public var stance: Stance?
    public var severity: Severity
    public var citation: String
    public var evidence: [Evidence]
    public var deadline: Deadline?
    /// deidentification_standard only: the method of 164.514(b) the agreement requires.
    public var method: DeidentificationMethod?
    /// Rules that fired (not vetoed), in order of first hit.
    public var rulesFired: [String]
    public var vetoed: [Veto]

    enum CodingKeys: String, CodingKey {
        case id, title, kind, status, stance, severity, citation, evidence, deadline, method
        case rulesFired = "rules_fired", vetoed
    }

    public init(id: String, title: String, kind: String, status: ElementStatus, stance: Stance?, severity: Severity, citation: String,
                evidence: [Evidence], deadline: Deadline?, method: DeidentificationMethod? = nil, rulesFired: [String], vetoed: [Veto]) {
        self.id = id; self.title = title; self.kind = kind; self.status = status; self.stance = stance; self.severity = severity
        self.citation = citation; self.evidence = evidence; self.deadline = deadline; self.method = method
        self.rulesFired = rulesFired; self.vetoed = vetoed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        if ElementCatalog.stanceElements.contains(id) { try c.encode(stance ?? .silent, forKey: .stance) }
        try c.encode(severity, forKey: .severity)
        try c.encode(citation, forKey: .citation)
        try c.encode(evidence, forKey: .evidence)
        if id == "breach_notification" {
            if let deadline { try c.encode(deadline, forKey: .deadline) } else { try c.encodeNil(forKey: .deadline) }
        }
        if id == "deidentification_standard" { try c.encode(method ?? DeidentificationMethod.none, forKey: .method) }
        try c.encode(rulesFired, forKey: .rulesFired)
        try c.encode(vetoed, forKey: .vetoed)
    }
}

/// Whether the agreement says PHI is processed by AI (AI, machine learning, language models, AI scribes or
/// transcription, named model providers), with the sentence that says so. For an AI vendor, missing
/// ai_transparency and ai_change_control are findings; for any other vendor they are not.
public struct AIVendor: Codable, Sendable, Equatable {
    public var detected: Bool
    /// The first statement that AI processes the data (the earliest hit of an ai_transparency or ai_change_control rule).
    public var evidence: Evidence?

    public init(detected: Bool, evidence: Evidence?) { self.detected = detected; self.evidence = evidence }

    enum CodingKeys: String, CodingKey { case detected, evidence }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detected, forKey: .detected)
        if let evidence { try c.encode(evidence, forKey: .evidence) } else { try c.encodeNil(forKey: .evidence) }
    }
}

/// A finding a reviewer acts on.
public struct Finding: Codable, Sendable, Equatable {
    /// Stable for the same document path, element and kind across runs and tool versions.
    public var fingerprint: String
    public var element: String
    /// What kind of finding: missing, weak, too_late, exceeds_playbook, ai_silent, ai_permitted, ...
    public var kind: String
    public var severity: Severity
    public var title: String
    public var detail: String
    public var citation: String
    public var recommendation: String
    public var evidence: [Evidence]

    public static func fingerprint(path: String, element: String, kind: String) -> String {
        String(SHA256.hex(Array("\(path)\u{1F}\(element)\u{1F}\(kind)".utf8)).prefix(16))
    }
}

/// One line of the score: what a finding cost.
public struct Contribution: Codable, Sendable, Equatable {
    public var fingerprint: String
    public var element: String
    public var severity: Severity
    public var points: Int
}

/// How the score was reached: 100 minus the listed points, floored at 0; risk from the score bands.
public struct Scoring: Codable, Sendable, Equatable {
    public var base: Int
    public var contributions: [Contribution]
    public var playbook: String
    public var bands: [RiskBand]
}

public struct RiskBand: Codable, Sendable, Equatable {
    public var minScore: Int
    public var risk: RiskLevel
    enum CodingKeys: String, CodingKey { case minScore = "min_score", risk }
}

public struct ToolInfo: Codable, Sendable, Equatable {
    public struct Library: Codable, Sendable, Equatable {
        public var version: String
        public var sha256: String
    }
    public var name: String
    public var version: String
    public var clauseLibrary: Library
    enum CodingKeys: String, CodingKey { case name, version, clauseLibrary = "clause_library" }
}

public struct DocumentInfo: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var format: String
    public var pages: Int
    public var ocrPages: [Int]
    public var warnings: [String]
    enum CodingKeys: String, CodingKey { case path, sha256, format, pages, ocrPages = "ocr_pages", warnings }
}

/// The review of one document. JSON schema: schema/report.schema.json.
public struct Report: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public var schemaVersion: Int = Report.currentSchemaVersion
    public var tool: ToolInfo
    public var document: DocumentInfo
    public var score: Int
    public var risk: RiskLevel
    public var elements: [ElementResult]
    /// Is PHI processed by AI? (Absent only in reports written before the due-diligence elements.)
    public var aiVendor: AIVendor?
    public var findings: [Finding]
    public var scoring: Scoring
    /// Who is who in the document: the names of the business associate and the covered entity, and the
    /// sentence that decided it (nil in reports written before roles were resolved).
    public var parties: PartyRoles? = nil

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", tool, document, score, risk, elements, aiVendor = "ai_vendor", findings, scoring, parties }

    public func element(_ id: String) -> ElementResult? { elements.first { $0.id == id } }

    /// The worst finding severity, if any.
    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

public enum BAAVersion {
    public static let current = "0.1.0"
    /// Changes when the same document and library give a different report (a batch cache keys on it):
    /// "parties-1", party roles resolved and read as roles.
    public static let reviewRevision = "parties-1"
}
