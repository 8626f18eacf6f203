import BAAReview
import Foundation

/// `baa diff` printers: terminal (wrapped to the width), JSON (sorted keys, `kind: baa-diff`, schema version 1)
/// and a self-contained HTML page (the review report's style sheet, every text escaped, no script).
public struct DiffReporter {
    public var color: Bool
    public var width: Int

    public init(color: Bool = false, width: Int = 100) { self.color = color; self.width = max(40, width) }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// Words of context kept on each side of a change in the terminal; longer unchanged runs are cut to "…".
    static let context = 8

    static func directionWord(_ d: ReportDiff.Direction) -> String {
        switch d {
        case .worse: return "worse"
        case .better: return "better"
        case .changed: return "reworded"
        }
    }

    static func verdict(_ s: ReportDiff.State, id: String) -> String {
        var v = s.stance.map(\.rawValue) ?? s.status.rawValue
        if s.stance != nil, s.status == .weak { v += " (weak)" }
        if let d = s.deadline { v += ", \(d.description)" }
        if let m = s.method, s.status != .missing { v += ", \(m.rawValue.replacingOccurrences(of: "_", with: " "))" }
        return v
    }

    /// Unchanged runs longer than twice the context are cut in the middle ("…"), the start and end of the text too.
    static func trimmed(_ words: [ReportDiff.WordChange]) -> [ReportDiff.WordChange] {
        words.enumerated().map { i, w in
            guard w.op == .equal else { return w }
            let ws = WordDiff.words(w.text)
            let first = i == 0, last = i == words.count - 1
            let keepHead = first ? 0 : context, keepTail = last ? 0 : context
            guard ws.count > keepHead + keepTail + 1 else { return w }
            var parts: [String] = []
            if keepHead > 0 { parts.append(ws.prefix(keepHead).joined(separator: " ")) }
            parts.append("…")
            if keepTail > 0 { parts.append(ws.suffix(keepTail).joined(separator: " ")) }
            return .init(op: .equal, text: parts.joined(separator: " "))
        }
    }

    /// A word diff as text: [-deleted-] {+inserted+} (coloured red and green on a terminal), as `git diff --word-diff`.
    public func wordDiffText(_ words: [ReportDiff.WordChange], trim: Bool = true) -> String {
        (trim ? DiffReporter.trimmed(words) : words).map { w in
            switch w.op {
            case .equal: return w.text
            case .delete: return paint("[-" + w.text + "-]", "31")
            case .insert: return paint("{+" + w.text + "+}", "32")
            }
        }.joined(separator: " ")
    }

    // MARK: terminal

    public func terminal(_ d: ReportDiff) -> String {
        var lines = TerminalReporter.Lines(width: width)
        func bold(_ s: String) -> String { paint(s, "1") }
        lines.add(bold("baa diff: \(d.old.path) → \(d.new.path)"), hang: 2)
        let delta = d.scoreDelta == 0 ? "no change" : d.scoreDelta > 0 ? "+\(d.scoreDelta)" : "\(d.scoreDelta)"
        lines.add("Score \(d.old.score) → \(bold("\(d.new.score)/100")) (\(delta))  Risk \(d.old.risk.rawValue.uppercased()) → \(d.new.risk.rawValue.uppercased())")
        let worse = d.regressions.count, better = d.improvements.count
        lines.add("\(d.changed.count) element\(d.changed.count == 1 ? "" : "s") changed (\(worse) worse, \(better) better, \(d.changed.count - worse - better) reworded), \(d.unchanged.count) unchanged")
        if d.changed.isEmpty { lines.add("The two versions have the same verdict, findings and evidence text for every element.") }
        for c in d.changed {
            lines.add("")
            let mark = c.direction == .worse ? paint("✗", "31") : c.direction == .better ? paint("✓", "32") : paint("~", "33")
            let word = c.direction == .worse ? paint("WORSE", "1;31") : c.direction == .better ? paint("BETTER", "1;32") : "REWORDED"
            lines.add("\(mark) \(bold(c.id))  \(word)  \(c.title)", hang: 4)
            lines.add("    \(DiffReporter.verdict(c.before, id: c.id)) → \(DiffReporter.verdict(c.after, id: c.id))", hang: 6)
            for s in c.summary { lines.add("    · " + s, hang: 6) }
            if c.before.points != c.after.points { lines.add("    · points lost: \(c.before.points) → \(c.after.points)", hang: 6) }
            let places = [c.before.location.map { "old " + $0 }, c.after.location.map { "new " + $0 }].compactMap { $0 }
            if !places.isEmpty { lines.add(paint("    " + places.joined(separator: " · "), "2"), hang: 6) }
            if !c.words.isEmpty { lines.add("      " + wordDiffText(c.words), hang: 6) }
        }
        if !d.findingsAdded.isEmpty || !d.findingsRemoved.isEmpty {
            lines.add("")
            lines.add(bold("Findings") + " (\(d.old.findings) → \(d.new.findings))")
            for f in d.findingsAdded { lines.add("  + [\(f.severity.rawValue.uppercased())] \(f.title)", hang: 6) }
            for f in d.findingsRemoved { lines.add("  - [\(f.severity.rawValue.uppercased())] \(f.title)", hang: 6) }
        }
        if !d.unchanged.isEmpty {
            lines.add("")
            lines.add("Unchanged (\(d.unchanged.count)): " + d.unchanged.joined(separator: ", "), hang: 2)
        }
        return lines.text
    }

