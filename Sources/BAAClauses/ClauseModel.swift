/// The element ids of ../shared/ELEMENTS.md: the contract between Clauses/, the JSON report and every labelled corpus.
/// The 21 required and risk elements (labels.json) and the four due-diligence terms for AI vendors (labels-extra.json).
public enum ElementCatalog {
    public static let required: [String] = [
        "permitted_uses", "no_other_use", "safeguards", "report_disclosures", "breach_notification",
        "subcontractors", "access", "amendment", "accounting", "privacy_rule_compliance",
        "hhs_books_records", "return_destroy", "termination_for_breach",
    ]
    public static let risk: [String] = [
        "ai_training", "deidentification", "data_aggregation", "minimum_necessary",
        "sale_of_phi_prohibited", "offshore_restriction", "indemnification", "insurance",
    ]
    /// Elements reported with a stance rather than present/weak/missing alone.
    public static let stanceElements: Set<String> = ["ai_training", "deidentification", "data_aggregation"]
    /// Due-diligence terms for AI vendors (ELEMENTS.md's last table; labelled in labels-extra.json).
    public static let diligence: [String] = ["audit_rights", "deidentification_standard", "ai_transparency", "ai_change_control"]
    /// Findings only for a vendor that processes PHI with AI.
    public static let aiVendorElements: Set<String> = ["ai_transparency", "ai_change_control"]
    /// The 21 elements of labels.json (required and risk terms).
    public static let core: [String] = required + risk
    public static let all: [String] = required + risk + diligence

    /// The group an element id belongs to.
    public static func kind(of id: String) -> ElementKind {
        required.contains(id) ? .required : diligence.contains(id) ? .diligence : .risk
    }
}

/// Methods of de-identification under 45 CFR 164.514(b), as deidentification_standard reports them.
public enum DeidentificationMethod: String, Codable, Sendable, CaseIterable {
    /// 164.514(b)(2): the 18 identifiers removed.
    case safe_harbor
    /// 164.514(b)(1): a qualified expert's determination.
    case expert_determination
    /// Both named: the business associate may use either.
    case either
    /// 164.514 (or "HIPAA's standard") required with no method named.
    case hipaa
    /// No standard.
    case none
}

/// Finding severities, worst first.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case critical, high, medium, low, info

    public var rank: Int {
        switch self {
        case .critical: 4
        case .high: 3
        case .medium: 2
        case .low: 1
        case .info: 0
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// One step less severe (a weak term is less severe than a missing one).
    public var lowered: Severity {
        switch self {
        case .critical: .high
        case .high: .medium
        case .medium: .low
        case .low, .info: .info
        }
    }
}

/// What a rule says when it fires.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case present, weak, prohibited, permitted
}

/// The text unit a rule's patterns must all fall in.
public enum Scope: String, Codable, Sendable, CaseIterable {
    case sentence, paragraph, section
}

/// Whether an element is required by HIPAA, a risk term, or a due-diligence term for AI vendors.
public enum ElementKind: String, Codable, Sendable, CaseIterable {
    case required, risk, diligence
}

/// A place in a clause file, for error messages (1-based line and column).
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public init(path: String, line: Int, column: Int) { self.path = path; self.line = line; self.column = column }
    public var description: String { "\(path):\(line):\(column)" }
}

/// One example attached to a rule: text, and for a must-match example the expected evidence span.
public struct RuleExample: Sendable, Equatable {
    /// The text with the `[[` `]]` markers removed.
    public var text: String
    /// The expected span (UTF-8 byte offsets into `text`), for must-match examples.
    public var expected: Range<Int>?
    public var position: SourcePosition
}

/// A named PCRE2 pattern after macro expansion.
public struct PatternSpec: Sendable, Equatable {
    public var name: String
    public var source: String
    public var expanded: String
    public var position: SourcePosition
}

/// A rule: named patterns and logic over them within a scope.
public struct RuleSpec: Sendable {
    public var id: String
    public var element: String
    public var description: String
    public var verdict: Verdict
    public var scope: Scope
    /// Every name must match in the scope.
    public var all: [String]
    /// At least one name must match (empty: no condition).
    public var any: [String]
    /// Guards: a match of any of these in the scope vetoes the hit.
    public var none: [String]
    /// Proximity: the matched spans of `all` and `any` lie within this many bytes.
    public var within: Int?
    /// The pattern whose named groups (value, unit, ref, xref) carry a parameter, e.g. a deadline.
    public var capture: String?
    /// A compound rule: fires when every listed rule fired (unvetoed) anywhere in the document.
    /// Lets an element need two terms that live in different sections (YARA-style conditions over rules).
    /// An entry "a|b" is satisfied by either rule.
    public var requires: [String]
    /// Higher wins when an element takes one parameter from several hits (e.g. a breach-specific deadline
    /// over an unauthorized-use reporting deadline). Default 0.
    public var priority: Int
    /// Patterns visible to this rule (element-level merged with rule-level), by name.
    public var patterns: [String: PatternSpec]
    public var mustMatch: [RuleExample]
    public var mustNotMatch: [RuleExample]
    public var position: SourcePosition
}

/// One element of ELEMENTS.md as described by its clause file.
public struct ElementSpec: Sendable {
    public var id: String
    public var title: String
    public var kind: ElementKind
    public var citation: String
    /// Severity of the finding when the element is missing (risk elements: when the risky stance is found).
    public var severity: Severity
    /// Severity when weak; defaults to one step below `severity`.
    public var weakSeverity: Severity
    public var rationale: String
    public var recommendation: String
    /// For stance elements: which stance wins when both fire.
    public var precedence: [Verdict]
    public var rules: [RuleSpec]
    /// Patterns that capture defined terms ("Response Period" means ten days): groups term, value, unit.
    public var definitions: [PatternSpec]
    public var path: String
}
