import BAAUtil
import Foundation
import PCRE2

/// A paragraph of normalized text (one line), with the section it belongs to.
public struct Paragraph: Sendable, Equatable {
    public var range: Range<Int>
    /// The section number in force here, e.g. "3.3(a)", "IV", "Exhibit A".
    public var section: String?
    /// The heading of the enclosing numbered section, e.g. "Reporting".
    public var heading: String?
    public var sectionIndex: Int
    /// The ancestors that give this paragraph its context, nearest first: the lead-ins ("Business Associate
    /// shall:"), item sub-headings ("a) Breaches of Unsecured PHI") and list items it sits under, whatever the
    /// nesting depth and whatever blank lines or sub-headings stand between them. A rule's pattern that matches
    /// in one of them counts for this paragraph.
    public var context: [Range<Int>] = []
    /// True for a table-of-contents line or a bare heading (no obligation can live there).
    public var isHeadingOnly: Bool
    /// What the paragraph is in the outline.
    public var kind: OutlineKind = .paragraph
    /// The paragraph index of its parent in the outline (a lead-in, an item, a sub-heading), if any.
    public var parent: Int?
    /// Depth in the outline under the enclosing section (0: the section's own paragraphs).
    public var depth: Int = 0

    /// The nearest lead-in or item above this paragraph, if any.
    public var leadIn: Range<Int>? { context.first }

    public init(range: Range<Int>, section: String?, heading: String?, sectionIndex: Int, context: [Range<Int>] = [],
                isHeadingOnly: Bool, kind: OutlineKind = .paragraph, parent: Int? = nil, depth: Int = 0) {
        self.range = range
        self.section = section
        self.heading = heading
        self.sectionIndex = sectionIndex
        self.context = context
        self.isHeadingOnly = isHeadingOnly
        self.kind = kind
        self.parent = parent
        self.depth = depth
    }
}

/// The role a paragraph plays in the document's outline.
public enum OutlineKind: String, Sendable, Codable {
    /// A section heading (numbered, in capitals, or Markdown), with or without text after it.
    case heading
    /// A paragraph that introduces items: it ends in ":" (or "shall", "agrees to").
    case leadIn = "lead-in"
    /// A numbered, lettered or bulleted item, or an unlabelled line under a lead-in.
    case item
    /// An item that is only a title ("a) Breaches of Unsecured PHI"), or an unlabelled sub-heading under a
    /// lead-in: the paragraphs after it are its body.
    case itemHeading = "item-heading"
    /// A paragraph under an item heading.
    case body
    /// A row of a table ("Breach reporting | within 48 hours").
    case tableRow = "table-row"
    /// A paragraph with no outline parent.
    case paragraph
}

/// A unit that rules with `scope: sentence` match inside.
public struct Sentence: Sendable, Equatable {
    public var range: Range<Int>
    public var paragraph: Int
}

/// A numbered section: from one top-level heading to the next.
public struct Section: Sendable, Equatable {
    public var range: Range<Int>
    public var number: String?
    public var heading: String?
    public var firstParagraph: Int
    public var lastParagraph: Int
}

/// Sections, paragraphs and sentences of a document, all as UTF-8 byte ranges.
public struct Segments: Sendable {
    public var paragraphs: [Paragraph] = []
    public var sentences: [Sentence] = []
    public var sections: [Section] = []
}

/// Splits normalized text (one paragraph per line) into sections, paragraphs and sentences.
public struct Segmenter: Sendable {
    public init() {}

