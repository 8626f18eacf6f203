import BAAExtract
import BAAReport
import BAAReview
import Foundation
import XCTest

/// The HTML report rendered from a real review of a team agreement (c006: an AI vendor whose evidence spans
/// overlap ten times), with hostile markup put into its contract text.
final class HTMLReportTests: XCTestCase {
    static let agreement = "Corpus/agreements/c006-imaging-ai-baa-halcyon.txt"
    static let hostile = "Note <script>alert(\"pwned\")</script> & <img src=x onerror=alert(1)> 'quoted' \"double\" </mark></div>"

    /// The agreement with a line of hostile markup added after its title, reviewed in memory.
    func reviewed() throws -> (Report, Document) {
        var text = try String(contentsOf: Paths.root.appendingPathComponent(Self.agreement), encoding: .utf8)
        let firstBreak = text.firstIndex(of: "\n")!
        text.insert(contentsOf: "\n" + Self.hostile + "\n", at: firstBreak)
        let doc = Document.fromText(text, path: Self.agreement)
        return (Reviewer(library: try Paths.library()).review(doc), doc)
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func matches(_ pattern: String, in s: String) -> [[String]] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return re.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { m in
            (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: s).map { String(s[$0]) } ?? "" }
        }
    }

    func testContractTextIsEscapedAndWholeInTheHighlightedContract() throws {
        let (report, doc) = try reviewed()
        XCTAssertTrue(doc.text.contains("<script>"), "the hostile line is in the normalized text")
        let html = HTMLReporter().render(report, document: doc)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        // The page's own script is the only script; the hostile one is text.
        XCTAssertEqual(Self.matches("<script", in: html).count, 1, "one <script> element: the page's own")
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("alert(\"pwned\")</script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(\"pwned\")&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"))
        // No address of any kind to fetch.
        XCTAssertNil(html.range(of: "https?://", options: .regularExpression), "the page names no URL")
        XCTAssertNil(html.range(of: "<[a-z]+ [^>]*(src|href)=\"[^#]", options: .regularExpression), "no element loads anything")

        // The contract block, tags stripped and entities undone, is the normalized text, byte for byte.
        let contract = try XCTUnwrap(Self.matches("<div class=\"contract\" lang=\"en\">(.*?)</div><ul hidden", in: html).first?[1])
        let stripped = Self.unescape(contract.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression))
        XCTAssertEqual(stripped, doc.text)
    }

    func testEveryEvidenceSpanIsHighlightedExactlyOnce() throws {
        let (report, doc) = try reviewed()
        let html = HTMLReporter().render(report, document: doc)
        let bytes = Array(doc.text.utf8)
        // The distinct evidence spans of the report (elements and the AI-vendor statement).
        var ranges = Set<[Int]>()
        for e in report.elements { for ev in e.evidence { ranges.insert([ev.start, ev.end]) } }
        if let ev = report.aiVendor?.evidence { ranges.insert([ev.start, ev.end]) }
        XCTAssertGreaterThan(ranges.count, 15)
        let spans = HTMLReporter.spans(of: report, textBytes: bytes)
        XCTAssertEqual(Set(spans.map { [$0.start, $0.end] }), ranges, "one highlight per distinct evidence span")
        let overlapping = spans.filter { a in spans.contains { b in b.id != a.id && b.start < a.end && a.start < b.end } }
        XCTAssertGreaterThan(overlapping.count, 0, "this agreement has overlapping evidence")

        // Each mark: the spans covering it and its text. A span's marks, in order, spell its evidence exactly.
        let marks = Self.matches("<mark ([^>]*)>([^<]*)</mark>", in: html)
        XCTAssertFalse(marks.isEmpty)
        for s in spans {
            let mine = marks.filter { m in
                (Self.matches("data-spans=\"([0-9 ]+)\"", in: m[1]).first?[1] ?? "").split(separator: " ").contains(Substring("\(s.id)"))
            }
            let text = mine.map { Self.unescape($0[2]) }.joined()
            XCTAssertEqual(text, String(decoding: bytes[s.start..<s.end], as: UTF8.self), "span \(s.id) [\(s.start), \(s.end))")
            XCTAssertEqual(Self.matches("id=\"ev-\(s.id)\"", in: html).count, 1, "span \(s.id) has one anchor")
            // Its first mark is focusable and carries the rule, the citation and page:line.
            let first = try XCTUnwrap(mine.first)
            if first[1].contains("id=\"ev-\(s.id)\"") {
                XCTAssertTrue(first[1].contains("tabindex=\"0\""))
                XCTAssertTrue(first[1].contains("aria-describedby=\"tip-\(s.id)\""))
            }
            XCTAssertTrue(first[1].contains("rule "), "title names the rule")
            XCTAssertNotNil(first[1].range(of: "page [0-9]+, line [0-9]+", options: .regularExpression))
        }
        // Every element's evidence link points at a highlight that exists.
        for e in report.elements where !e.evidence.isEmpty {
            let row = try XCTUnwrap(Self.matches("<tr id=\"el-\(e.id)\"[^>]*>(.*?)</tr>", in: html).first?[1], e.id)
            for link in Self.matches("href=\"#(ev-[0-9]+)\"", in: row) {
                XCTAssertEqual(Self.matches("id=\"\(link[1])\"", in: html).count, 1, "\(e.id) links to \(link[1])")
            }
        }
        // The summary card comes first, with the three terms.
        let summary = try XCTUnwrap(html.range(of: "<section id=\"summary\""))
        XCTAssertLessThan(summary.lowerBound, try XCTUnwrap(html.range(of: "<section id=\"elements\"")).lowerBound)
        for term in ["AI training", "Breach notice", "Subcontractors", "AI vendor", "Business associate (the vendor)"] {
            XCTAssertTrue(html.contains("<dt>\(term)</dt>"), term)
        }
        XCTAssertTrue(html.contains("60-day outer limit"))
        XCTAssertTrue(html.contains("Ask the vendor: "))
    }

    /// The highlights of `html` against the report: the contract block is the text byte for byte, and each distinct
    /// evidence span (the JSON report's offsets) is spelled exactly by its marks and anchored once.
    static func checkHighlights(_ report: Report, _ doc: Document, _ html: String, _ name: String) throws {
        let contract = try XCTUnwrap(matches("<div class=\"contract\" lang=\"en\">(.*?)</div><ul hidden", in: html).first?[1], name)
        XCTAssertEqual(unescape(contract.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)), doc.text, "\(name): contract text")
        let bytes = Array(doc.text.utf8)
        var ranges = Set<[Int]>()
        for e in report.elements { for ev in e.evidence { ranges.insert([ev.start, ev.end]) } }
        if let ev = report.aiVendor?.evidence { ranges.insert([ev.start, ev.end]) }
        let spans = HTMLReporter.spans(of: report, textBytes: bytes)
        XCTAssertEqual(Set(spans.map { [$0.start, $0.end] }), ranges, "\(name): one highlight per distinct evidence span")
        var piecesBySpan: [Int: String] = [:]
        for m in matches("<mark ([^>]*)>([^<]*)</mark>", in: html) {
            for id in (matches("data-spans=\"([0-9 ]+)\"", in: m[1]).first?[1] ?? "").split(separator: " ") {
                piecesBySpan[Int(id)!, default: ""] += unescape(m[2])
            }
        }
        var anchors: [String: Int] = [:]
        for m in matches("id=\"(ev-[0-9]+)\"", in: html) { anchors[m[1], default: 0] += 1 }
        for s in spans {
            XCTAssertEqual(piecesBySpan[s.id], String(decoding: bytes[s.start..<s.end], as: UTF8.self), "\(name): span \(s.id) [\(s.start), \(s.end))")
            XCTAssertEqual(anchors["ev-\(s.id)"], 1, "\(name): span \(s.id) anchored once")
        }
        XCTAssertEqual(anchors.count, spans.count, "\(name): no other highlight anchors")
    }

    /// Every team agreement, and every real agreement read in place from ../shared/corpus-real (never copied here).
    func testEveryCorpusAgreementsHighlightsMatchItsEvidenceOffsetsExactly() throws {
        var files = try FileManager.default.contentsOfDirectory(atPath: Paths.root.appendingPathComponent("Corpus/agreements").path)
            .sorted().map { "Corpus/agreements/" + $0 }.map { Paths.root.appendingPathComponent($0).path }
        let real = Paths.corpusReal.appendingPathComponent("docs")
        if let docs = try? FileManager.default.contentsOfDirectory(atPath: real.path) {
            files += docs.filter { $0.hasSuffix(".txt") }.sorted().map { real.appendingPathComponent($0).path }
        } else {
            print("HTMLReportTests: \(real.path) is absent: the real agreements are not checked")
        }
        XCTAssertGreaterThanOrEqual(files.count, 50)
        let reviewer = Reviewer(library: try Paths.library())
        var spans = 0
        for f in files {
            let doc = try DocumentLoader().load(path: f)
            let report = reviewer.review(doc)
            let html = HTMLReporter().render(report, document: doc)
            try Self.checkHighlights(report, doc, html, (f as NSString).lastPathComponent)
            spans += HTMLReporter.spans(of: report, textBytes: Array(doc.text.utf8)).count
        }
        print("HTMLReportTests: \(files.count) agreements, \(spans) highlighted evidence spans, all exact")
    }

    func testRedactLeavesTheContractOut() throws {
        let (report, doc) = try reviewed()
        let html = HTMLReporter(redact: true).render(report, document: doc)
        XCTAssertFalse(html.contains("id=\"contract\""))
        XCTAssertFalse(html.contains("<mark"))
        XCTAssertFalse(html.contains("<q>"))
        XCTAssertFalse(html.contains("script&gt;"), "the hostile line is contract text")
        // No sentence of the contract, and no evidence excerpt, appears (escaped or not).
        for e in report.elements { for ev in e.evidence where ev.text.count >= 25 {
            XCTAssertFalse(html.contains(HTMLNode.escape(ev.text)), "evidence of \(e.id) quoted")
            XCTAssertFalse(html.contains(ev.text), "evidence of \(e.id) quoted")
        } }
        for line in doc.text.split(separator: "\n") where line.count >= 40 {
            for piece in line.split(separator: ".") where piece.count >= 40 {
                XCTAssertFalse(html.contains(HTMLNode.escape(String(piece))), "contract text: \(piece.prefix(60))")
            }
        }
        // The summary, the elements and the findings are all there.
        XCTAssertTrue(html.contains("<section id=\"summary\""))
        XCTAssertTrue(html.contains("<table class=\"elements\">"))
        XCTAssertEqual(Self.matches("<li class=\"finding ", in: html).count, report.findings.count)
    }
}
