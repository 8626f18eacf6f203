import BAAClauses
import BAAExtract
import BAAUtil
import Foundation
import PCRE2

/// Turns rule hits into element verdicts, findings and a score a reviewer can recompute by hand:
/// score = 100 - the sum of each finding's points (playbook), floored at 0; risk from the score bands.
public struct Scorer {
    public let library: ClauseLibrary
    public let playbook: Playbook
    public static let maxEvidence = 3

    public init(library: ClauseLibrary, playbook: Playbook) {
        self.library = library
        self.playbook = playbook
    }

    func evidence(_ hit: Hit, _ a: Reviewer.Analysis) -> Evidence {
        let p = a.segments.paragraphs[hit.paragraph]
        var unit = hit.unit
        // Keep excerpts readable: at most ~600 bytes around the span, cut at character boundaries.
        if unit.count > 600 {
            let lo = max(unit.lowerBound, hit.span.lowerBound - 200), hi = min(unit.upperBound, max(hit.span.upperBound, lo + 400) + 100)
            unit = lo..<hi
        }
        var text = a.subject.text(Evidence.clampToCharacters(unit, a.subject))
        text = text.trimmingWhitespace()
        let loc = a.document.sourceMap.location(at: hit.span.lowerBound)
        return Evidence(text: text, section: p.section, heading: p.heading, page: loc.page, line: loc.line,
                        start: hit.span.lowerBound, end: hit.span.upperBound, rule: hit.rule.spec.id)
    }

