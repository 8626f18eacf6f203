import BAAExtract
import BAAReview
import Foundation

/// `baa extract --outline`: the document tree the review reads, one paragraph a line, indented under its parent,
/// so a reviewer can check how a document was read (which lead-in an item inherits, where a list ends).
public enum OutlineRenderer {
    public static func render(_ document: Document) -> String {
        render(text: document.text, segments: Segmenter().segment(document.text), sourceMap: document.sourceMap)
    }

    public static func render(text: String, segments: Segments, sourceMap: SourceMap) -> String {
        let bytes = Array(text.utf8)
        var out = ""
        for p in segments.paragraphs {
            let loc = sourceMap.location(at: p.range.lowerBound)
            var line = String(decoding: bytes[p.range], as: UTF8.self)
            if line.count > 110 { line = String(line.prefix(107)) + "..." }
            let tag = p.kind.rawValue
            let section = p.section.map { "§" + $0 } ?? "-"
            out += "p\(loc.page):\(loc.line)\t\(section)\t" + String(repeating: "  ", count: p.depth) + "[\(tag)] " + line + "\n"
        }
        return out
    }
}
