import CLibXML2
import Foundation

/// HTML through libxml2's forgiving HTML parser and a tree walk: visible text only, block structure kept.
/// Dropped: script, style, nav, header, footer, aside, noscript, template, forms' controls, and any element
/// that is hidden (`hidden`, `aria-hidden="true"`, `role="navigation"`, inline `display:none` /
/// `visibility:hidden`). Blocks (p, div, li, h1-h6, tr, ...) become lines; table cells are joined by
/// " | "; ordered list items are numbered "1." (type="1") or "(a)", "(A)", "(i)", "(I)" by their type.
/// Each line's location is the HTML source line where its text starts.
public struct HTMLExtractor: Extractor {
    public init() {}

    public func extract(data: Data, path: String, options: ExtractOptions) throws(ExtractError) -> RawDocument {
        guard data.count < Int(Int32.max) else { throw ExtractError(path: path, message: "HTML file too large") }
        let bytes = [UInt8](data)
        // HTML has no entity declarations; a DTD subset that makes some is an entity-expansion attempt.
        if OOXMLPackage.containsCaseless(bytes, "<!entity") {
            throw ExtractError(path: path, message: "HTML declares entities (<!ENTITY in a DTD subset): refused (entity expansion risk)")
        }
        // libxml2 builds a tree of about 130 bytes a node: count start tags first, so that a small file of
        // many tiny elements is refused before the tree is built (8 tags a paragraph is generous).
        var tags = 0
        var previous: UInt8 = 0
        for b in bytes {
            if previous == 0x3C && ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { tags += 1 }
            previous = b
        }
        if tags > options.maxParagraphs * 8 {
            throw ExtractError(path: path, message: "HTML has \(TimeBudget.count(tags)) elements, over 8 times the \(TimeBudget.count(options.maxParagraphs))-paragraph limit (--max-paragraphs)")
        }
        // Without a declared charset libxml2 assumes ISO-8859-1; valid UTF-8 is read as UTF-8.
        let hasBOM = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        let encoding: String? = !hasBOM && String(validating: bytes, as: UTF8.self) != nil ? "UTF-8" : nil
        let flags = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                htmlReadMemory(chars, Int32(buffer.count), path, encoding, flags)
            }
        }
        guard let parsed else { throw ExtractError(path: path, message: "unreadable HTML: the parser returned no document") }
        let document = LibXMLDocumentHandle(parsed)
        try options.checkBudget(path: path)
        var walker = HTMLTextWalker()
        walker.budget = options.budget
        if let root = xmlDocGetRootElement(document.pointer) { walker.walk(root, depth: 0) }
        if let over = walker.stopped { throw ExtractError(path: path, over) }
        walker.breakLine()
        return RawDocument(format: .html, lines: walker.lines, pageCount: 1, linesAreParagraphs: true)
    }
}

/// Owns an xmlDoc from libxml2.
final class LibXMLDocumentHandle {
    let pointer: xmlDocPtr
    init(_ pointer: xmlDocPtr) { self.pointer = pointer }
    deinit { xmlFreeDoc(pointer) }
}

struct HTMLTextWalker {
    private(set) var lines: [RawLine] = []
    /// Checked every 4,096 nodes; `stopped` is set when it runs out and the walk unwinds.
    var budget: TimeBudget?
    private(set) var stopped: OverBudget?
    private var nodes = 0
    private var current = ""
    private var currentLine = 0
    private var preDepth = 0
    private var cellIndex: [Int] = []
    private struct ListState { var ordered: Bool; var next: Int; var type: String }
    private var lists: [ListState] = []

    static let skipped: Set<String> = ["script", "style", "nav", "header", "footer", "aside", "noscript", "template",
                                       "head", "title", "svg", "iframe", "object", "button", "select", "input",
                                       "textarea", "menu", "dialog", "canvas", "map"]
    static let blocks: Set<String> = ["p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
                                      "blockquote", "pre", "dt", "dd", "address", "figcaption", "caption", "table",
                                      "tbody", "thead", "tfoot", "ul", "ol", "dl", "hr", "center", "form", "fieldset",
                                      "legend", "details", "summary", "figure", "body", "html"]

    mutating func breakLine() {
        let text = current.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty { lines.append(RawLine(text: text, page: 1, line: max(1, currentLine))) }
        current = ""
        currentLine = 0
    }

