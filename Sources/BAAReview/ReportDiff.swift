import BAAClauses
import Foundation

/// What changed between two reviews of an agreement (`baa diff OLD NEW`), element by element: status, stance,
/// deadline, de-identification method, the findings on the element and the points they cost, and the evidence
/// text before and after as a word diff. A pure function of the two reports; the renderers are in BAAReport.
///
/// An element is *changed* when its verdict (status, stance, deadline, method), the kinds of its findings or its
/// evidence text (whitespace aside) differ; evidence that only moved (another page or line) is not a change.
/// Its direction:
/// - **worse** when its findings cost more points after than before (the playbook's points per severity, as the
///   score counts them); on equal points, when its stance moved towards permitted (prohibited > silent >
///   permitted), its status fell (present > weak > missing) or its deadline got longer;
/// - **better** in the opposite cases;
/// - **changed** otherwise (new wording, same verdict and cost).
/// Regressions are the elements that got worse.
public struct ReportDiff: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = ReportDiff.currentSchemaVersion
    public var kind = "baa-diff"
    public var old: Side
    public var new: Side
    /// new score - old score.
    public var scoreDelta: Int
    /// Changed elements, in the report's element order.
    public var changed: [ElementChange]
    /// Ids of the elements with the same verdict, findings and evidence text.
    public var unchanged: [String]
    /// Ids of the changed elements that got worse, and better.
    public var regressions: [String]
    public var improvements: [String]
    /// Findings (by element and kind) in one report and not the other.
    public var findingsAdded: [FindingRef]
    public var findingsRemoved: [FindingRef]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, old, new, scoreDelta = "score_delta", changed, unchanged, regressions, improvements
        case findingsAdded = "findings_added", findingsRemoved = "findings_removed"
    }

    /// One side of the comparison.
    public struct Side: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var score: Int
        public var risk: RiskLevel
        public var findings: Int
    }

    public struct FindingRef: Codable, Sendable, Equatable {
        public var element: String
        public var kind: String
        public var severity: Severity
        public var title: String
    }

    /// An element's verdict on one side.
    public struct State: Codable, Sendable, Equatable {
        public var status: ElementStatus
        public var stance: Stance?
        public var deadline: Deadline?
        public var method: DeidentificationMethod?
        /// The evidence excerpts, in order.
        public var evidence: [String]
        /// Where the first excerpt is: "§3.2, p.1 line 14".
        public var location: String?
        /// Kinds of the findings on the element (missing, weak, too_late, ai_permitted, ...).
        public var findings: [String]
        /// The worst severity among them.
        public var severity: Severity?
        /// Points the findings cost.
        public var points: Int
    }

    public enum Direction: String, Codable, Sendable { case worse, better, changed }

    /// A piece of a word diff: words in both texts, only in the old (delete) or only in the new (insert).
    public struct WordChange: Codable, Sendable, Equatable {
        public enum Op: String, Codable, Sendable { case equal, delete, insert }
        public var op: Op
        public var text: String
        public init(op: Op, text: String) { self.op = op; self.text = text }
    }

    public struct ElementChange: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var kind: String
        public var direction: Direction
        public var before: State
        public var after: State
        /// The old evidence text against the new, word by word (empty when the text is the same).
        public var words: [WordChange]
        /// What changed, in words: "status: weak -> present", "deadline: 10 days -> 90 days".
        public var summary: [String]
    }

    // MARK: comparing

    /// The evidence of an element as one text (excerpts joined by " … "), whitespace collapsed, and each excerpt's
    /// leading number ("1.4", "3.2.", "(a)", "iv.") left out: a renumbered clause is not a changed one.
    static func evidenceText(_ e: ElementResult?) -> String {
        guard let e else { return "" }
        return e.evidence.map { ev -> String in
            var words = WordDiff.words(ev.text)
            if let first = words.first, isEnumerator(first), words.count > 1 { words.removeFirst() }
            return words.joined(separator: " ")
        }.joined(separator: " … ")
    }

    /// "1.4", "3.2.", "12", "(a)", "(iv)", "a.", "iv.": a clause's number or letter.
    public static func isEnumerator(_ w: Substring) -> Bool {
        if w.contains(where: \.isNumber), w.allSatisfy({ $0.isNumber || $0 == "." || $0 == ")" }) { return true }
        var core = w
        if core.hasPrefix("(") && core.hasSuffix(")") { core = core.dropFirst().dropLast() }
        else if core.hasSuffix(".") || core.hasSuffix(")") { core = core.dropLast() } else { return false }
        guard !core.isEmpty, core.count <= 4 else { return false }
        if core.allSatisfy(\.isNumber) { return true }
        if core.count == 1, core.allSatisfy({ $0.isLetter }) { return true }
        return core.allSatisfy { "ivxlIVXL".contains($0) }
    }

    static func location(_ e: Evidence) -> String {
        var parts: [String] = []
        if let s = e.section { parts.append("§\(s)") }
        parts.append("p.\(e.page) line \(e.line)")
        return parts.joined(separator: ", ")
    }

    static func state(_ e: ElementResult?, in r: Report) -> State {
        guard let e else {
            return State(status: .missing, stance: nil, deadline: nil, method: nil, evidence: [], location: nil, findings: [], severity: nil, points: 0)
        }
        let fs = r.findings.filter { $0.element == e.id }
        let fps = Set(fs.map(\.fingerprint))
        let points = r.scoring.contributions.filter { fps.contains($0.fingerprint) }.reduce(0) { $0 + $1.points }
        return State(status: e.status, stance: e.stance, deadline: e.deadline, method: e.method, evidence: e.evidence.map(\.text),
                     location: e.evidence.first.map(location), findings: fs.map(\.kind).sorted(), severity: fs.map(\.severity).max(), points: points)
    }

    static func describe(_ d: Deadline?) -> String { d?.description ?? "none" }

    /// Compares two reviews of (versions of) an agreement. Elements only one report has are compared with
    /// "missing" on the other side.
    public static func compare(old: Report, new: Report) -> ReportDiff {
        var ids: [String] = []
        for e in new.elements + old.elements where !ids.contains(e.id) { ids.append(e.id) }
        var changed: [ElementChange] = []
        var unchanged: [String] = []
        for id in ids {
            let a = old.element(id), b = new.element(id)
            let before = state(a, in: old), after = state(b, in: new)
            let ta = evidenceText(a), tb = evidenceText(b)
            var summary: [String] = []
            let stanceChanged = before.stance != after.stance
            if before.status != after.status && !(ElementCatalog.stanceElements.contains(id) && stanceChanged) { summary.append("status: \(before.status.rawValue) → \(after.status.rawValue)") }
            if before.stance != after.stance { summary.append("stance: \(before.stance?.rawValue ?? "none") → \(after.stance?.rawValue ?? "none")") }
            if before.deadline?.value != after.deadline?.value || before.deadline?.unit != after.deadline?.unit {
                summary.append("deadline: \(describe(before.deadline)) → \(describe(after.deadline))")
            }
            if before.method != after.method { summary.append("method: \(before.method?.rawValue ?? "none") → \(after.method?.rawValue ?? "none")") }
            if before.findings != after.findings {
                let gone = before.findings.filter { !after.findings.contains($0) }, came = after.findings.filter { !before.findings.contains($0) }
                var parts: [String] = []
                if !came.isEmpty { parts.append("new finding \(came.joined(separator: ", "))") }
                if !gone.isEmpty { parts.append("finding \(gone.joined(separator: ", ")) gone") }
                summary.append(parts.joined(separator: "; "))
            }
            if ta != tb { summary.append(ta.isEmpty ? "evidence added" : tb.isEmpty ? "evidence removed" : "evidence reworded") }
            if summary.isEmpty { unchanged.append(id); continue }
            let direction = self.direction(before, after)
            let source = b ?? a
            changed.append(ElementChange(id: id, title: source?.title ?? id, kind: source?.kind ?? "", direction: direction,
                                         before: before, after: after, words: ta == tb ? [] : WordDiff.diff(ta, tb), summary: summary))
        }
        func refs(_ r: Report) -> [FindingRef] { r.findings.map { FindingRef(element: $0.element, kind: $0.kind, severity: $0.severity, title: $0.title) } }
        let oldRefs = refs(old), newRefs = refs(new)
        func key(_ f: FindingRef) -> String { f.element + "\u{1F}" + f.kind }
        let oldKeys = Set(oldRefs.map(key)), newKeys = Set(newRefs.map(key))
        func side(_ r: Report) -> Side { Side(path: r.document.path, sha256: r.document.sha256, score: r.score, risk: r.risk, findings: r.findings.count) }
        return ReportDiff(old: side(old), new: side(new), scoreDelta: new.score - old.score, changed: changed, unchanged: unchanged,
                          regressions: changed.filter { $0.direction == .worse }.map(\.id),
                          improvements: changed.filter { $0.direction == .better }.map(\.id),
                          findingsAdded: newRefs.filter { !oldKeys.contains(key($0)) },
                          findingsRemoved: oldRefs.filter { !newKeys.contains(key($0)) })
    }

    /// For AI training, de-identification and aggregation: prohibited is better than silence, silence better than
    /// a permission.
    static func stanceRank(_ s: Stance?) -> Int { s == .prohibited ? 2 : s == .permitted ? 0 : 1 }

    static func direction(_ a: State, _ b: State) -> Direction {
        if b.points != a.points { return b.points > a.points ? .worse : .better }
        if a.stance != nil || b.stance != nil, stanceRank(a.stance) != stanceRank(b.stance) { return stanceRank(b.stance) < stanceRank(a.stance) ? .worse : .better }
        if b.status != a.status { return b.status < a.status ? .worse : .better }
        if let da = a.deadline, let db = b.deadline, da.calendarDays != db.calendarDays { return db.calendarDays > da.calendarDays ? .worse : .better }
        return .changed
    }

    // MARK: same agreement

    /// Whether a report reads as a full business associate agreement rather than an amendment, an addendum or
    /// another contract: at least half of the required elements (kind "required") are addressed (present or weak).
    public static func isFullAgreement(_ r: Report) -> Bool {
        let required = r.elements.filter { $0.kind == "required" }
        guard !required.isEmpty else { return false }
        return required.filter { $0.status != .missing }.count * 2 >= required.count
    }

    /// Role words, not names: they do not tell two agreements' parties apart.
    static let roleWords: Set<String> = [
        "business associate", "covered entity", "subcontractor", "vendor", "customer", "client", "provider", "company", "practice",
        "we", "us", "our", "you", "your", "contractor", "supplier", "service provider", "licensee", "licensor", "agency", "plan",
        "hospital", "health plan", "entity", "party", "ba", "ce",
    ]
    static let suffixes: Set<String> = ["inc", "llc", "llp", "lp", "ltd", "corp", "corporation", "co", "pc", "pa", "pllc", "plc", "incorporated", "company", "the"]

    /// A party name for comparing: lower case, letters and digits only, corporate suffixes and "the" dropped.
    static func normalizedName(_ s: String) -> String? {
        let lower = s.lowercased()
        if roleWords.contains(lower.trimmingCharacters(in: .whitespaces)) { return nil }
        var words: [String] = []
        var current = ""
        for ch in lower.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) { current.unicodeScalars.append(ch) }
            else if ch == "." || ch == "'" || ch == "’" { continue }
            else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        words.removeAll { suffixes.contains($0) }
        let name = words.joined(separator: " ")
        return name.isEmpty || roleWords.contains(name) ? nil : name
    }

    /// Do two name lists name the same party? nil when either names none (only role words).
    public static func sameParty(_ a: [String], _ b: [String]) -> Bool? {
        let x = Set(a.compactMap(normalizedName)), y = Set(b.compactMap(normalizedName))
        if x.isEmpty || y.isEmpty { return nil }
        if !x.isDisjoint(with: y) { return true }
        // "Claimsbridge" and "Claimsbridge Clearinghouse": one name's words begin the other's.
        for p in x { for q in y where p.hasPrefix(q + " ") || q.hasPrefix(p + " ") { return true } }
        return false
    }

    /// Whether `newer` is a later version of the same agreement as `older` (so it replaces it), with the reason.
    /// Both must read as full agreements (`isFullAgreement`), and where both name the covered entity, or both
    /// name the business associate, the names must match (case, punctuation and corporate suffixes aside). Two
    /// full BAAs of one vendor with different covered entities are separate agreements.
    public static func sameAgreement(_ older: Report, _ newer: Report) -> (same: Bool, reason: String) {
        guard isFullAgreement(older) else { return (false, "\(older.document.path) is not a full agreement (fewer than half of the required terms)") }
        guard isFullAgreement(newer) else { return (false, "\(newer.document.path) is not a full agreement (fewer than half of the required terms)") }
        let pa = older.parties, pb = newer.parties
        if let pa, let pb, pa.source != .none, pb.source != .none {
            if sameParty(pa.ce, pb.ce) == false { return (false, "different covered entities") }
            if sameParty(pa.ba, pb.ba) == false { return (false, "different business associates") }
            if sameParty(pa.ce, pb.ce) == true { return (true, "both are full business associate agreements with the same covered entity") }
        }
        return (true, "both are full business associate agreements and neither names another covered entity")
    }
}

