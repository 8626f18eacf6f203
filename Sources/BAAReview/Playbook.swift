import BAAClauses
import Foundation
import Yams

/// A practice's positions: thresholds and severities that turn element verdicts into findings.
/// The built-in default follows HIPAA; `--playbook FILE` (YAML, same keys) overrides any of them.
public struct Playbook: Codable, Sendable, Equatable {
    public struct DeadlineLimit: Codable, Sendable, Equatable {
        public var value: Int
        public var unit: Deadline.Unit
        public var calendarDays: Double { Deadline(value: value, unit: unit, text: "").calendarDays }
        enum CodingKeys: String, CodingKey, CaseIterable { case value, unit }
        public init(value: Int, unit: Deadline.Unit) { self.value = value; self.unit = unit }
        public init(from decoder: Decoder) throws {
            try Playbook.rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = try c.decode(Int.self, forKey: .value)
            unit = try c.decode(Deadline.Unit.self, forKey: .unit)
        }
    }

    public struct ElementOverride: Codable, Sendable, Equatable {
        /// Severity when the element is missing (risk elements: when flagged).
        public var missing: Severity?
        /// Severity when weak.
        public var weak: Severity?
        /// Treat a risk element as required (a missing one is a finding at `missing` severity).
        public var required: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case missing, weak, required }
        public init(missing: Severity? = nil, weak: Severity? = nil, required: Bool? = nil) {
            self.missing = missing; self.weak = weak; self.required = required
        }
        public init(from decoder: Decoder) throws {
            try Playbook.rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            missing = try c.decodeIfPresent(Severity.self, forKey: .missing)
            weak = try c.decodeIfPresent(Severity.self, forKey: .weak)
            required = try c.decodeIfPresent(Bool.self, forKey: .required)
        }
    }

    /// Any key, to list the keys a mapping holds.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A misspelt key is an error that names the valid keys (and the nearest one), never silently ignored.
    static func rejectUnknownKeys(_ decoder: Decoder, _ valid: [String]) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys where !valid.contains(key.stringValue) {
            let nearest = valid.min { editDistance($0, key.stringValue) < editDistance($1, key.stringValue) }
            let hint = nearest.map { editDistance($0, key.stringValue) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                    debugDescription: "unknown key\(hint); valid keys: \(valid.joined(separator: ", "))"))
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let kept = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = kept
            }
        }
        return row[b.count]
    }

    /// Swift's "Cannot initialize Unit from invalid String value weeks", in a reviewer's words with the choices.
    static func explain(_ message: String) -> String {
        let lead = "Cannot initialize "
        guard message.hasPrefix(lead), let from = message.range(of: " from invalid String value ") else { return message }
        let type = String(message[message.index(message.startIndex, offsetBy: lead.count)..<from.lowerBound])
        let value = String(message[from.upperBound...])
        let choices: [String]
        switch type {
        case "Unit": choices = ["hours", "days", "business_days", "calendar_days"]
        case "Severity": choices = Severity.allCases.map(\.rawValue)
        case "Stance": choices = ["prohibited", "permitted"]
        case "RiskLevel": choices = ["low", "medium", "high", "critical"]
        case "AuditRightsPosition": choices = AuditRightsPosition.allCases.map(\.rawValue)
        case "DeidentificationMethod": choices = ["hipaa", "either", "safe_harbor", "expert_determination"]
        default: return message
        }
        return "'\(value)' is not one of \(choices.joined(separator: ", "))"
    }

    public var name: String = "HIPAA baseline (built-in)"
    /// HIPAA's outer limit: 60 calendar days after discovery (164.410(b)). Beyond it: non-compliant.
    public var breachMax: DeadlineLimit = DeadlineLimit(value: 60, unit: .calendar_days)
    /// A stricter house position (e.g. 10 business days); a longer deadline is a finding.
    public var breachPreferred: DeadlineLimit?
    /// `prohibited`: the agreement must expressly prohibit AI training on PHI (a silent one is then a high finding).
    public var aiTrainingRequired: Stance?
    public var aiSilentSeverity: Severity = .high
    public var aiPermittedSeverity: Severity = .high
    public var deidentificationPermittedSeverity: Severity = .medium
    public var subcontractorsWeakSeverity: Severity?
    /// How the practice weighs audit rights: `required` (missing: medium), `recommended` (the default: missing
    /// and weak are low findings) or `optional` (no finding).
    public enum AuditRightsPosition: String, Codable, Sendable, CaseIterable { case required, recommended, optional }
    public var auditRights: AuditRightsPosition?
    /// The de-identification method the practice requires where the vendor may de-identify: `hipaa` (any method
    /// of 164.514(b), or HIPAA's standard cited), `either` (a method must be named), `safe_harbor`,
    /// `expert_determination`. Unset: no method finding (a de-identification with no standard is still one).
    public var deidentificationStandard: DeidentificationMethod?
    /// Severity when an AI vendor's agreement lacks ai_transparency or ai_change_control (`elements:` overrides per element).
    public var aiDiligenceSeverity: Severity = .medium
    /// Points a finding of each severity takes off 100.
    public var points: [String: Int] = ["critical": 25, "high": 10, "medium": 5, "low": 2, "info": 0]
    /// Risk bands by minimum score, highest first.
    public var riskBands: [RiskBand] = [
        RiskBand(minScore: 85, risk: .low), RiskBand(minScore: 60, risk: .medium),
        RiskBand(minScore: 35, risk: .high), RiskBand(minScore: 0, risk: .critical),
    ]
    public var elements: [String: ElementOverride] = [:]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case breachMax = "breach_max"
        case breachPreferred = "breach_preferred"
        case aiTrainingRequired = "ai_training_required"
        case aiSilentSeverity = "ai_silent_severity"
        case aiPermittedSeverity = "ai_permitted_severity"
        case deidentificationPermittedSeverity = "deidentification_permitted_severity"
        case subcontractorsWeakSeverity = "subcontractors_weak_severity"
        case auditRights = "audit_rights"
        case deidentificationStandard = "deidentification_standard"
        case aiDiligenceSeverity = "ai_diligence_severity"
        case points
        case riskBands = "risk_bands"
        case elements
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let d = Playbook()
        try Playbook.rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "custom playbook"
        breachMax = try c.decodeIfPresent(DeadlineLimit.self, forKey: .breachMax) ?? d.breachMax
        breachPreferred = try c.decodeIfPresent(DeadlineLimit.self, forKey: .breachPreferred)
        aiTrainingRequired = try c.decodeIfPresent(Stance.self, forKey: .aiTrainingRequired)
        aiSilentSeverity = try c.decodeIfPresent(Severity.self, forKey: .aiSilentSeverity) ?? d.aiSilentSeverity
        aiPermittedSeverity = try c.decodeIfPresent(Severity.self, forKey: .aiPermittedSeverity) ?? d.aiPermittedSeverity
        deidentificationPermittedSeverity = try c.decodeIfPresent(Severity.self, forKey: .deidentificationPermittedSeverity) ?? d.deidentificationPermittedSeverity
        subcontractorsWeakSeverity = try c.decodeIfPresent(Severity.self, forKey: .subcontractorsWeakSeverity)
        auditRights = try c.decodeIfPresent(AuditRightsPosition.self, forKey: .auditRights)
        deidentificationStandard = try c.decodeIfPresent(DeidentificationMethod.self, forKey: .deidentificationStandard)
        aiDiligenceSeverity = try c.decodeIfPresent(Severity.self, forKey: .aiDiligenceSeverity) ?? d.aiDiligenceSeverity
        if deidentificationStandard == DeidentificationMethod.none {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.deidentificationStandard], debugDescription: "deidentification_standard is one of hipaa, either, safe_harbor, expert_determination"))
        }
        let givenPoints = try c.decodeIfPresent([String: Int].self, forKey: .points) ?? [:]
        for key in givenPoints.keys where Severity(rawValue: key) == nil {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.points],
                                                    debugDescription: "'\(key)' is not a severity; valid: \(Severity.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        points = d.points.merging(givenPoints) { $1 }
        riskBands = try c.decodeIfPresent([RiskBand].self, forKey: .riskBands) ?? d.riskBands
        elements = try c.decodeIfPresent([String: ElementOverride].self, forKey: .elements) ?? [:]
        for key in elements.keys where !ElementCatalog.all.contains(key) {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.elements], debugDescription: "unknown element id '\(key)'"))
        }
        if aiTrainingRequired == .silent {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.aiTrainingRequired], debugDescription: "ai_training_required is 'prohibited' or 'permitted'"))
        }
    }

    public func points(for severity: Severity) -> Int { points[severity.rawValue] ?? 0 }

    /// Whether the method an agreement requires meets the playbook's requirement.
    public static func satisfies(_ found: DeidentificationMethod, required: DeidentificationMethod) -> Bool {
        switch required {
        case .hipaa: found != .none
        case .either: found == .safe_harbor || found == .expert_determination || found == .either
        case .safe_harbor: found == .safe_harbor
        case .expert_determination: found == .expert_determination
        case .none: true
        }
    }

    static func describe(_ m: DeidentificationMethod) -> String {
        switch m {
        case .hipaa: "HIPAA's standard (45 CFR 164.514(b))"
        case .either: "a named method of 45 CFR 164.514(b) (Safe Harbor or Expert Determination)"
        case .safe_harbor: "the Safe Harbor method (45 CFR 164.514(b)(2))"
        case .expert_determination: "Expert Determination (45 CFR 164.514(b)(1))"
        case .none: "no standard"
        }
    }

    public func risk(for score: Int) -> RiskLevel {
        riskBands.sorted { $0.minScore > $1.minScore }.first { score >= $0.minScore }?.risk ?? .critical
    }

    /// Loads a YAML playbook; errors name the file and what is wrong.
    public static func load(path: String) throws -> Playbook {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PlaybookError(path: path, message: "cannot read the playbook")
        }
        do { return try YAMLDecoder().decode(Playbook.self, from: text) } catch let e as DecodingError {
            switch e {
            case .dataCorrupted(let ctx), .keyNotFound(_, let ctx), .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
                let at = ctx.codingPath.map(\.stringValue).joined(separator: ".")
                throw PlaybookError(path: path, message: "\(at.isEmpty ? "" : at + ": ")\(explain(ctx.debugDescription))")
            @unknown default: throw PlaybookError(path: path, message: "\(e)")
            }
        } catch {
            throw PlaybookError(path: path, message: "invalid YAML: \(error)")
        }
    }
}

public struct PlaybookError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
