import BAAClauses
import BAAReview
import Foundation

/// The reviewer's view: first the summary card (file, score and risk, and the three terms a practice owner asks
/// about in plain words: AI training, breach notice against HIPAA's 60 days, subcontractor flow-down), then the
/// document's facts, the element table and the findings by severity with evidence, section and line. Every line
/// is wrapped to `width`. Model language is printed once per element and finding kind; for low and info findings
/// a pointer to `baa explain` stands in for it. Colours only on a TTY and never when NO_COLOR is set.
public struct TerminalReporter {
    public var color: Bool
    public var explain: Bool
    /// Only the summary card and the findings' titles (`baa review --brief`).
    public var brief: Bool
    /// Columns to wrap to (`terminalWidth()`).
    public var width: Int

    public init(color: Bool, explain: Bool = false, brief: Bool = false, width: Int = 100) {
        self.color = color; self.explain = explain; self.brief = brief; self.width = max(40, width)
    }

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

    // MARK: width

    /// The width to wrap to: COLUMNS when it is a number, else the terminal's width (TIOCGWINSZ on standard
    /// output), else 100; never under 40 (nothing readable fits in less).
    public static func terminalWidth(environment: [String: String] = ProcessInfo.processInfo.environment, fd: Int32 = STDOUT_FILENO) -> Int {
        if let c = environment["COLUMNS"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), c > 0 { return max(40, c) }
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(40, Int(size.ws_col)) }
        return 100
    }

    /// Columns a line takes on screen: characters, not counting colour escapes (ESC [ ... m).
    static func visibleWidth<S: StringProtocol>(_ s: S) -> Int {
        var n = 0
        var inEscape = false
        for u in s.unicodeScalars {
            if inEscape { if u == "m" { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            if u.properties.generalCategory == .nonspacingMark || u.properties.generalCategory == .enclosingMark { continue }
            n += 1
        }
        return n
    }

    static func stripEscapes(_ s: String) -> String {
        var out = ""
        var inEscape = false
        for u in s.unicodeScalars {
            if inEscape { if u == "m" { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            out.unicodeScalars.append(u)
        }
        return out
    }

    /// One logical line fitted to `width`: words wrapped, continuation lines indented by `hang` (by default the
    /// line's own indent plus two), a word longer than a line cut where it must be.
    public static func fit(_ line: String, width: Int, hang: Int? = nil) -> [String] {
        if visibleWidth(line) <= width { return [line] }
        let lead = line.prefix { $0 == " " }.count
        let hangWidth = min(hang ?? lead + 2, width / 2)
        let firstIndent = String(repeating: " ", count: lead)
        let nextIndent = String(repeating: " ", count: hangWidth)
        var out: [String] = []
        var current = firstIndent
        var currentWidth = lead
        var empty = true
        func room() -> Int { width - currentWidth }
        var trailingReset = false
        // Words with the spaces before them, so that a line's own alignment (padded columns) survives.
        var tokens: [(sep: String, word: String)] = []
        var sep = "", word = ""
        for ch in line.dropFirst(lead) {
            if ch == " " {
                if !word.isEmpty { tokens.append((sep, word)); sep = ""; word = "" }
                sep.append(ch)
            } else { word.append(ch) }
        }
        if !word.isEmpty { tokens.append((sep, word)) }
        for (sep, wordStr) in tokens {
            var word = wordStr
            var w = visibleWidth(word)
            if !empty && sep.count + w > room() {
                out.append(current)
                current = nextIndent; currentWidth = hangWidth; empty = true
            }
            // A word wider than a whole line (a long path): cut it. Its colour escapes are dropped first (a reset it
            // carried is put back after it).
            if w > width - hangWidth && word.contains("\u{1B}") {
                let reset = word.contains("\u{1B}[0m")
                word = stripEscapes(word)
                if reset { trailingReset = true }
            }
            while w > room() - (empty ? 0 : sep.count) && room() > 0 {
                let take = empty ? room() : room() - sep.count
                if take <= 0 { break }
                let head = String(word.prefix(take))
                current += (empty ? "" : sep) + head
                out.append(current)
                current = nextIndent; currentWidth = hangWidth; empty = true
                word = String(word.dropFirst(take)); w = visibleWidth(word)
            }
            if word.isEmpty { continue }
            current += (empty ? "" : sep) + word
            currentWidth += (empty ? 0 : sep.count) + w
            empty = false
        }
        if !empty { out.append(current) }
        if trailingReset, !out.isEmpty { out[out.count - 1] += "\u{1B}[0m" }
        return out
    }

    /// Text made of logical lines, each fitted to `width`.
    struct Lines {
        var width: Int
        var out: [String] = []
        mutating func add(_ s: String, hang: Int? = nil) {
            for line in s.split(separator: "\n", omittingEmptySubsequences: false) { out += TerminalReporter.fit(String(line), width: width, hang: hang) }
        }
        var text: String { out.isEmpty ? "" : out.joined(separator: "\n") + "\n" }
    }

    // MARK: summary card

    /// ✓ fine, ! ask about it, ✗ needs a fix, ? not in it: from the element's worst finding (as the HTML report colours it).
    func toneMark(_ tone: String) -> String {
        switch tone {
        case "good": return paint("✓", "32")
        case "warn": return paint("!", "33")
        case "bad": return paint("✗", "31")
        default: return paint("?", "2")
        }
    }

    /// The three terms a practice owner asks about, in plain words: AI training, breach notice against HIPAA's
    /// 60-day outer limit, subcontractor flow-down. Each is (label, tone, words).
    public static func flags(_ r: Report) -> [(label: String, tone: String, words: String)] {
        func at(_ e: ElementResult) -> String { e.evidence.first?.section.map { " (§\($0))" } ?? e.evidence.first.map { " (p.\($0.page) line \($0.line))" } ?? "" }
        var out: [(String, String, String)] = []
        if let e = r.element("ai_training") {
            var words: String
            switch e.stance ?? .silent {
            case .prohibited: words = "prohibited: the vendor may not train AI on your data"
            case .permitted: words = "permitted: the vendor may train AI on your data"
            case .silent: words = "not addressed: the agreement is silent"
            }
            if e.status == .weak && e.stance != .silent { words += " (weak wording)" }
            out.append(("AI training", HTMLReporter.tone(of: e, in: r), words + at(e)))
        }
        if let e = r.element("breach_notification") {
            let words: String
            if let d = e.deadline {
                let days = d.calendarDays
                let approx = d.unit == .calendar_days || d.unit == .days ? "" : " (~\(days < 1 ? "1" : "\(Int(days.rounded(.up)))") days)"
                words = "\(d.description)\(approx): " + (days > 60 ? "later than HIPAA's 60-day limit" : "within HIPAA's 60-day limit")
            } else if e.status == .missing {
                words = "not addressed: no duty to report a breach (HIPAA: 60 days)"
            } else {
                words = "no deadline stated: HIPAA's 60-day limit applies"
            }
            out.append(("Breach notice", HTMLReporter.tone(of: e, in: r), words + at(e)))
        }
        if let e = r.element("subcontractors") {
            let words: String
            switch e.status {
            case .present: words = "the same restrictions flow down"
            case .weak: words = "weak: not clearly the same terms (e.g. \"substantially similar\")"
            case .missing: words = "not addressed: nothing binds subcontractors"
            }
            out.append(("Subcontractors", HTMLReporter.tone(of: e, in: r), words + at(e)))
        }
        return out
    }

    /// The card: the file, score and risk, then the three flags (at most 8 lines down to 60 columns for a path
    /// that fits on one line).
    func card(_ r: Report, into lines: inout Lines) {
        // The path when it fits on the line, else the file name (the path follows the card).
        var title = "baa review: \(r.document.path)"
        if TerminalReporter.visibleWidth(title) > width { title = "baa review: " + (r.document.path as NSString).lastPathComponent }
        lines.add(bold(title), hang: 2)
        let n = r.findings.count
        lines.add("Score \(bold("\(r.score)/100"))  Risk \(riskLabel(r.risk))  \(n == 0 ? "no findings" : "\(n) finding\(n == 1 ? "" : "s")")")
        for f in TerminalReporter.flags(r) {
            lines.add("  \(toneMark(f.tone)) \(f.label.padding(toLength: 16, withPad: " ", startingAt: 0))\(f.words)", hang: 20)
        }
    }

    // MARK: report

    public func render(_ r: Report) -> String { render([r]) }

    /// Several reports, one after the other: model language is printed once per element and finding kind.
    public func render(_ reports: [Report]) -> String {
        var seen: Set<String> = []
        return reports.map { render($0, seenRecommendations: &seen) }.joined(separator: "\n")
    }

    func render(_ r: Report, seenRecommendations seen: inout Set<String>) -> String {
        var lines = Lines(width: width)
        card(r, into: &lines)
        if brief {
            lines.add("")
            lines.add(bold("Findings (\(r.findings.count))"))
            if r.findings.isEmpty { lines.add("  none") }
            for sev in Severity.allCases {
                for f in r.findings where f.severity == sev {
                    lines.add("  \(severityLabel(f.severity).padding(toLength: severityPad(f.severity), withPad: " ", startingAt: 0)) \(f.title)", hang: 11)
                }
            }
            return lines.text
        }
        let shownPath = TerminalReporter.visibleWidth("baa review: \(r.document.path)") > width ? r.document.path + "  ·  " : ""
        lines.add(paint("\(shownPath)\(r.document.format), \(r.document.pages) page\(r.document.pages == 1 ? "" : "s")  ·  clause library \(r.tool.clauseLibrary.version) (\(r.tool.clauseLibrary.sha256.prefix(12)))", "2"))
        if let parties = r.parties { lines.add(TerminalReporter.parties(parties, paint: { self.paint($0, "2") }, width: .max).trimmingCharacters(in: .newlines)) }
        for w in r.document.warnings { lines.add(paint("warning: ", "33") + w) }
        if let ai = r.aiVendor {
            if ai.detected, let e = ai.evidence {
                let excerpt = e.text.count > 120 ? String(e.text.prefix(117)) + "..." : e.text
                lines.add("AI vendor: \(bold("yes"))  (\(TerminalReporter.location(e))) \"\(excerpt.replacingOccurrences(of: "\n", with: " "))\"")
            } else {
                lines.add("AI vendor: no  (the agreement does not say AI processes PHI: AI transparency and change control are not findings)")
            }
        }
        lines.add("")
        lines.add(bold("Elements"))
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
            let row = "  \(mark) \(e.id.padding(toLength: 25, withPad: " ", startingAt: 0)) \(verdict.padding(toLength: 26, withPad: " ", startingAt: 0))"
            if let ev = e.evidence.first {
                let place = TerminalReporter.location(ev)
                // The location beside the verdict when it fits, else on its own line under the element.
                if TerminalReporter.visibleWidth(row) + TerminalReporter.visibleWidth(place) + 2 <= width {
                    lines.add(row + "  " + paint(place, "2"))
                } else {
                    lines.add(row.trimmingTrailingSpaces)
                    lines.add("      " + paint(place, "2"))
                }
            } else {
                lines.add(row.trimmingTrailingSpaces)
            }
            if explain {
                lines.add(paint("      rules fired: \(e.rulesFired.isEmpty ? "none" : e.rulesFired.joined(separator: ", "))", "2"))
                for v in e.vetoed {
                    lines.add(paint("      vetoed: \(v.rule) by guard '\(v.guardName)' (\"\(v.text)\"\(v.section.map { ", §" + $0 } ?? ""), line \(v.line))", "2"))
                }
            }
        }
        lines.add("")
        lines.add(bold("Findings (\(r.findings.count))"))
        if r.findings.isEmpty { lines.add("  none") }
        for sev in Severity.allCases {
            for f in r.findings where f.severity == sev {
                lines.add("")
                lines.add("  [\(severityLabel(f.severity))] \(bold(f.title))", hang: 4)
                lines.add(paint("    \(f.element) · \(TerminalReporter.citation(f.citation)) · \(f.fingerprint)", "2"))
                lines.add("    " + f.detail)
                for e in f.evidence {
                    lines.add("    " + paint(TerminalReporter.location(e) + " [\(e.rule)]", "2"))
                    lines.add("      \"\(e.text)\"")
                }
                // Model language once per element and kind; for low and info findings a pointer to it.
                let key = f.element + "\u{1F}" + f.kind
                if f.severity <= .low {
                    lines.add("    " + paint("Recommended language:", "1") + " baa explain \(f.element)")
                } else if seen.insert(key).inserted {
                    lines.add("    " + paint("Recommended language:", "1"))
                    lines.add("      " + f.recommendation)
                } else {
                    lines.add("    " + paint("Recommended language:", "1") + " as above for \(f.element)")
                }
            }
        }
        if explain {
            lines.add("")
            lines.add(bold("Score"))
            var score = "  100"
            for c in r.scoring.contributions where c.points > 0 { score += " - \(c.points) (\(c.element), \(c.severity.rawValue))" }
            score += " = \(r.score)  →  risk \(r.risk.rawValue) (bands: \(r.scoring.bands.map { "≥\($0.minScore) \($0.risk.rawValue)" }.joined(separator: ", ")); playbook: \(r.scoring.playbook))"
            lines.add(score)
        }
        return lines.text
    }

    func severityPad(_ s: Severity) -> Int {
        // The label's colour escapes do not take columns: pad to 8 visible.
        let label = severityLabel(s)
        return label.count + max(0, 8 - TerminalReporter.visibleWidth(label))
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

extension TerminalReporter {
    /// Who is who, and the sentence that decided it.
    static func parties(_ p: PartyRoles, paint: (String) -> String, width: Int = 96) -> String {
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
                out += paint(wrap("decided by the \(p.source.rawValue)\(place.isEmpty ? "" : ", " + place): \"\(quote)\"", width: width, indent: "  ")) + "\n"
            }
        }
        return out
    }

    public static func wrapPublic(_ text: String, width: Int = 96, indent: String = "") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { wrap(String($0), width: width, indent: indent) }.joined(separator: "\n")
    }
}
