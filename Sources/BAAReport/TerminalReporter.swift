import BAAClauses
import BAAReview
import Foundation

/// The reviewer's view: header with score and risk, the element table, then findings by severity with
/// evidence, section and line. Colours only on a TTY and never when NO_COLOR is set.
public struct TerminalReporter {
    public var color: Bool
    public var explain: Bool

    public init(color: Bool, explain: Bool = false) { self.color = color; self.explain = explain }

    /// Colours are on when stdout is a terminal, NO_COLOR is unset and TERM is not "dumb".
    public static func shouldColor(isTTY: Bool = isatty(STDOUT_FILENO) == 1, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard isTTY else { return false }
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { paint(s, "1") }

    func severityLabel(_ s: Severity) -> String {
        let label = s.rawValue.uppercased()
        switch s {
        case .critical: return paint(label, "1;31")
        case .high: return paint(label, "31")
        case .medium: return paint(label, "33")
        case .low: return paint(label, "36")
        case .info: return paint(label, "2")
        }
    }

    func riskLabel(_ r: RiskLevel) -> String {
        switch r {
        case .critical: return paint("CRITICAL", "1;31")
        case .high: return paint("HIGH", "31")
        case .medium: return paint("MEDIUM", "33")
        case .low: return paint("LOW", "32")
        }
    }

    /// "164.410(b)" -> "45 CFR 164.410(b)"; contractual risk terms have no regulatory citation.
    public static func citation(_ c: String) -> String {
        c.first?.isNumber == true ? "45 CFR \(c)" : c
    }

    static func location(_ e: Evidence) -> String {
        var parts: [String] = []
        if let f = e.file { parts.append(f) }
        if let s = e.section { parts.append("§\(s)") }
        if let h = e.heading, !h.isEmpty { parts.append(h) }
        parts.append("p.\(e.page) line \(e.line)")
        return parts.joined(separator: ", ")
    }

    static func wrap(_ text: String, width: Int, indent: String) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width && !current.isEmpty { lines.append(indent + current); current = String(word) } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        if !current.isEmpty { lines.append(indent + current) }
        return lines.joined(separator: "\n")
    }

