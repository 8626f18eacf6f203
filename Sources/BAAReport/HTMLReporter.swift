import BAAClauses
import BAAExtract
import BAAReview
import Foundation

/// One self-contained HTML page per review: a summary card (score, risk, parties, AI vendor and the three terms a
/// practice owner asks about), the element table, the findings by severity with model language and a question for
/// the vendor, and the whole normalized contract with every evidence span highlighted in its verdict's colour.
/// Inline CSS and a little inline script; no URL is fetched; readable without script and printable.
public struct HTMLReporter {
    /// Leave the contract text out: no contract section and no quotations (locations only).
    public var redact: Bool

    public init(redact: Bool = false) { self.redact = redact }

    // MARK: verdicts and colours

    /// good (green), warn (amber), bad (red), neutral (grey): the colour of an element's verdict, from its worst finding.
    public static func tone(of e: ElementResult, in r: Report) -> String { tone(of: e, findings: r.findings) }

    public static func tone(of e: ElementResult, findings: [Finding]) -> String {
        let worst = findings.filter { $0.element == e.id }.map(\.severity).max()
        switch worst {
        case .critical?, .high?: return "bad"
        case .medium?, .low?: return "warn"
        case .info?, nil:
            if e.stance == .permitted { return "warn" }
            return e.status == .missing ? "neutral" : "good"
        }
    }

    public static let toneWords = ["good": "fine", "warn": "ask about it", "bad": "needs a fix", "neutral": "not in it, no finding"]
    static let toneRank = ["neutral": 0, "good": 1, "warn": 2, "bad": 3]

    public static func verdict(_ e: ElementResult) -> String {
        var v = e.stance.map(\.rawValue) ?? e.status.rawValue
        if let s = e.stance, e.status == .weak { v = "\(s.rawValue) (weak)" }
        if let d = e.deadline { v += ", \(d.description)" }
        if let m = e.method, e.status != .missing { v += ", \(m.rawValue.replacingOccurrences(of: "_", with: " "))" }
        return v
    }

    static func place(_ e: Evidence) -> String {
        var parts: [String] = []
        if let s = e.section { parts.append("§\(s)") }
        parts.append("p.\(e.page):\(e.line)")
        return parts.joined(separator: " ")
    }