    private mutating func appendText(_ s: String, line: Int) {
        if preDepth > 0 {
            let parts = s.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() {
                if i > 0 { breakLine() }
                if currentLine == 0 && !part.allSatisfy(\.isWhitespace) { currentLine = line + i }
                current += part
            }
            return
        }
        var out = ""
        var lastSpace = current.isEmpty || current.last == " "
        for ch in s {
            if ch.isWhitespace {
                if !lastSpace { out.append(" ") }
                lastSpace = true
            } else {
                out.append(ch)
                lastSpace = false
            }
        }
        if currentLine == 0 && out.contains(where: { !$0.isWhitespace }) { currentLine = line }
        current += out
    }

    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { baa_xml_free(value) }
        return String(cString: value)
    }

    static func isHidden(_ node: xmlNodePtr) -> Bool {
        if xmlHasProp(node, "hidden") != nil { return true }
        if attribute(node, "aria-hidden")?.lowercased() == "true" { return true }
        if let role = attribute(node, "role")?.lowercased(), role == "navigation" || role == "banner" || role == "contentinfo" { return true }
        if attribute(node, "type")?.lowercased() == "hidden" { return true }
        if let style = attribute(node, "style")?.lowercased().replacingOccurrences(of: " ", with: "") {
            if style.contains("display:none") || style.contains("visibility:hidden") { return true }
        }
        return false
    }

    mutating func walk(_ first: xmlNodePtr, depth: Int) {
        guard depth < 400 else { return }
        var node: xmlNodePtr? = first
        while let n = node, stopped == nil {
            defer { node = n.pointee.next }
            nodes += 1
            if nodes & 4095 == 0, let budget {
                budget.note("parsing the HTML, \(TimeBudget.count(lines.count)) blocks into its text")
                do { try budget.check() } catch { stopped = error; return }
            }
            switch n.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = n.pointee.content {
                    appendText(String(cString: content), line: Int(xmlGetLineNo(n)))
                }
            case XML_ELEMENT_NODE:
                element(n, depth: depth)
            default:
                break
            }
        }
    }

    private mutating func element(_ n: xmlNodePtr, depth: Int) {
        guard let cName = n.pointee.name else { return }
        let name = String(cString: cName).lowercased()
        if HTMLTextWalker.skipped.contains(name) || HTMLTextWalker.isHidden(n) { return }
        let children = n.pointee.children
        switch name {
        case "br":
            breakLine()
        case "ol", "ul":
            breakLine()
            let start = HTMLTextWalker.attribute(n, "start").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 1
            lists.append(ListState(ordered: name == "ol", next: start, type: HTMLTextWalker.attribute(n, "type") ?? "1"))
            if let c = children { walk(c, depth: depth + 1) }
            lists.removeLast()
            breakLine()
        case "li":
            breakLine()
            if var list = lists.popLast() {
                if let v = HTMLTextWalker.attribute(n, "value").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { list.next = v }
                current = list.ordered ? HTMLTextWalker.label(list.next, type: list.type) + " " : "- "
                list.next &+= 1
                lists.append(list)
            } else {
                current = "- "
            }
            if let c = children { walk(c, depth: depth + 1) }
            breakLine()
        case "tr":
            breakLine()
            cellIndex.append(0)
            if let c = children { walk(c, depth: depth + 1) }
            cellIndex.removeLast()
            breakLine()
        case "td", "th":
            if var i = cellIndex.popLast() {
                if i > 0 && !current.trimmingCharacters(in: .whitespaces).isEmpty { current += " | " }
                i += 1
                cellIndex.append(i)
            }
            if let c = children { walk(c, depth: depth + 1) }
        case "pre":
            breakLine()
            preDepth += 1
            if let c = children { walk(c, depth: depth + 1) }
            preDepth -= 1
            breakLine()
        default:
            let block = HTMLTextWalker.blocks.contains(name)
            if block { breakLine() }
            if let c = children { walk(c, depth: depth + 1) }
            if block { breakLine() }
        }
    }

    static func label(_ n: Int, type: String) -> String {
        switch type {
        case "a": return "(" + DOCXNumbering.letters(n).lowercased() + ")"
        case "A": return "(" + DOCXNumbering.letters(n) + ")"
        case "i": return "(" + DOCXNumbering.roman(n).lowercased() + ")"
        case "I": return "(" + DOCXNumbering.roman(n) + ")"
        default: return "\(n)."
        }
    }
}