    // Labels at the start of a paragraph (PCRE2, compiled once; ^ is the line start).
    static let topLabel = try! Regex(
        #"^(?:#{1,6}\s*)?(?:(?:section|sec\.|§)\s*(\d{1,3}(?:\.\d{1,3})*)|(article|exhibit|schedule|appendix|addendum|attachment)\s+([ivxlcdm]+|\d{1,3}|[a-z])\b|(\d{1,3}(?:\.\d{1,3})*)(?:[.)]|\s)|(?-i:([IVXLC]{1,6}))\.\s)"#)
    // "(a)", "a)", "(ii)", "ii)", and lower-case "a." / "ii." items (upper-case roman numerals are articles).
    static let subLabel = try! Regex(#"^(?:\(?([a-z]{1,2}|[ivxlc]{1,6}|\d{1,2})\)|(?-i:([a-z]|[ivxlc]{1,6}))\.)\s"#)
    static let tocLine = try! Regex(#"(?:\.{4,}|\s{2,}|\t)\s*\d{1,3}\s*$"#, caseless: false)

    public func segment(_ text: String) -> Segments {
        segment(text, matcher: Matcher())
    }

    /// Segments with the caller's (per-thread) PCRE2 match state.
    public func segment(_ text: String, matcher: Matcher) -> Segments {
        var seg = Segments()
        let utf8 = Array(text.utf8)
        var start = 0
        var topNumber: String?
        var topHeading: String?
        var subNumber: String?
        var pendingCapsHeading: String?
        var sectionStart = 0
        var sectionFirstPara = 0
        var leadIn: Range<Int>?
        var leadInIsNumbered = false
        var nextItemNumber = 1
        var sectionsOut: [Section] = []
        var features: [Features] = []
        var headingsByNumber: [String: String] = [:]

        func closeSection(at end: Int, lastPara: Int) {
            if end > sectionStart {
                sectionsOut.append(Section(range: sectionStart..<end, number: topNumber, heading: topHeading,
                                           firstParagraph: sectionFirstPara, lastParagraph: max(sectionFirstPara, lastPara)))
            }
        }

        var i = 0
        while i <= utf8.count {
            if i == utf8.count || utf8[i] == UInt8(ascii: "\n") {
                let range = start..<i
                if !range.isEmpty {
                    // Markdown emphasis around a label ("**1.16** ...") does not hide it.
                    let line = Segmenter.stripEmphasis(String(decoding: utf8[range], as: UTF8.self))
                    let subject = Subject(line)
                    func group(_ m: Match, _ g: Int) -> String? { m.group(g).map(subject.text) }
                    func after(_ m: Match) -> String { subject.text(m.range.upperBound..<subject.count) }
                    let paraIndex = seg.paragraphs.count
                    var headingOnly = false
                    var isItem = false
                    var feature = Features()
                    if let m = (try? matcher.firstMatch(Segmenter.topLabel, in: subject)) ?? nil {
                        var number: String?
                        for g in [1, 4, 5] { if let t = group(m, g) { number = t } }
                        if let kind = group(m, 2), let n = group(m, 3) {
                            number = kind.capitalized + " " + n.uppercased()
                        }
                        let startsNew = number != nil
                        // "Business Associate agrees to:" followed by "1. ...", "2. ...": numbered items keep the lead-in
                        // (plain numbers only, under a lead-in that is not itself a plain-numbered paragraph).
                        // The items are numbered on from 1 (a nested lead-in keeps the count), so a section heading
                        // after the list ("2. Obligations" after items 1-3) is not taken for an item.
                        if startsNew, leadIn != nil, !leadInIsNumbered, let n = group(m, 4), !n.contains("."),
                           Int(n) == nextItemNumber, !Segmenter.isCapsHeading(after(m)) {
                            isItem = true
                            feature.style = "num"
                            feature.label = n
                            feature.itemText = after(m)
                            subNumber = "(" + n + ")"
                            nextItemNumber += 1
                        }
                        feature.isHeading = startsNew && !isItem
                        if startsNew && !isItem {
                            // A new top-level section.
                            closeSection(at: range.lowerBound, lastPara: paraIndex - 1)
                            sectionStart = range.lowerBound
                            sectionFirstPara = paraIndex
                            topNumber = number
                            subNumber = nil
                            let rest = after(m).trimmingWhitespace()
                            // "2.1 Business Associate may ..." has no heading of its own: it sits under "2. Permitted Uses".
                            var parent: String?
                            if let n = number, let dot = n.lastIndex(of: ".") { parent = headingsByNumber[String(n[..<dot])] }
                            topHeading = Segmenter.heading(from: rest) ?? pendingCapsHeading ?? parent
                            if let n = number, let h = topHeading { headingsByNumber[n] = h }
                            pendingCapsHeading = nil
                            headingOnly = Segmenter.isHeadingOnly(rest)
                            leadIn = nil
                        }
                    } else if let m = (try? matcher.firstMatch(Segmenter.subLabel, in: subject)) ?? nil {
                        let label = group(m, 1) ?? group(m, 2) ?? ""
                        subNumber = "(" + label + ")"
                        isItem = true
                        feature.style = Segmenter.labelShape(line) + Segmenter.labelClass(label)
                        feature.label = label
                        feature.itemText = after(m)
                    } else if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("• ") {
                        isItem = true
                        feature.style = String(line.prefix(1))
                        feature.itemText = String(line.dropFirst(2))
                        feature.unticked = Segmenter.isUnticked(line)
                        feature.ticked = Segmenter.isTicked(line)
                    } else if line == "-" || line == "*" || line == "•" {
                        // A bullet whose text a PDF put on a line of its own, further down.
                        isItem = true
                        feature.style = line
                        feature.bare = true
                        feature.itemText = ""
                    } else if let rest = Segmenter.checklistItem(line) {
                        isItem = true
                        feature.style = "check"
                        feature.itemText = rest
                        feature.unticked = Segmenter.isUnticked(line)
                        feature.ticked = !feature.unticked
                    } else if Segmenter.isTableRow(line) {
                        isItem = true
                        feature.style = "table"
                        feature.itemText = line
                    } else if Segmenter.isCapsHeading(line) || line.hasPrefix("#") {
                        feature.isHeading = true
                        // An unnumbered heading (in capitals, or Markdown) starts a section; one in capitals also
                        // names the numbered section that follows it.
                        let caps = Segmenter.isCapsHeading(line)
                        headingOnly = true
                        closeSection(at: range.lowerBound, lastPara: paraIndex - 1)
                        sectionStart = range.lowerBound
                        sectionFirstPara = paraIndex
                        topNumber = nil
                        subNumber = nil
                        topHeading = caps ? line.trimming(charactersIn: "#*: ").capitalized : line.trimming(charactersIn: "# ")
                        if caps { pendingCapsHeading = topHeading }
                        leadIn = nil
                    }
                    if subject.count < 240, ((try? matcher.firstMatch(Segmenter.tocLine, in: subject)) ?? nil) != nil { headingOnly = true }
                    var section = topNumber
                    if let sub = subNumber { section = (section ?? "") + sub }
                    let paragraph = Paragraph(range: range, section: section, heading: topHeading, sectionIndex: sectionsOut.count,
                                              isHeadingOnly: headingOnly)
                    seg.paragraphs.append(paragraph)
                    // A paragraph ending in ":" (or "shall" / "agrees to") introduces the items after it.
                    let trimmed = line.trimmingWhitespace()
                    feature.endsLeadIn = Segmenter.endsLeadIn(trimmed)
                    let itemText = (feature.itemText ?? trimmed).trimmingWhitespace()
                    feature.titleOnly = headingOnly || (!itemText.isEmpty && !";,.".contains(itemText.last ?? " ")
                        && Segmenter.isHeadingOnly(itemText))
                    features.append(feature)
                    if feature.endsLeadIn {
                        // A numbered item that introduces sub-items keeps its list's count.
                        if feature.style != "num" { nextItemNumber = 1 }
                        leadIn = range
                        leadInIsNumbered = feature.isHeading && Segmenter.startsWithPlainNumber(trimmed)
                    } else if !isItem {
                        leadIn = nil
                    }
                    for s in Segmenter.sentences(in: utf8, range: range) {
                        seg.sentences.append(Sentence(range: s, paragraph: paraIndex))
                    }
                }
                start = i + 1
            }
            i += 1
        }
        closeSection(at: utf8.count, lastPara: seg.paragraphs.count - 1)
        if sectionsOut.isEmpty {
            sectionsOut.append(Section(range: 0..<utf8.count, number: nil, heading: nil, firstParagraph: 0, lastParagraph: 0))
        }
        Segmenter.outline(&seg.paragraphs, features: features)
        // In a checklist that has been filled in (some box ticked), an empty box is an option not taken: no term
        // lives there. In a blank template (no box ticked) the options are read as written.
        if features.contains(where: \.ticked) {
            for i in features.indices where features[i].unticked { seg.paragraphs[i].isHeadingOnly = true }
        }
        // Fix sectionIndex to refer to the final section list.
        seg.sections = sectionsOut
        var s = 0
        for p in seg.paragraphs.indices {
            while s + 1 < sectionsOut.count && sectionsOut[s + 1].range.lowerBound <= seg.paragraphs[p].range.lowerBound { s += 1 }
            seg.paragraphs[p].sectionIndex = s
        }
        return seg
    }

    /// What the first pass learns of a paragraph for the outline.
    struct Features {
        /// The item's label style ("(a", "a)", "-", "num", "table", "check", ...); nil for a paragraph with no label.
        var style: String?
        var label: String?
        /// The item's text after its label.
        var itemText: String?
        /// A bullet with no text (a PDF put the text further down).
        var bare = false
        /// A section heading (numbered, capitals, Markdown) that is not an item.
        var isHeading = false
        var endsLeadIn = false
        /// A title with no sentence in it (the whole line, or the item's text after its label).
        var titleOnly = false
        /// A checklist line whose box is empty, or ticked.
        var unticked = false
        var ticked = false
    }

    /// An open node of the outline while it is built.
    private struct Frame {
        var paragraph: Int
        var style: String?
        var kind: OutlineKind
        var label: String?
        var labelledChildren = 0
        var bodies = 0
    }

    /// Builds the outline over the paragraphs: each paragraph's parent, depth, kind and context (its ancestors,
    /// nearest first). Headings close every open list; an item closes its siblings' subtrees; an unlabelled
    /// paragraph is the body of an item heading, an unlabelled item of a lead-in that has no labelled item yet,
    /// or the end of the list.
    static func outline(_ paragraphs: inout [Paragraph], features: [Features]) {
        var stack: [Frame] = []
        func attach(_ i: Int, kind: OutlineKind) {
            paragraphs[i].kind = kind
            paragraphs[i].parent = stack.last?.paragraph
            paragraphs[i].depth = stack.count
            paragraphs[i].context = stack.reversed().prefix(4).map { paragraphs[$0.paragraph].range }
            // An item that is only a title carries no duty of its own: its body does, with the title as context.
            if kind == .itemHeading { paragraphs[i].isHeadingOnly = true }
        }
        // A title-only item is an item heading when an unlabelled paragraph follows it that is its body: not a
        // heading, and not a short lead-in with a subject of its own ("Processor will:").
        func hasBody(_ i: Int) -> Bool {
            guard i + 1 < features.count else { return false }
            let next = features[i + 1]
            if next.style != nil || next.isHeading { return false }
            if next.endsLeadIn {
                let r = paragraphs[i + 1].range
                return r.count > 60
            }
            return true
        }
        for i in paragraphs.indices {
            let f = features[i]
            if f.isHeading {
                stack.removeAll()
                attach(i, kind: f.titleOnly ? .heading : f.endsLeadIn ? .leadIn : .paragraph)
                if f.endsLeadIn { stack.append(Frame(paragraph: i, style: nil, kind: .leadIn)) }
                continue
            }
            if var style = f.style {
                // "(i)" after "(h)" is the ninth letter, not a roman numeral ("(v)" after "(u)", "(x)" after "(w)").
                if style.hasSuffix("r"), let top = stack.last(where: { $0.style == String(style.dropLast()) + "a" }),
                   romanContinuesAlpha(top.label ?? "") {
                    style = String(style.dropLast()) + "a"
                }
                // A sibling closes the subtree of the item before it; a new style nests under the open node.
                if let k = stack.lastIndex(where: { $0.style == style }) {
                    stack.removeSubrange(k...)
                }
                if var top = stack.popLast() { top.labelledChildren += 1; stack.append(top) }
                let kind: OutlineKind = style == "table" ? .tableRow
                    : f.bare ? .item : f.endsLeadIn ? .leadIn : f.titleOnly && hasBody(i) ? .itemHeading : .item
                attach(i, kind: kind)
                stack.append(Frame(paragraph: i, style: style, kind: kind, label: f.label))
                continue
            }
            // An unlabelled paragraph. A short lead-in with a subject of its own ("Vendor shall not:") after a list
            // starts a list of its own: it closes the items and item headings above it.
            if f.endsLeadIn && paragraphs[i].range.count <= 60 {
                while let top = stack.last, top.kind != .leadIn || top.labelledChildren > 0 || top.style != nil { stack.removeLast() }
            }
            while let top = stack.last {
                // A bare bullet takes the one paragraph that carries its text (and its siblings' text, where a
                // PDF joined them); the next paragraph ends that list.
                let open = top.kind == .itemHeading || (top.kind == .item && features[top.paragraph].bare && top.bodies == 0)
                    || (top.kind == .leadIn && top.labelledChildren == 0)
                if open { break }
                stack.removeLast()
            }
            guard let top = stack.last else {
                attach(i, kind: f.endsLeadIn ? .leadIn : .paragraph)
                if f.endsLeadIn { stack.append(Frame(paragraph: i, style: nil, kind: .leadIn)) }
                continue
            }
            if top.kind == .leadIn && f.titleOnly && !f.endsLeadIn {
                // An unlabelled sub-heading under a lead-in: the paragraphs after it are its body.
                if let k = stack.lastIndex(where: { $0.style == "sub" }) { stack.removeSubrange(k...) }
                attach(i, kind: .itemHeading)
                stack.append(Frame(paragraph: i, style: "sub", kind: .itemHeading))
                continue
            }
            let kind: OutlineKind = f.endsLeadIn ? .leadIn : top.kind == .leadIn ? .item : .body
            attach(i, kind: kind)
            stack[stack.count - 1].bodies += 1
            if f.endsLeadIn { stack.append(Frame(paragraph: i, style: nil, kind: .leadIn)) }
        }
    }

    /// "h" then "i": the letter run goes on.
    static func romanContinuesAlpha(_ previous: String) -> Bool {
        ["h", "u", "w"].contains(previous.lowercased())
    }

    static func endsLeadIn(_ trimmed: String) -> Bool {
        let lower = trimmed.lowercased()
        return trimmed.hasSuffix(":") || lower.hasSuffix(" shall") || lower.hasSuffix(" agrees to") || lower.hasSuffix(":**")
            || lower.hasSuffix(" will") || lower.hasSuffix(" shall not") || lower.hasSuffix(" may")
    }

    static func startsWithPlainNumber(_ line: String) -> Bool {
        let digits = line.prefix { $0.isNumber }
        guard !digits.isEmpty else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ") || rest.hasPrefix(" ")
    }

    /// "(a" for "(a) ...", "a)" for "a) ...", "a." for "a. ...": the label's punctuation.
    static func labelShape(_ line: String) -> String {
        if line.hasPrefix("(") { return "(" }
        let label = line.prefix { $0.isLetter || $0.isNumber }
        return line.dropFirst(label.count).hasPrefix(")") ? ")" : "."
    }

    /// The label's class: d (digits), r (roman), a (lower-case letter), A (capital letter).
    static func labelClass(_ label: String) -> String {
        if label.allSatisfy(\.isNumber) { return "d" }
        let lower = label.lowercased()
        if lower.allSatisfy({ "ivxlc".contains($0) }) && (label.count > 1 || ["i", "v", "x"].contains(lower)) { return label == lower ? "r" : "R" }
        return label == lower ? "a" : "A"
    }

    /// "[x] text", "[ ] text", "☐ text", "☑ text", "✓ text": a checklist line, and its text.
    static func checklistItem(_ line: String) -> String? {
        for mark in ["[x] ", "[X] ", "[ ] ", "☐ ", "☑ ", "☒ ", "✓ ", "✔ ", "□ ", "■ "] where line.hasPrefix(mark) {
            return String(line.dropFirst(mark.count))
        }
        return nil
    }

    /// "[ ] ..." or "☐ ...": a box left empty.
    static func isUnticked(_ line: String) -> Bool {
        var s = Substring(line)
        if s.hasPrefix("- ") || s.hasPrefix("* ") || s.hasPrefix("• ") { s = s.dropFirst(2) }
        return s.hasPrefix("[ ] ") || s.hasPrefix("☐ ") || s.hasPrefix("□ ")
    }

    /// "[x] ...", "☑ ...", "✓ ...": a ticked box.
    static func isTicked(_ line: String) -> Bool {
        var s = Substring(line)
        if s.hasPrefix("- ") || s.hasPrefix("* ") || s.hasPrefix("• ") { s = s.dropFirst(2) }
        return ["[x] ", "[X] ", "☑ ", "☒ ", "✓ ", "✔ ", "■ "].contains { s.hasPrefix($0) }
    }

    /// A table row: cells separated by "|" (Markdown, or a converter's rendering of a table).
    static func isTableRow(_ line: String) -> Bool {
        guard line.utf8.count < 600 else { return false }
        let bars = line.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "|") ? 1 : 0) }
        return bars >= 2 || (bars == 1 && line.contains(" | "))
    }