    static func anchorID(_ prefix: String, _ s: String) -> String {
        prefix + "-" + String(s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
    }

    // MARK: evidence spans

    /// One highlighted span of the contract: its byte range, and every element that cites it.
    public struct Span: Equatable {
        public var id: Int
        public var start: Int
        public var end: Int
        public var elements: [String]
        public var tone: String
        public var tip: String
    }

    /// The distinct evidence spans of the report's elements (and the AI-vendor statement), in text order, clamped
    /// to the text and to UTF-8 character boundaries. Finding evidence is element evidence, so it adds none.
    public static func spans(of r: Report, textBytes: [UInt8]) -> [Span] {
        func boundary(_ i: Int) -> Int {
            var i = max(0, min(i, textBytes.count))
            while i > 0 && i < textBytes.count && textBytes[i] & 0xC0 == 0x80 { i -= 1 }
            return i
        }
        var byRange: [Range<Int>: Int] = [:]
        var spans: [Span] = []
        func add(_ ev: Evidence, element id: String, title: String, verdict: String, citation: String, tone: String) {
            let s = boundary(ev.start), e = boundary(ev.end)
            guard s < e else { return }
            let tip = "\(title): \(verdict) · rule \(ev.rule) · \(TerminalReporter.citation(citation)) · \(ev.section.map { "§\($0), " } ?? "")page \(ev.page), line \(ev.line)"
            if let i = byRange[s..<e] {
                if !spans[i].elements.contains(id) { spans[i].elements.append(id); spans[i].tip += "\n" + tip }
                if toneRank[tone]! > toneRank[spans[i].tone]! { spans[i].tone = tone }
                return
            }
            byRange[s..<e] = spans.count
            spans.append(Span(id: 0, start: s, end: e, elements: [id], tone: tone, tip: tip))
        }
        for e in r.elements {
            for ev in e.evidence { add(ev, element: e.id, title: e.title, verdict: verdict(e), citation: e.citation, tone: tone(of: e, in: r)) }
        }
        if let ai = r.aiVendor, ai.detected, let ev = ai.evidence {
            add(ev, element: "ai_vendor", title: "AI vendor", verdict: "the agreement says AI processes PHI", citation: "AI vendor", tone: "neutral")
        }
        spans.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        for i in spans.indices { spans[i].id = i + 1 }
        return spans
    }

    // MARK: page

    public func render(_ r: Report, document: Document?) -> String {
        let text = redact ? nil : document?.text
        let bytes = Array((text ?? "").utf8)
        let spans = text == nil ? [] : HTMLReporter.spans(of: r, textBytes: bytes)
        // Where each element's and each evidence's first highlight is.
        var spanFor: [String: Int] = [:]
        for s in spans { spanFor["\(s.start):\(s.end)"] = s.id }
        func spanID(_ ev: Evidence) -> Int? { spanFor["\(ev.start):\(ev.end)"] ?? spans.first { $0.start <= ev.start && ev.start < $0.end }?.id }

        let name = (r.document.path as NSString).lastPathComponent
        var mainChildren: [HTMLNode] = [summary(r, spanID: spanID), elementTable(r, spanID: spanID), findings(r, spanID: spanID)]
        if let text, let document { mainChildren.append(contract(text: text, bytes: bytes, spans: spans, document: document)) }
        let nav = el("nav", ["aria-label": "Report sections"], el("ul", children: [
            el("li", el("a", ["href": "#summary"], txt("Summary"))),
            el("li", el("a", ["href": "#elements"], txt("Elements"))),
            el("li", el("a", ["href": "#findings"], txt("Findings (\(r.findings.count))"))),
        ] + (text == nil ? [] : [el("li", el("a", ["href": "#contract"], txt("Contract text")))])))

        let page = el("html", ["lang": "en"],
            el("head",
                el("meta", ["charset": "utf-8"]),
                el("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
                el("meta", ["name": "generator", "content": "baa \(r.tool.version)"]),
                el("title", txt("BAA review: \(name)")),
                el("style", .trusted(HTMLReporter.css))),
            el("body",
                el("a", ["class": "skip", "href": "#main"], txt("Skip to the report")),
                el("header", ["class": "top"],
                    el("h1", txt("Business Associate Agreement review")),
                    el("p", ["class": "doc"], txt(r.document.path)),
                    nav),
                el("main", attrs: [("id", "main")], mainChildren),
                el("footer",
                    el("p", txt("baa \(r.tool.version) · clause library \(r.tool.clauseLibrary.version) (\(r.tool.clauseLibrary.sha256.prefix(12))) · playbook: \(r.scoring.playbook) · \(r.document.format), \(r.document.pages) page\(r.document.pages == 1 ? "" : "s") · document sha256 \(r.document.sha256.prefix(16))")),
                    el("p", txt("This report flags terms for a human reviewer; it is not legal advice."))),
                el("script", .trusted(HTMLReporter.script))))
        return "<!DOCTYPE html>\n" + page.rendered + "\n"
    }

    // MARK: summary card

    func summary(_ r: Report, spanID: (Evidence) -> Int?) -> HTMLNode {
        func evLink(_ ev: Evidence?) -> [HTMLNode] {
            guard let ev else { return [] }
            let label = "(\(HTMLReporter.place(ev)))"
            if let id = spanID(ev) { return [txt(" "), el("a", ["href": "#ev-\(id)", "class": "loc"], txt(label))] }
            return [txt(" "), el("span", ["class": "loc"], txt(label))]
        }
        /// The link and, unless redacted, the words the verdict rests on.
        func evQuote(_ ev: Evidence?) -> [HTMLNode] {
            guard let ev else { return [] }
            if redact { return evLink(ev) }
            let quote = ev.text.count > 170 ? String(ev.text.prefix(167)) + "…" : ev.text
            return evLink(ev) + [el("br"), el("q", ["class": "said"], txt(quote))]
        }
        var rows: [HTMLNode] = []
        func row(_ term: String, _ tone: String, _ value: [HTMLNode]) {
            rows.append(el("div", ["class": "flag \(tone)"],
                el("dt", txt(term)),
                el("dd", children: [el("span", ["class": "badge \(tone)"], txt(HTMLReporter.toneWords[tone]!)), txt(" ")] + value)))
        }
        // AI training.
        if let e = r.element("ai_training") {
            let ev = e.evidence.first
            let words: String
            switch e.stance ?? .silent {
            case .prohibited: words = "prohibited: the vendor may not use your patients' information to train or improve AI models"
            case .permitted: words = "permitted: the vendor may use your patients' information (or data derived from it) to train or improve AI models"
            case .silent: words = "not addressed: the agreement does not say whether the vendor may train AI models on your patients' information"
            }
            row("AI training", HTMLReporter.tone(of: e, in: r), [txt(words + (e.status == .weak ? " (the wording is weak)" : ""))] + evQuote(ev))
        }
        // Breach notice against HIPAA's 60 days.
        if let e = r.element("breach_notification") {
            let words: String
            if let d = e.deadline {
                let days = d.calendarDays
                let approx = d.unit == .calendar_days || d.unit == .days ? "" : " (about \(days < 1 ? "\(d.value) hours" : "\(Int(days.rounded(.up))) calendar days"))"
                words = days > 60
                    ? "\(d.description)\(approx): later than HIPAA's 60-day outer limit"
                    : "\(d.description)\(approx): within HIPAA's 60-day outer limit"
            } else if e.status == .missing {
                words = "not addressed: the agreement does not require the vendor to tell you about a breach (HIPAA: no later than 60 days after discovery)"
            } else {
                words = "required, but no deadline is stated: HIPAA's outer limit of 60 days after discovery applies"
            }
            row("Breach notice", HTMLReporter.tone(of: e, in: r), [txt(words)] + evQuote(e.evidence.first))
        }
        // Subcontractor flow-down.
        if let e = r.element("subcontractors") {
            let words: String
            switch e.status {
            case .present: words = "strong: subcontractors must agree to the same restrictions and conditions as the vendor"
            case .weak: words = "weak: subcontractors are bound, but not clearly to the same restrictions and conditions (for example \"substantially similar\" terms only)"
            case .missing: words = "not addressed: nothing binds the vendor's subcontractors to protect your patients' information"
            }
            row("Subcontractors", HTMLReporter.tone(of: e, in: r), [txt(words)] + evQuote(e.evidence.first))
        }

        // Parties.
        var partyNodes: [HTMLNode] = []
        if let p = r.parties, p.source != .none {
            func names(_ n: [String]) -> String { n.isEmpty ? "(not named)" : n.map { "“\($0)”" }.joined(separator: ", ") }
            partyNodes.append(el("dt", txt("Business associate (the vendor)")))
            partyNodes.append(el("dd", txt(names(p.ba))))
            partyNodes.append(el("dt", txt("Covered entity (the practice)")))
            partyNodes.append(el("dd", txt(names(p.ce) + (p.subcontractorAgreement ? " · a subcontractor agreement: the subcontractor plays the business associate" : ""))))
            if p.source == .override {
                partyNodes.append(el("dd", ["class": "note"], txt("given on the command line (--ba / --ce)")))
            } else if let d = p.decidedBy, !redact {
                let quote = d.count > 240 ? String(d.prefix(237)) + "…" : d
                let place = [p.page.map { "page \($0)" }, p.line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ", ")
                partyNodes.append(el("dd", ["class": "note"], txt("decided by the \(p.source.rawValue)\(place.isEmpty ? "" : " (\(place))"): "), el("q", txt(quote))))
            }
        } else {
            partyNodes.append(el("dt", txt("Parties")))
            partyNodes.append(el("dd", txt("not named in the preamble: the review reads the agreement's own words (“Business Associate”, “Covered Entity”)")))
        }
        var aiNodes: [HTMLNode] = [el("dt", txt("AI vendor"))]
        if let ai = r.aiVendor, ai.detected {
            var dd: [HTMLNode] = [el("strong", txt("yes")), txt(": the agreement says patient information is processed by AI")]
            dd += evLink(ai.evidence)
            if let ev = ai.evidence, !redact { dd += [txt(" "), el("q", txt(ev.text.count > 160 ? String(ev.text.prefix(157)) + "…" : ev.text))] }
            aiNodes.append(el("dd", children: dd))
        } else {
            aiNodes.append(el("dd", children: [el("strong", txt("no")), txt(": the agreement does not say AI processes patient information")]))
        }

        let counts = Severity.allCases.compactMap { s -> String? in
            let n = r.findings.filter { $0.severity == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }
        var warnings: [HTMLNode] = []
        if !r.document.ocrPages.isEmpty { warnings.append(el("li", txt("Pages \(r.document.ocrPages.map(String.init).joined(separator: ", ")) were read by OCR: check their highlights against the original."))) }
        for w in r.document.warnings { warnings.append(el("li", txt(w))) }

        return el("section", ["id": "summary", "class": "card", "aria-labelledby": "summary-h"], children: [
            el("h2", ["id": "summary-h"], txt("Summary")),
            el("div", ["class": "score"],
                el("p", ["class": "big"], el("span", ["class": "num"], txt("\(r.score)")), txt(" / 100")),
                el("p", children: [txt("Risk: "), el("span", ["class": "badge risk-\(r.risk.rawValue)"], txt(r.risk.rawValue.uppercased()))]),
                el("p", ["class": "counts"], txt(r.findings.isEmpty ? "no findings" : "Findings: " + counts.joined(separator: ", ")))),
            el("h3", txt("The three terms to check first")),
            el("dl", ["class": "flags"], children: rows),
            el("h3", txt("Who is who")),
            el("dl", ["class": "facts"], children: partyNodes + aiNodes),
        ] + (warnings.isEmpty ? [] : [el("h3", txt("Warnings")), el("ul", children: warnings)]))
    }

    // MARK: elements

    func elementTable(_ r: Report, spanID: (Evidence) -> Int?) -> HTMLNode {
        func group(_ kind: String) -> String {
            switch kind {
            case "required": return "Required by 45 CFR 164.504(e)"
            case "diligence": return "Due diligence (AI vendors)"
            default: return "Risk terms"
            }
        }
        var bodies: [HTMLNode] = []
        for kind in ["required", "risk", "diligence"] {
            let els = r.elements.filter { $0.kind == kind }
            if els.isEmpty { continue }
            var rows: [HTMLNode] = [el("tr", ["class": "group"], el("th", ["scope": "colgroup", "colspan": "4"], txt(group(kind))))]
            for e in els {
                let tone = HTMLReporter.tone(of: e, in: r)
                var whereNodes: [HTMLNode] = []
                var lastPlace = "", repeatCount = 1
                for (i, ev) in e.evidence.enumerated() {
                    if i > 0 { whereNodes.append(txt(" ")) }
                    // Several passages at one place: the place once, then [2], [3].
                    var label = HTMLReporter.place(ev)
                    if label == lastPlace { repeatCount += 1; label = "[\(repeatCount)]" } else { lastPlace = label; repeatCount = 1 }
                    if let id = spanID(ev) {
                        whereNodes.append(el("a", attrs: [("href", "#ev-\(id)"), ("class", "loc"), ("title", "rule \(ev.rule)"),
                                                          ("aria-label", "passage \(i + 1): \(HTMLReporter.place(ev))")], [txt(label)]))
                    } else {
                        whereNodes.append(el("span", ["class": "loc", "title": "rule \(ev.rule)"], txt(label)))
                    }
                }
                if whereNodes.isEmpty { whereNodes = [el("span", ["class": "none"], txt("not found"))] }
                let meaning = HTMLReporter.plain[e.id]?.meaning ?? ""
                rows.append(el("tr", ["id": "el-\(e.id)", "class": tone],
                    el("th", ["scope": "row"], el("span", ["class": "term"], txt(e.title)), el("span", ["class": "meaning"], txt(meaning)), el("code", txt(e.id))),
                    el("td", el("span", ["class": "badge \(tone)"], txt(HTMLReporter.verdict(e)))),
                    el("td", txt(TerminalReporter.citation(e.citation))),
                    el("td", children: whereNodes)))
            }
            bodies.append(el("tbody", children: rows))
        }
        return el("section", ["id": "elements", "aria-labelledby": "elements-h"], children: [
            el("h2", ["id": "elements-h"], txt("Every element")),
            el("p", ["class": "legend"], children: [txt("Colours: ")] + ["good", "warn", "bad", "neutral"].flatMap { t in
                [el("span", ["class": "badge \(t)"], txt(HTMLReporter.toneWords[t]!)), txt(" ")]
            } + [txt(redact ? "" : "Select a location to see the words in the contract.")]),
            el("table", ["class": "elements"], children: [
                el("caption", txt("\(r.elements.count) elements: verdict, citation and where the agreement says it")),
                el("thead", el("tr",
                    el("th", ["scope": "col"], txt("Term and what it means")),
                    el("th", ["scope": "col"], txt("Verdict")),
                    el("th", ["scope": "col"], txt("Citation")),
                    el("th", ["scope": "col"], txt("Where")))),
            ] + bodies),
        ])
    }

    // MARK: findings

    func findings(_ r: Report, spanID: (Evidence) -> Int?) -> HTMLNode {
        var children: [HTMLNode] = [el("h2", ["id": "findings-h"], txt("Findings by severity"))]
        if r.findings.isEmpty { children.append(el("p", txt("No findings: every required term is present."))) }
        for sev in Severity.allCases {
            let fs = r.findings.filter { $0.severity == sev }
            if fs.isEmpty { continue }
            var items: [HTMLNode] = []
            for f in fs {
                var body: [HTMLNode] = [
                    el("h4", el("span", ["class": "badge sev-\(sev.rawValue)"], txt(sev.rawValue.uppercased())), txt(" " + f.title)),
                    el("p", ["class": "meta"], txt("\(f.element) · \(TerminalReporter.citation(f.citation))")),
                    el("p", txt(f.detail)),
                ]
                if !f.evidence.isEmpty {
                    var evs: [HTMLNode] = []
                    for ev in f.evidence {
                        var li: [HTMLNode] = []
                        if let id = spanID(ev) { li.append(el("a", ["href": "#ev-\(id)", "class": "loc"], txt(HTMLReporter.place(ev)))) } else { li.append(el("span", ["class": "loc"], txt(HTMLReporter.place(ev)))) }
                        if !redact { li += [txt(" "), el("q", txt(ev.text))] }
                        evs.append(el("li", children: li))
                    }
                    body.append(el("ul", ["class": "evidence"], children: evs))
                }
                body.append(el("p", ["class": "ask"], el("strong", txt("Ask the vendor: ")), txt(HTMLReporter.ask(f))))
                body.append(el("details", ["open": "open"], el("summary", txt("Recommended language")), el("blockquote", ["class": "model"], txt(f.recommendation))))
                items.append(el("li", attrs: [("class", "finding sev-\(sev.rawValue)"), ("id", "f-\(f.fingerprint)")], body))
            }
            children.append(el("section", ["aria-labelledby": "sev-\(sev.rawValue)"],
                el("h3", ["id": "sev-\(sev.rawValue)"], txt("\(sev.rawValue.capitalized) (\(fs.count))")),
                el("ol", ["class": "findings"], children: items)))
        }
        return el("section", ["id": "findings", "aria-labelledby": "findings-h"], children: children)
    }

    static func ask(_ f: Finding) -> String {
        if f.element == "breach_notification" && f.kind != "missing" {
            return "Will you commit to notifying us of a breach within a fixed number of days after discovery (no later than 60 calendar days, sooner if our policy requires), and write that number into the agreement?"
        }
        if f.element == "ai_training" && f.kind == "ai_permitted" {
            return "Will you remove the right to train or improve AI models on our patients' information, or data derived from it, and say so in the agreement?"
        }
        return plain[f.element]?.ask ?? "Will you add this term, in the recommended language below, to the agreement?"
    }

    // MARK: contract

    func contract(text: String, bytes: [UInt8], spans: [Span], document: Document) -> HTMLNode {
        // Anchors: the start of each page (from the source map) and of each numbered section.
        var anchors: [Int: [HTMLNode]] = [:]
        var pages: [Int] = []
        var lastPage = 0
        for (off, loc) in zip(document.sourceMap.offsets, document.sourceMap.locations) where loc.page != lastPage && off <= bytes.count {
            lastPage = loc.page
            pages.append(loc.page)
            anchors[off, default: []].append(el("span", ["class": "page", "id": "page-\(loc.page)", "data-page": "page \(loc.page)"]))
        }
        var sectionLinks: [HTMLNode] = []
        var seen: Set<String> = []
        let segments = Segmenter().segment(text)
        let headingStarts = Set(segments.paragraphs.filter(\.isHeadingOnly).map(\.range.lowerBound))
        for s in segments.sections {
            guard let n = s.number, s.range.lowerBound <= bytes.count else { continue }
            let id = HTMLReporter.anchorID("sec", n)
            if !seen.insert(id).inserted { continue }
            anchors[s.range.lowerBound, default: []].append(el("span", ["class": "sec", "id": id]))
            let label = "§" + n + (s.heading.map { " " + ($0.count > 40 ? String($0.prefix(39)) + "…" : $0) } ?? "")
            sectionLinks.append(el("li", el("a", ["href": "#\(id)"], txt(label))))
        }

        // Cut the text at every span boundary and anchor; each piece is covered by a fixed set of spans.
        // Each line of the normalized text (a paragraph) is a block of its own, its newline kept at its end.
        var paragraphStarts: Set<Int> = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A && i + 1 < bytes.count { paragraphStarts.insert(i + 1) }
        var cuts = Set(anchors.keys).union(paragraphStarts)
        cuts.insert(bytes.count)
        for s in spans { cuts.insert(s.start); cuts.insert(s.end) }
        let points = cuts.sorted()
        var paragraphs: [HTMLNode] = []
        var nodes: [HTMLNode] = []
        var paragraphStart = 0
        func flush() {
            if nodes.isEmpty { return }
            paragraphs.append(el("p", attrs: headingStarts.contains(paragraphStart) ? [("class", "h")] : [], nodes))
            nodes = []
        }
        var active: [Int] = []   // indices into spans, by start
        var next = 0
        var opened: Set<Int> = []
        for (i, p) in points.enumerated() {
            if paragraphStarts.contains(p) { flush(); paragraphStart = p }
            if let a = anchors[p] { nodes += a }
            guard i + 1 < points.count else { break }
            let q = points[i + 1]
            active.removeAll { spans[$0].end <= p }
            while next < spans.count && spans[next].start <= p { if spans[next].end > p { active.append(next) }; next += 1 }
            let piece = String(decoding: bytes[p..<q], as: UTF8.self)
            if active.isEmpty { nodes.append(txt(piece)); continue }
            let covering = active.map { spans[$0] }
            let tone = covering.max { HTMLReporter.toneRank[$0.tone]! < HTMLReporter.toneRank[$1.tone]! }!.tone
            var attrs: [(String, String)] = [
                ("class", "hl \(tone)\(covering.count > 1 ? " overlap" : "")"),
                ("data-spans", covering.map { "\($0.id)" }.joined(separator: " ")),
                ("data-el", covering.flatMap(\.elements).first { $0 != "ai_vendor" } ?? covering[0].elements[0]),
                ("title", covering.map(\.tip).joined(separator: "\n")),
            ]
            // The first piece of a span carries its id, is focusable, and is described by its tip.
            if let first = covering.first(where: { $0.start == p && !opened.contains($0.id) }) {
                opened.insert(first.id)
                attrs.insert(("id", "ev-\(first.id)"), at: 0)
                attrs.append(("tabindex", "0"))
                attrs.append(("aria-describedby", "tip-\(first.id)"))
                // Spans that start here too get an anchor of their own.
                for other in covering where other.start == p && other.id != first.id && !opened.contains(other.id) {
                    opened.insert(other.id)
                    nodes.append(el("span", ["id": "ev-\(other.id)", "class": "ev-anchor", "tabindex": "-1"]))
                }
            }
            nodes.append(.element("mark", attrs, [txt(piece)]))
        }
        flush()
        let tips = spans.map { el("li", ["id": "tip-\($0.id)"], txt($0.tip)) }
        var jump: [HTMLNode] = []
        if pages.count > 1 {
            jump.append(el("p", children: [txt("Pages: ")] + pages.flatMap { [el("a", ["href": "#page-\($0)"], txt("\($0)")), txt(" ")] }))
        }
        if !sectionLinks.isEmpty {
            jump.append(el("details", ["class": "toc"], el("summary", txt("Sections (\(sectionLinks.count))")), el("ul", children: sectionLinks)))
        }
        return el("section", ["id": "contract", "aria-labelledby": "contract-h"], children: [
            el("h2", ["id": "contract-h"], txt("The contract, highlighted")),
            el("p", ["class": "legend"], txt("The normalized text the review read. Each highlight is a piece of evidence: hover or focus it (Tab) for the rule, citation, page and line; press Enter on it to go back to its element.")),
        ] + jump + [
            el("div", ["class": "contract", "lang": "en"], children: paragraphs),
            el("ul", ["hidden": "hidden", "class": "tips"], children: tips),
        ])
    }
}

extension HTMLReporter {
    /// A plain-language meaning of each element and the question to ask the vendor when it is missing or weak.
    static let plain: [String: (meaning: String, ask: String)] = [
        "permitted_uses": ("What the vendor may do with your patients' information: only what it needs to provide its service to you.",
                           "Which uses of our patients' information does your service need, and will you list them in the agreement?"),
        "no_other_use": ("The vendor may not use or share patient information in any other way than the agreement or the law allows.",
                         "Will you add that you will not use or disclose our PHI other than as the agreement permits or the law requires?"),
        "safeguards": ("The vendor must protect electronic patient information as the HIPAA Security Rule requires.",
                       "Will you commit to comply with the HIPAA Security Rule (45 CFR Part 164, Subpart C) for our electronic PHI?"),
        "report_disclosures": ("The vendor must tell you about any use or disclosure the agreement does not allow, and about security incidents.",
                               "Will you report to us any use or disclosure not allowed by the agreement, and any security incident, that you become aware of?"),
        "breach_notification": ("The vendor must tell you when patient information is breached, in time for you to notify patients (HIPAA's outer limit: 60 days from discovery).",
                                "How many days after discovering a breach will you notify us, and will you put that number in the agreement?"),
        "subcontractors": ("Anyone the vendor passes patient information to must agree to the same restrictions and conditions.",
                           "Do your subcontractors sign agreements with the same restrictions and conditions as this one, and who are they?"),
        "access": ("The vendor must help you give patients a copy of their records.",
                   "Will you make our PHI available to us in time for us to answer a patient's request for access (164.524)?"),
        "amendment": ("The vendor must help you correct patients' records when they ask.",
                      "Will you make the amendments to PHI that we direct under 164.526?"),
        "accounting": ("The vendor must track disclosures so you can tell a patient who received their information.",
                       "Will you document disclosures and give us what we need to provide an accounting of disclosures (164.528)?"),
        "privacy_rule_compliance": ("Where the vendor carries out your HIPAA duties for you, it must follow the Privacy Rule as you would.",
                                    "Where you carry out our Privacy Rule obligations, will you comply with the requirements that apply to us?"),
        "hhs_books_records": ("The federal regulator (HHS) may inspect the vendor's records about your patients' information.",
                              "Will you make your internal practices, books and records available to HHS for compliance reviews?"),
        "return_destroy": ("When the contract ends, the vendor must return or destroy patient information.",
                           "When the agreement ends, will you return or destroy all our PHI, and keep protecting anything you cannot return?"),
        "termination_for_breach": ("You may end the contract if the vendor violates a material term.",
                                   "Will you add our right to terminate the agreement if you violate a material term?"),
        "ai_training": ("Whether the vendor may use your patients' information to train or improve AI models.",
                        "Will you state in the agreement that you will not use our PHI, or data derived from it, to train or improve AI models?"),
        "deidentification": ("Whether the vendor may strip identifiers from patient information and then use it for its own purposes.",
                             "Do you de-identify our data, for what purposes, and under which HIPAA method?"),
        "data_aggregation": ("Whether the vendor may combine your patients' information with other clients' data.",
                             "Do you combine our PHI with other customers' data, and only for our health care operations?"),
        "minimum_necessary": ("The vendor should use only the minimum patient information needed for each task.",
                              "Will you limit your uses, disclosures and requests of our PHI to the minimum necessary?"),
        "sale_of_phi_prohibited": ("The vendor may not sell patient information.",
                                   "Will you add that you will not sell our PHI or receive payment in exchange for it?"),
        "offshore_restriction": ("Whether patient information may be stored or accessed outside the United States.",
                                 "Where is our data stored and accessed from, and will you keep it in the United States?"),
        "indemnification": ("Who pays if the vendor's mistake causes a breach or a penalty.",
                            "Will you indemnify us for costs arising from your breach of the agreement or of HIPAA?"),
        "insurance": ("Whether the vendor must carry cyber liability insurance to cover a breach.",
                      "What cyber liability insurance do you carry, and will you name the coverage in the agreement?"),
        "audit_rights": ("Whether you can check the vendor's security: an audit, or its SOC 2 / HITRUST reports and access logs.",
                         "Will you give us your latest SOC 2 Type II or HITRUST report, and the access logs for our PHI, on request?"),
        "deidentification_standard": ("If the vendor de-identifies data, whether it must meet HIPAA's de-identification standard (164.514).",
                                      "Which HIPAA de-identification method (Safe Harbor or Expert Determination) do you use, and will the agreement require it?"),
        "ai_transparency": ("Whether the vendor names the AI models or providers that process your patients' information.",
                            "Which AI models and model providers process our PHI, and will you tell us before adding new ones?"),
        "ai_change_control": ("Whether the vendor must tell you before materially changing the AI that processes your data.",
                              "Will you notify us before material changes to the AI models that process our PHI, and re-validate them?"),
    ]
}