    public func report(for a: Reviewer.Analysis) -> Report {
        var elements: [ElementResult] = []
        var findings: [Finding] = []
        let path = a.document.path
        var warnings = a.document.warnings
        for f in a.failures where !warnings.contains("rule error: \(f)") { warnings.append("rule error: \(f)") }
        if !a.hasHIPAAContext {
            warnings.append("the document never mentions PHI, HIPAA or a business associate: required terms found are analogues only (weak)")
        }
        let hitsByElement = Dictionary(grouping: a.hits, by: { $0.rule.spec.element })
        // An AI vendor: the agreement says AI processes the data (any live hit of the AI due-diligence elements).
        let aiHit = a.hits.filter { $0.vetoedBy == nil && ElementCatalog.aiVendorElements.contains($0.rule.spec.element) }
            .min { $0.span.lowerBound < $1.span.lowerBound }
        let aiVendor = AIVendor(detected: aiHit != nil, evidence: aiHit.map { evidence($0, a) })

        for spec in library.spec.elements {
            let all = (hitsByElement[spec.id] ?? []).sorted { $0.span.lowerBound < $1.span.lowerBound }
            let live = all.filter { $0.vetoedBy == nil }
            let vetoes = all.compactMap { h -> Veto? in
                guard let v = h.vetoedBy else { return nil }
                let p = a.segments.paragraphs[h.paragraph]
                return Veto(rule: h.rule.spec.id, guardName: v.name, text: v.text, section: p.section,
                            line: a.document.sourceMap.location(at: h.span.lowerBound).line)
            }
            var fired: [String] = []
            for h in live where !fired.contains(h.rule.spec.id) { fired.append(h.rule.spec.id) }
            let override = playbook.elements[spec.id]
            // A playbook can make a risk term required: missing it is then at least a high finding.
            let missingSeverity = override?.missing ?? (override?.required == true ? max(spec.severity, .high) : spec.severity)
            let weakSeverity = override?.weak ?? (spec.id == "subcontractors" ? playbook.subcontractorsWeakSeverity : nil) ?? spec.weakSeverity
            var result = ElementResult(id: spec.id, title: spec.title, kind: spec.kind.rawValue, status: .missing, stance: nil,
                                       severity: .info, citation: spec.citation, evidence: [], deadline: nil, rulesFired: fired, vetoed: vetoes)
            func finding(_ kind: String, _ severity: Severity, _ title: String, _ detail: String, _ ev: [Evidence]) {
                findings.append(Finding(fingerprint: Finding.fingerprint(path: path, element: spec.id, kind: kind), element: spec.id, kind: kind,
                                        severity: severity, title: title, detail: detail, citation: spec.citation,
                                        recommendation: spec.recommendation, evidence: ev))
            }
            func pick(_ hits: [Hit]) -> [Evidence] {
                var seen = Set<Range<Int>>()
                var out: [Evidence] = []
                for h in hits where !seen.contains(h.unit) && out.count < Scorer.maxEvidence {
                    seen.insert(h.unit); out.append(evidence(h, a))
                }
                return out
            }

            if ElementCatalog.stanceElements.contains(spec.id) {
                // Stance: the first verdict in the element's precedence that fired.
                let stanceHits = live.filter { $0.rule.spec.verdict == .prohibited || $0.rule.spec.verdict == .permitted }
                var stance: Stance = .silent
                for v in spec.precedence where stanceHits.contains(where: { $0.rule.spec.verdict == v }) {
                    stance = v == .prohibited ? .prohibited : .permitted
                    break
                }
                let chosen = stanceHits.filter { $0.rule.spec.verdict.rawValue == stance.rawValue }
                let weakHits = live.filter { $0.rule.spec.verdict == .weak }
                result.stance = stance
                result.status = stance == .silent ? (weakHits.isEmpty ? .missing : .weak) : .present
                result.evidence = pick(stance == .silent ? weakHits : chosen)
                // Evidence of the other stance too, so a reviewer sees a permission hiding behind a prohibition.
                let other = stanceHits.filter { $0.rule.spec.verdict.rawValue != stance.rawValue }
                if stance != .silent && !other.isEmpty { result.evidence += pick(other).prefix(1) }
                switch (spec.id, stance) {
                case ("ai_training", .silent):
                    let sev = playbook.aiTrainingRequired == .prohibited ? max(playbook.aiSilentSeverity, .high) : playbook.aiSilentSeverity
                    finding("ai_silent", sev, "No restriction on using PHI to train AI models",
                            "The agreement does not say whether PHI, or data derived from it (de-identified, aggregated, telemetry), may be used to train, fine-tune or improve AI or machine-learning models. Silence leaves the vendor's own terms in control.",
                            result.evidence)
                case ("ai_training", .permitted):
                    let sev = playbook.aiTrainingRequired == .prohibited ? .critical : playbook.aiPermittedSeverity
                    finding("ai_permitted", sev, "PHI or data derived from it may be used to train or improve AI models",
                            "A term permits using PHI or derived data (de-identified, aggregated, service or usage data) to develop, train or improve models or services.",
                            result.evidence)
                case ("deidentification", .permitted):
                    finding("deid_permitted", playbook.deidentificationPermittedSeverity, "Business associate may de-identify PHI and use the result",
                            "De-identified data falls outside HIPAA: once de-identified the vendor may use it for any purpose unless the agreement limits it (purpose, no re-identification, no sale, no AI training).",
                            result.evidence)
                case ("data_aggregation", .permitted):
                    finding("aggregation_permitted", .info, "Business associate may aggregate PHI with other customers' data",
                            "Data aggregation for the covered entity's health care operations is lawful (164.504(e)(2)(i)(B)); check it is limited to that purpose.",
                            result.evidence)
                default: break
                }
                result.severity = findings.last(where: { $0.element == spec.id })?.severity ?? .info
                elements.append(result)
                continue
            }

            let present = live.filter { $0.rule.spec.verdict == .present }
            let weak = live.filter { $0.rule.spec.verdict == .weak }
            if spec.id == "breach_notification" {
                // Present only with a definite outer limit; the first stated deadline in the document counts.
                // The first stated deadline counts, unless a later clause overrides it
                // ("Notwithstanding Section 3.3 ...", an exhibit that "shall control").
                // Among the highest-priority rules that stated one (a breach-specific deadline over an
                // unauthorized-use reporting deadline).
                let all = present.compactMap { h in deadline(of: h, a).map { (h, $0) } }
                let top = all.map(\.0.rule.spec.priority).max()
                let stated = all.filter { $0.0.rule.spec.priority == top }
                var overriding = OverrideCheck(a.subject)
                let deadlineHit = stated.first { overriding.overrides(a.segments.paragraphs[$0.0.paragraph].range) } ?? stated.first
                if let (h, d) = deadlineHit {
                    result.deadline = d
                    result.status = .present
                    result.evidence = pick([h] + present.filter { $0.unit != h.unit })
                    if d.calendarDays > playbook.breachMax.calendarDays {
                        result.status = .weak
                        finding("too_late", .critical, "Breach notice deadline (\(d.description)) is beyond HIPAA's outer limit",
                                "HIPAA requires notice without unreasonable delay and in no case later than 60 calendar days after discovery (45 CFR 164.410(b)); the agreement allows \(d.text).",
                                result.evidence)
                    } else if let pref = playbook.breachPreferred, d.calendarDays > pref.calendarDays {
                        finding("exceeds_playbook", .medium, "Breach notice deadline (\(d.description)) is longer than the playbook's \(pref.value) \(pref.unit.rawValue.replacingOccurrences(of: "_", with: " "))",
                                "Your playbook asks for breach notice within \(pref.value) \(pref.unit.rawValue.replacingOccurrences(of: "_", with: " ")).",
                                result.evidence)
                    }
                } else if !present.isEmpty || !weak.isEmpty {
                    result.status = .weak
                    result.evidence = pick(present + weak)
                    finding("weak", weakSeverity, "Breach notification has no definite outer limit",
                            "The agreement requires breach notice but states no definite deadline (only \"promptly\", \"without unreasonable delay\", a bare reference to 45 CFR 164.410, or an unfilled variable). Set a definite outer limit no later than 60 calendar days after discovery.",
                            result.evidence)
                } else {
                    finding("missing", missingSeverity, "Missing: \(spec.title)", spec.rationale, [])
                }
            } else if !present.isEmpty {
                result.status = .present
                result.evidence = pick(present)
            } else if !weak.isEmpty {
                result.status = .weak
                result.evidence = pick(weak)
            }
            if spec.kind == .diligence {
                diligence(spec, &result, live: live, aiVendor: aiVendor.detected, missing: override?.missing, weak: override?.weak, finding)
                result.severity = findings.filter { $0.element == spec.id }.map(\.severity).max() ?? .info
                elements.append(result)
                continue
            }
            // A document that never mentions PHI/HIPAA has analogues at best.
            if !a.hasHIPAAContext && spec.kind == .required && result.status == .present {
                result.status = .weak
                if spec.id == "breach_notification" {
                    finding("weak", weakSeverity, "Breach notification covers other data, not PHI", spec.rationale, result.evidence)
                }
            }
            if spec.id != "breach_notification" {
                if result.status == .missing {
                    finding("missing", missingSeverity, "Missing: \(spec.title)", spec.rationale, [])
                } else if result.status == .weak {
                    let title = spec.id == "subcontractors" ? "Subcontractor flow-down is weak" : "Weak: \(spec.title)"
                    finding("weak", weakSeverity, title, spec.rationale, result.evidence)
                }
            }
            result.severity = findings.filter { $0.element == spec.id }.map(\.severity).max() ?? .info
            elements.append(result)
        }
        findings.sort { ($0.severity.rank, $1.element) > ($1.severity.rank, $0.element) }
        var contributions: [Contribution] = []
        var total = 0
        for f in findings {
            let pts = playbook.points(for: f.severity)
            total += pts
            contributions.append(Contribution(fingerprint: f.fingerprint, element: f.element, severity: f.severity, points: pts))
        }
        let score = max(0, 100 - total)
        let doc = a.document
        var parties = a.roles
        if let offset = parties.offset, offset <= doc.text.utf8.count {
            let loc = doc.sourceMap.location(at: offset)
            parties.page = loc.page
            parties.line = loc.line
        }
        return Report(
            tool: ToolInfo(name: "baa", version: BAAVersion.current,
                           clauseLibrary: .init(version: library.spec.version, sha256: library.spec.sha256)),
            document: DocumentInfo(path: doc.path, sha256: doc.sha256, format: doc.format.rawValue, pages: doc.pageCount,
                                   ocrPages: doc.ocrPages, warnings: warnings),
            score: score, risk: playbook.risk(for: score), elements: elements, aiVendor: aiVendor, findings: findings,
            scoring: Scoring(base: 100, contributions: contributions, playbook: playbook.name, bands: playbook.riskBands),
            parties: parties)
    }