    /// "Reporting. Business Associate shall..." -> "Reporting"; a short title-case run before the first period.
    static func heading(from rest: String) -> String? {
        guard !rest.isEmpty else { return nil }
        // Without emphasis asterisks (by scalar, as NSString's replacingOccurrences did, without its bridging cost).
        let stripped = rest.utf8.contains(UInt8(ascii: "*"))
            ? String(String.UnicodeScalarView(rest.unicodeScalars.filter { $0 != "*" })) : rest
        if let dot = stripped.firstIndex(where: { $0 == "." || $0 == ":" }) {
            let candidate = stripped[..<dot].trimmingWhitespace()
            let words = candidate.split(separator: " ")
            if !words.isEmpty && words.count <= 8 && words.allSatisfy({ $0.first?.isUppercase == true || ["of", "and", "or", "the", "to", "for", "in", "on", "by", "with", "a"].contains($0.lowercased()) }) {
                return candidate
            }
        }
        if isHeadingOnly(stripped) { return stripped.trimming(charactersIn: " .:") }
        return nil
    }

    static func stripEmphasis(_ line: String) -> String {
        guard line.hasPrefix("*") || line.hasPrefix("_") || line.hasPrefix("#") else { return line }
        var s = Substring(line)
        var prefix = ""
        while s.hasPrefix("#") { prefix += "#"; s = s.dropFirst() }
        if !prefix.isEmpty { s = s.drop(while: { $0 == " " }); prefix += " " }
        guard s.hasPrefix("**") || s.hasPrefix("__") || s.hasPrefix("*") else { return line }
        let marker = s.hasPrefix("**") ? "**" : s.hasPrefix("__") ? "__" : "*"
        s = s.dropFirst(marker.count)
        if let close = s.range(of: marker) { s = s[..<close.lowerBound] + s[close.upperBound...] }
        return prefix + s
    }