    // MARK: JSON

    public static func json(_ d: ReportDiff) throws -> String {
        String(decoding: try JSONReporter.encoder().encode(d), as: UTF8.self) + "\n"
    }

    // MARK: HTML

    static let css = """
    .delta{font-weight:700}.delta.down{color:var(--bad)}.delta.up{color:var(--good)}
    table.diff{width:100%;border-collapse:collapse;margin:.6rem 0}
    table.diff th,table.diff td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid var(--line)}
    table.diff thead th{border-bottom:2px solid var(--ink)}
    table.diff code{font-size:.85rem;color:var(--muted);display:block}
    ul.what{margin:0;padding-left:1.1rem}
    p.words{margin:.4rem 0 0;font-size:.95rem;line-height:1.6}
    del{background:var(--bad-bg);color:var(--ink);text-decoration:line-through}
    ins{background:var(--good-bg);color:var(--ink);text-decoration:underline}
    ul.unchanged{columns:3 14rem;padding-left:1.1rem}
    .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    @media print{del,ins{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
    """

    static func tone(_ d: ReportDiff.Direction) -> String { d == .worse ? "bad" : d == .better ? "good" : "warn" }

    public static func html(_ d: ReportDiff, toolVersion: String = BAAVersion.current) -> String {
        let oldName = (d.old.path as NSString).lastPathComponent, newName = (d.new.path as NSString).lastPathComponent
        let delta = d.scoreDelta == 0 ? "±0" : d.scoreDelta > 0 ? "+\(d.scoreDelta)" : "−\(-d.scoreDelta)"
        let summary = el("section", ["id": "summary", "class": "card", "aria-labelledby": "summary-h"],
            el("h2", ["id": "summary-h"], txt("What changed")),
            el("div", ["class": "score"],
                el("p", ["class": "big"], txt("Score \(d.old.score) → "), el("span", ["class": "num"], txt("\(d.new.score)")), txt(" / 100 "),
                   el("span", ["class": "delta \(d.scoreDelta < 0 ? "down" : d.scoreDelta > 0 ? "up" : "same")"], txt("(\(delta))"))),
                el("p", children: [txt("Risk: "), el("span", ["class": "badge risk-\(d.old.risk.rawValue)"], txt(d.old.risk.rawValue.uppercased())),
                                   txt(" → "), el("span", ["class": "badge risk-\(d.new.risk.rawValue)"], txt(d.new.risk.rawValue.uppercased()))]),
                el("p", ["class": "counts"], txt("\(d.changed.count) changed (\(d.regressions.count) worse, \(d.improvements.count) better), \(d.unchanged.count) unchanged"))),
            el("dl", ["class": "facts"],
                el("dt", txt("Old version")), el("dd", txt("\(d.old.path) (sha256 \(d.old.sha256.prefix(16)), \(d.old.findings) findings)")),
                el("dt", txt("New version")), el("dd", txt("\(d.new.path) (sha256 \(d.new.sha256.prefix(16)), \(d.new.findings) findings)"))))

        var rows: [HTMLNode] = []
        for c in d.changed {
            let tone = tone(c.direction)
            var what: [HTMLNode] = c.summary.map { el("li", txt($0)) }
            if c.before.points != c.after.points { what.append(el("li", txt("points lost: \(c.before.points) → \(c.after.points)"))) }
            var cell: [HTMLNode] = [el("ul", ["class": "what"], children: what)]
            if !c.words.isEmpty {
                let pieces: [HTMLNode] = c.words.enumerated().flatMap { i, w -> [HTMLNode] in
                    let node: HTMLNode
                    switch w.op {
                    case .equal: node = txt(w.text)
                    case .delete: node = el("del", txt(w.text))
                    case .insert: node = el("ins", txt(w.text))
                    }
                    return i == 0 ? [node] : [txt(" "), node]
                }
                cell.append(el("p", ["class": "words"], children: [el("span", ["class": "visually-hidden"], txt("Evidence, old to new: "))] + pieces))
            }
            let places = [c.before.location.map { "old: " + $0 }, c.after.location.map { "new: " + $0 }].compactMap { $0 }
            if !places.isEmpty { cell.append(el("p", ["class": "meta"], txt(places.joined(separator: " · ")))) }
            rows.append(el("tr", ["id": "el-\(c.id)", "class": tone],
                el("th", ["scope": "row"], el("span", ["class": "term"], txt(c.title)), el("code", txt(c.id))),
                el("td", el("span", ["class": "badge \(tone)"], txt(directionWord(c.direction)))),
                el("td", txt(verdict(c.before, id: c.id))),
                el("td", txt(verdict(c.after, id: c.id))),
                el("td", children: cell)))
        }
        var mainChildren: [HTMLNode] = [summary]
        var changedSection: [HTMLNode] = [el("h2", ["id": "changed-h"], txt("Changed elements (\(d.changed.count))"))]
        if d.changed.isEmpty {
            changedSection.append(el("p", txt("No element changed: the same verdict, findings and evidence text in both versions.")))
        } else {
            changedSection.append(el("p", ["class": "legend"], txt("Evidence text: "), el("del", txt("removed words")), txt(" "), el("ins", txt("added words")), txt(".")))
            changedSection.append(el("table", ["class": "diff"],
                el("caption", txt("Each changed element: its verdict before and after, what changed, and the evidence text word by word")),
                el("thead", el("tr",
                    el("th", ["scope": "col"], txt("Element")), el("th", ["scope": "col"], txt("Change")),
                    el("th", ["scope": "col"], txt("Old")), el("th", ["scope": "col"], txt("New")),
                    el("th", ["scope": "col"], txt("What changed")))),
                el("tbody", children: rows)))
        }
        mainChildren.append(el("section", ["id": "changed", "aria-labelledby": "changed-h"], children: changedSection))
        if !d.findingsAdded.isEmpty || !d.findingsRemoved.isEmpty {
            func list(_ fs: [ReportDiff.FindingRef]) -> HTMLNode {
                el("ul", children: fs.map { f in
                    el("li", el("span", ["class": "badge sev-\(f.severity.rawValue)"], txt(f.severity.rawValue.uppercased())), txt(" \(f.title) "), el("code", txt(f.element)))
                })
            }
            var fc: [HTMLNode] = [el("h2", ["id": "findings-h"], txt("Findings (\(d.old.findings) → \(d.new.findings))"))]
            if !d.findingsAdded.isEmpty { fc += [el("h3", txt("New in the new version (\(d.findingsAdded.count))")), list(d.findingsAdded)] }
            if !d.findingsRemoved.isEmpty { fc += [el("h3", txt("Gone from the new version (\(d.findingsRemoved.count))")), list(d.findingsRemoved)] }
            mainChildren.append(el("section", ["id": "findings", "aria-labelledby": "findings-h"], children: fc))
        }
        if !d.unchanged.isEmpty {
            mainChildren.append(el("section", ["id": "unchanged", "aria-labelledby": "unchanged-h"],
                el("h2", ["id": "unchanged-h"], txt("Unchanged (\(d.unchanged.count))")),
                el("ul", ["class": "unchanged"], children: d.unchanged.map { el("li", el("code", txt($0))) })))
        }
        let page = el("html", ["lang": "en"],
            el("head",
                el("meta", ["charset": "utf-8"]),
                el("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
                el("meta", ["name": "generator", "content": "baa \(toolVersion)"]),
                el("title", txt("BAA diff: \(oldName) → \(newName)")),
                el("style", .trusted(HTMLReporter.css + "\n" + css))),
            el("body",
                el("a", ["class": "skip", "href": "#main"], txt("Skip to the comparison")),
                el("header", ["class": "top"],
                    el("h1", txt("Business Associate Agreement: what changed")),
                    el("p", ["class": "doc"], txt("\(d.old.path) → \(d.new.path)")),
                    el("nav", ["aria-label": "Sections"], el("ul", children: [
                        el("li", el("a", ["href": "#summary"], txt("Summary"))),
                        el("li", el("a", ["href": "#changed"], txt("Changed (\(d.changed.count))"))),
                    ] + (d.findingsAdded.isEmpty && d.findingsRemoved.isEmpty ? [] : [el("li", el("a", ["href": "#findings"], txt("Findings")))])
                      + (d.unchanged.isEmpty ? [] : [el("li", el("a", ["href": "#unchanged"], txt("Unchanged")))])))),
                el("main", attrs: [("id", "main")], mainChildren),
                el("footer",
                    el("p", txt("baa \(toolVersion) · baa diff compares the two reviews element by element")),
                    el("p", txt("This comparison flags terms for a human reviewer; it is not legal advice.")))))
        return "<!DOCTYPE html>\n" + page.rendered + "\n"
    }
}
