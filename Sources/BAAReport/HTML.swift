import Foundation

/// A small HTML tree: every text node and attribute value is escaped when rendered, so the page is built from
/// nodes, never by pasting strings (the only raw content is the page's own fixed CSS and script).
public indirect enum HTMLNode {
    case element(String, [(String, String)], [HTMLNode])
    case text(String)
    /// Fixed markup from this module only (the style sheet, the script); never document text.
    case trusted(String)
    case fragment([HTMLNode])

    static let voidElements: Set<String> = ["meta", "br", "hr", "img", "input", "link"]

    public func render(into out: inout String) {
        switch self {
        case .text(let s): out += HTMLNode.escape(s)
        case .trusted(let s): out += s
        case .fragment(let nodes): for n in nodes { n.render(into: &out) }
        case .element(let name, let attrs, let children):
            out += "<" + name
            for (k, v) in attrs { out += " \(k)=\"\(HTMLNode.escape(v, attribute: true))\"" }
            out += ">"
            if HTMLNode.voidElements.contains(name) { return }
            for c in children { c.render(into: &out) }
            out += "</\(name)>"
        }
    }

    public var rendered: String { var s = ""; render(into: &s); return s }

    /// Escapes &, <, > (and " ' in attributes); also drops the C0 controls HTML does not allow.
    public static func escape(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(ch)
            case "\r": out += attribute ? " " : "\n"
            default:
                if ch.value < 0x20 || ch.value == 0x7F || (0x80...0x9F).contains(ch.value) { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

/// Builders: `el("p", ["class": "x"], .text("hi"))`.
public func el(_ name: String, _ attrs: KeyValuePairs<String, String> = [:], _ children: HTMLNode...) -> HTMLNode {
    .element(name, attrs.map { ($0.key, $0.value) }, children)
}

public func el(_ name: String, attrs: [(String, String)], _ children: [HTMLNode]) -> HTMLNode {
    .element(name, attrs, children)
}

public func el(_ name: String, _ attrs: KeyValuePairs<String, String> = [:], children: [HTMLNode]) -> HTMLNode {
    .element(name, attrs.map { ($0.key, $0.value) }, children)
}

public func txt(_ s: String) -> HTMLNode { .text(s) }

public func el(_ name: String, _ first: HTMLNode, _ rest: HTMLNode...) -> HTMLNode {
    .element(name, [], [first] + rest)
}

public func el(_ name: String, children: [HTMLNode]) -> HTMLNode {
    .element(name, [], children)
}