    /// The due-diligence elements (audit rights, de-identification standard, AI transparency and change control):
    /// status from the rules as for the other elements, then findings by the playbook. ai_transparency and
    /// ai_change_control are findings only for an AI vendor; a missing de-identification standard is not a finding
    /// (the agreement says nothing of de-identifying), a weak one is.
    func diligence(_ spec: ElementSpec, _ result: inout ElementResult, live: [Hit], aiVendor: Bool, missing: Severity?, weak: Severity?,
                   _ finding: (String, Severity, String, String, [Evidence]) -> Void) {
        // Status and evidence are already set from the rules, as for the other elements.
        let weakSeverity = weak ?? spec.weakSeverity
        switch spec.id {
        case "deidentification_standard":
            let method = Scorer.method(of: live)
            result.method = method
            if result.status == .weak {
                finding("weak", weakSeverity, "De-identification with no HIPAA standard",
                        "The agreement lets data be de-identified, anonymized or stripped of identifiers without requiring 45 CFR 164.514(b) (Safe Harbor or Expert Determination); the vendor decides what counts as de-identified.",
                        result.evidence)
            } else if result.status == .missing, missing != nil {
                finding("missing", missing ?? spec.severity, "Missing: \(spec.title)", spec.rationale, [])
            } else if result.status == .present, let required = playbook.deidentificationStandard,
                      !Playbook.satisfies(method, required: required) {
                let said = method == .hipaa ? "cites HIPAA's standard without naming a method" : "names \(method.rawValue.replacingOccurrences(of: "_", with: " "))"
                finding("method", missing ?? .medium, "De-identification method is not the playbook's (\(required.rawValue.replacingOccurrences(of: "_", with: " ")))",
                        "Your playbook requires de-identification by \(Playbook.describe(required)); the agreement \(said).",
                        result.evidence)
            }
        case "audit_rights":
            let position = playbook.auditRights
            guard position != .optional else { break }
            let required = position == .required
            if result.status == .missing {
                finding("missing", missing ?? (required ? max(spec.severity, .medium) : spec.severity), "Missing: \(spec.title)", spec.rationale, [])
            } else if result.status == .weak {
                finding("weak", weak ?? (required ? max(spec.weakSeverity, .medium) : spec.weakSeverity),
                        "Audit rights are weak: no audit, audit reports or access logs for the practice", spec.rationale, result.evidence)
            }
        default:
            // ai_transparency, ai_change_control: only an AI vendor owes them.
            guard aiVendor else { break }
            if result.status == .missing {
                finding("missing", missing ?? playbook.aiDiligenceSeverity, "AI vendor: \(spec.title.prefix(1).lowercased() + spec.title.dropFirst()) is missing", spec.rationale, [])
            } else if result.status == .weak {
                let title = spec.id == "ai_transparency" ? "AI vendor: the agreement says AI is used but discloses no models, providers or review of outputs"
                                                         : "AI vendor: model changes are contemplated with no notice to the practice"
                finding("weak", weakSeverity, title, spec.rationale, result.evidence)
            }
        }
    }