    public func render(_ r: Report) -> String {
        var out = ""
        out += bold("baa review: \(r.document.path)") + "\n"
        out += "Score \(bold("\(r.score)/100"))  Risk \(riskLabel(r.risk))  ·  \(r.document.format), \(r.document.pages) page\(r.document.pages == 1 ? "" : "s")  ·  clause library \(r.tool.clauseLibrary.version) (\(r.tool.clauseLibrary.sha256.prefix(12)))\n"
        if let parties = r.parties { out += TerminalReporter.parties(parties, paint: { self.paint($0, "2") }) }
        for w in r.document.warnings { out += paint("warning: ", "33") + w + "\n" }
        if let ai = r.aiVendor {
            if ai.detected, let e = ai.evidence {
                let excerpt = e.text.count > 120 ? String(e.text.prefix(117)) + "..." : e.text
                out += "AI vendor: \(bold("yes"))  (\(TerminalReporter.location(e))) \"\(excerpt.replacingOccurrences(of: "\n", with: " "))\"\n"
            } else {
                out += "AI vendor: no  (the agreement does not say AI processes PHI: AI transparency and change control are not findings)\n"
            }
        }
        out += "\n" + bold("Elements") + "\n"
        for e in r.elements {
            var verdict = e.status.rawValue
            if let s = e.stance { verdict = s.rawValue }
            if let d = e.deadline { verdict += " (\(d.description))" }
            if let m = e.method, e.status != .missing { verdict += " (\(m.rawValue.replacingOccurrences(of: "_", with: " ")))" }
            let mark: String
            switch (e.status, e.stance) {
            case (_, .some(.prohibited)): mark = paint("✓", "32")
            case (_, .some(.permitted)): mark = paint("!", "31")
            case (_, .some(.silent)): mark = paint("?", "33")
            case (.present, _): mark = paint("✓", "32")
            case (.weak, _): mark = paint("~", "33")
            case (.missing, _): mark = paint("✗", "31")
            }
            let where_ = e.evidence.first.map { "  " + paint(TerminalReporter.location($0), "2") } ?? ""
            out += "  \(mark) \(e.id.padding(toLength: 25, withPad: " ", startingAt: 0)) \(verdict.padding(toLength: 26, withPad: " ", startingAt: 0))\(where_)\n"
            if explain {
                out += paint("      rules fired: \(e.rulesFired.isEmpty ? "none" : e.rulesFired.joined(separator: ", "))", "2") + "\n"
                for v in e.vetoed {
                    out += paint("      vetoed: \(v.rule) by guard '\(v.guardName)' (\"\(v.text)\"\(v.section.map { ", §" + $0 } ?? ""), line \(v.line))", "2") + "\n"
                }
            }
        }
        out += "\n" + bold("Findings (\(r.findings.count))") + "\n"
        if r.findings.isEmpty { out += "  none\n" }
        for sev in Severity.allCases {
            for f in r.findings where f.severity == sev {
                out += "\n  [\(severityLabel(f.severity))] \(bold(f.title))\n"
                out += paint("    \(f.element) · \(TerminalReporter.citation(f.citation)) · \(f.fingerprint)", "2") + "\n"
                out += TerminalReporter.wrap(f.detail, width: 96, indent: "    ") + "\n"
                for e in f.evidence {
                    out += "    " + paint(TerminalReporter.location(e) + " [\(e.rule)]", "2") + "\n"
                    out += TerminalReporter.wrap("\"\(e.text)\"", width: 96, indent: "      ") + "\n"
                }
                out += "    " + paint("Recommended language:", "1") + "\n"
                out += TerminalReporter.wrap(f.recommendation, width: 96, indent: "      ") + "\n"
            }
        }
        if explain {
            out += "\n" + bold("Score") + "\n"
            out += "  100"
            for c in r.scoring.contributions where c.points > 0 { out += " - \(c.points) (\(c.element), \(c.severity.rawValue))" }
            out += " = \(r.score)  →  risk \(r.risk.rawValue) (bands: \(r.scoring.bands.map { "≥\($0.minScore) \($0.risk.rawValue)" }.joined(separator: ", ")); playbook: \(r.scoring.playbook))\n"
        }
        return out
    }
}

extension TerminalReporter {
    /// Who is who, and the sentence that decided it.
    static func parties(_ p: PartyRoles, paint: (String) -> String) -> String {
        if p.source == .none { return "Parties  " + paint("not named in the preamble: the rules read the document's own words (--ba / --ce to say who is who)") + "\n" }
        func list(_ names: [String]) -> String { names.isEmpty ? "(not named)" : names.map { "\"\($0)\"" }.joined(separator: ", ") }
        var out = "Parties  business associate \(list(p.ba)) · covered entity \(list(p.ce))"
        if p.subcontractorAgreement { out += " · a subcontractor agreement (the subcontractor plays the business associate)" }
        out += "\n"
        switch p.source {
        case .override: out += "  " + paint("given with --ba / --ce") + "\n"
        default:
            if let d = p.decidedBy {
                let quote = d.count > 220 ? String(d.prefix(217)) + "..." : d
                let place = [p.page.map { "p.\($0)" }, p.line.map { "line \($0)" }].compactMap { $0 }.joined(separator: " ")
                out += paint(wrap("decided by the \(p.source.rawValue)\(place.isEmpty ? "" : ", " + place): \"\(quote)\"", width: 96, indent: "  ")) + "\n"
            }
        }
        return out
    }

    public static func wrapPublic(_ text: String, width: Int = 96, indent: String = "") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { wrap(String($0), width: width, indent: indent) }.joined(separator: "\n")
    }
}