    /// A short line with no sentence in it: a heading or a table-of-contents entry.
    static func isHeadingOnly(_ rest: String) -> Bool {
        let t = rest.trimmingWhitespace()
        if t.isEmpty { return true }
        let words = t.split(separator: " ")
        if words.count > 10 { return false }
        if words.count > 5 && (t.hasSuffix(".") || t.hasSuffix(";")) { return false }
        // Headings are title case: "Permitted Uses and Disclosures". A run of lower-case words is a clause.
        let content = words.filter { !smallWords.contains($0.lowercased()) && $0.first?.isLetter == true }
        if content.count >= 3 && content.filter({ $0.first!.isLowercase }).count * 2 > content.count { return false }
        // A verb as a whole space-separated word makes it a clause ("Vendor shall ...").
        return !words.contains { clauseVerbs.contains($0.lowercased()) }
    }

    /// Words a title-case heading leaves in lower case.
    static let smallWords: Set<String> = ["of", "and", "or", "the", "to", "for", "in", "on", "by", "with", "a", "an", "as",
                                          "at", "its", "upon", "under", "from"]
    static let clauseVerbs: Set<String> = ["shall", "will", "may", "agrees", "must", "means", "is", "are"]

    static func isCapsHeading(_ line: String) -> Bool {
        guard line.utf8.count <= 270 else { return false }
        var letters = 0
        for scalar in line.unicodeScalars {
            // Most lines fail on their second letter: an ASCII lower-case letter.
            if scalar.value >= 0x61 && scalar.value <= 0x7A { return false }
            if scalar.properties.isAlphabetic {
                if !scalar.properties.isUppercase { return false }
                letters += 1
            }
        }
        return letters >= 4 && line.count <= 90
    }