    /// The de-identification method the hits name: Safe Harbor, Expert Determination, both (either), HIPAA's
    /// standard cited with no method, or none.
    static func method(of hits: [Hit]) -> DeidentificationMethod {
        var sh = false, ed = false, cite = false
        for h in hits {
            if h.captures["both"] != nil { sh = true; ed = true }
            if h.captures["sh"] != nil { sh = true }
            if h.captures["ed"] != nil { ed = true }
            if h.captures["cite"] != nil { cite = true }
        }
        return sh && ed ? .either : sh ? .safe_harbor : ed ? .expert_determination : cite ? .hipaa : .none
    }

    /// The deadline a hit states, directly or through a defined term.
    func deadline(of hit: Hit, _ a: Reviewer.Analysis) -> Deadline? {
        let text = hit.captures["deadline"] ?? [hit.captures["value"], hit.captures["unit"]].compactMap { $0 }.joined(separator: " ")
        if let d = DeadlineParser.parse(value: hit.captures["value"], unit: hit.captures["unit"], text: text) { return d }
        if let ref = hit.captures["ref"], let d = a.definitions[DeadlineParser.key(ref)] {
            return Deadline(value: d.value, unit: d.unit, text: "\(ref.trimmingWhitespace()) (defined: \(d.text))")
        }
        // A cross-reference: "within the period set out in Section 1.16" reads the deadline stated there.
        if let xref = hit.captures["xref"] {
            let number = Scorer.sectionWord.replacingMatches(in: xref, with: "").trimming(charactersIn: " .")
            for p in a.segments.paragraphs where p.section == number || p.section?.hasPrefix(number + "(") == true {
                let text = a.subject.text(p.range)
                if let d = Scorer.firstDeadline(in: text) {
                    return Deadline(value: d.value, unit: d.unit, text: "Section \(number): \(d.text)")
                }
            }
        }
        return nil
    }