/// A word diff by longest common subsequence, on words split at white space (punctuation stays with its word).
public enum WordDiff {
    /// Most cells of the LCS table (after the common prefix and suffix are taken off); beyond it the middle is one
    /// deletion and one insertion.
    static let maxCells = 4_000_000

    public static func words(_ s: String) -> [Substring] {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
    }

    public static func diff(_ old: String, _ new: String) -> [ReportDiff.WordChange] {
        let a = words(old), b = words(new)
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let am = Array(a[prefix..<(a.count - suffix)]), bm = Array(b[prefix..<(b.count - suffix)])
        var ops: [(ReportDiff.WordChange.Op, Substring)] = a[..<prefix].map { (.equal, $0) }
        let n = am.count, m = bm.count
        if n == 0 || m == 0 || n * m > maxCells {
            ops += am.map { (.delete, $0) } + bm.map { (.insert, $0) }
        } else {
            // lcs[i][j]: the LCS length of am[i...] and bm[j...], row-major in one array.
            var lcs = [Int32](repeating: 0, count: (n + 1) * (m + 1))
            let w = m + 1
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i * w + j] = am[i] == bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : max(lcs[(i + 1) * w + j], lcs[i * w + j + 1])
                }
            }
            var i = 0, j = 0
            while i < n && j < m {
                if am[i] == bm[j] { ops.append((.equal, am[i])); i += 1; j += 1 }
                else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] { ops.append((.delete, am[i])); i += 1 }
                else { ops.append((.insert, bm[j])); j += 1 }
            }
            ops += am[i...].map { (.delete, $0) } + bm[j...].map { (.insert, $0) }
        }
        ops += a[(a.count - suffix)...].map { (.equal, $0) }
        // Runs of one kind become one piece.
        var out: [ReportDiff.WordChange] = []
        for (op, word) in ops {
            if let last = out.last, last.op == op { out[out.count - 1].text += " " + word } else { out.append(.init(op: op, text: String(word))) }
        }
        return out
    }
}