    private static let abbreviations: Set<String> = [
        "c.f.r", "cfr", "u.s.c", "u.s", "e.g", "i.e", "no", "sec", "inc", "ltd", "co", "corp", "v", "vs", "etc", "mr", "ms", "dr",
        "st", "art", "para", "pub", "l", "stat", "fed", "reg", "id", "seq", "al", "cf", "p", "pp", "ch", "n",
    ]

    /// Sentence ranges in a paragraph: a period, ? or ! then a space and a capital, digit, quote or "(".
    /// Abbreviations (C.F.R., e.g., Inc.) and section numbers do not end a sentence.
    static func sentences(in utf8: [UInt8], range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            let c = utf8[i]
            if (c == UInt8(ascii: ".") || c == UInt8(ascii: "?") || c == UInt8(ascii: "!")) && i + 2 < range.upperBound && utf8[i + 1] == UInt8(ascii: " ") {
                var j = i + 2
                // Skip a closing quote or parenthesis.
                while j < range.upperBound && (utf8[j] == UInt8(ascii: "\"") || utf8[j] == UInt8(ascii: "'")) { j += 1 }
                let next = j < range.upperBound ? utf8[j] : 0
                let nextStarts = (next >= 65 && next <= 90) || next == UInt8(ascii: "(") || (next >= 48 && next <= 57) || next == UInt8(ascii: "\"") || next >= 0x80
                if nextStarts && c == UInt8(ascii: ".") {
                    // The word before the period.
                    var k = i - 1
                    while k >= start && utf8[k] != UInt8(ascii: " ") && utf8[k] != UInt8(ascii: "(") { k -= 1 }
                    let word = String(decoding: utf8[(k + 1)..<i], as: UTF8.self).lowercased()
                    let bare = word.trimming(charactersIn: "\"'()[],")
                    let isAbbrev = abbreviations.contains(bare) || (bare.count == 1 && bare.first!.isLetter)
                        || bare.allSatisfy({ $0.isNumber || $0 == "." }) && !bare.isEmpty && bare.count <= 8 && (i - start) < 12
                    if !isAbbrev {
                        out.append(start..<(i + 1))
                        start = i + 2
                    }
                } else if nextStarts {
                    out.append(start..<(i + 1))
                    start = i + 2
                }
            }
            i += 1
        }
        if start < range.upperBound { out.append(start..<range.upperBound) }
        return out
    }
}