    // PCRE2, compiled once (caseless).
    /// "Section 1.16", "§ 4": the word before a cross-referenced number ((?-m): at the start of the reference only).
    static let sectionWord = try! Regex(#"(?-m)^(?:section|sec\.|§)\s*"#)

    /// A paragraph that says it overrides other terms ("Notwithstanding Section 3.3", "shall control").
    static let overrideRegex = try! Regex(
        #"\b(?:notwithstanding|supersedes?|shall\s+(?:control|govern|prevail)|in\s+(?:lieu|place)\s+of|(?:is|are)\s+(?:hereby\s+)?(?:amended|replaced|deleted))\b"#)

    static let periodRegex = try! Regex(
        #"\b((?:\d{1,4}|[a-z]+(?:-[a-z]+)?)(?:\s*\(\d{1,4}\))?)\s+((?:business|working|calendar)\s+days?|days?|hours?|weeks?)\b"#)

    /// The first "N unit" in a text whose number parses ("ten (10) days", "48 hours").
    static func firstDeadline(in text: String) -> Deadline? {
        var position = 0
        while let m = (try? periodRegex.firstMatch(in: text, from: position)) ?? nil {
            position = m.range.upperBound
            if let d = DeadlineParser.parse(value: m.text(1, in: text), unit: m.text(2, in: text), text: m.text(in: text) ?? "") {
                return d
            }
        }
        return nil
    }

    /// Whether paragraphs say they override other terms, each paragraph searched once however many deadlines it states
    /// (issue 15 item 8: one 512 KB line of breach sentences was copied and searched again for every sentence).
    struct OverrideCheck {
        let subject: Subject
        private var known: [Range<Int>: Bool] = [:]
        /// The searches run and the bytes they covered: at most the text's length in all.
        private(set) var searches = 0
        private(set) var bytesSearched = 0

        init(_ subject: Subject) { self.subject = subject }

        /// True when the paragraph at `range` (a whole line of the subject) says it overrides other terms.
        mutating func overrides(_ range: Range<Int>) -> Bool {
            if let known = known[range] { return known }
            searches += 1
            bytesSearched += range.count
            let found = ((try? Scorer.overrideRegex.firstMatch(in: subject, from: range.lowerBound, to: range.upperBound)) ?? nil) != nil
            known[range] = found
            return found
        }
    }
}

extension Evidence {
    /// Moves range ends off UTF-8 continuation bytes.
    static func clampToCharacters(_ r: Range<Int>, _ s: PCRE2.Subject) -> Range<Int> {
        var lo = r.lowerBound, hi = r.upperBound
        while lo > 0 && lo < s.count && s.bytes[lo] & 0xC0 == 0x80 { lo -= 1 }
        while hi < s.count && s.bytes[hi] & 0xC0 == 0x80 { hi += 1 }
        return lo..<hi
    }
}
