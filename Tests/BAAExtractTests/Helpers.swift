import Foundation
import XCTest
@testable import BAAExtract

/// The repository root (Tests/BAAExtractTests/Helpers.swift is three levels down).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let formatsDir = repoRoot.appendingPathComponent("Corpus/formats")

/// Facts that tools/render-corpus wrote beside the rendered sample agreement.
struct RenderFacts: Decodable {
    struct Phrase: Decodable { var phrase: String; var page: Int; var line: Int }
    struct Hyphenated: Decodable { var page: Int; var line: Int; var before: String; var after: String }
    struct Split: Decodable { var page: Int; var endOfPage: String; var startOfNextPage: String }
    struct TwoColumn: Decodable { var leftFirst: String; var leftLast: String; var rightFirst: String; var rightLast: String }
    struct HTMLFacts: Decodable { var navText: [String] }
    var runningHeader: String
    var runningFooter: String
    var pdfPages: Int
    var phrases: [Phrase]
    var hyphenated: Hyphenated
    var splitByPageBreak: Split
    var twoColumn: TwoColumn
    var scannedPages: Int
    var html: HTMLFacts

    static func load(_ stem: String = "sample-baa") throws -> RenderFacts {
        let data = try Data(contentsOf: formatsDir.appendingPathComponent(stem + ".facts.json"))
        return try JSONDecoder().decode(RenderFacts.self, from: data)
    }
}

func load(_ name: String, options: ExtractOptions = ExtractOptions()) throws -> Document {
    try DocumentLoader(options: options).load(path: formatsDir.appendingPathComponent(name).path)
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("baa-extract-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Loads a file's bytes through DocumentLoader under a chosen name (any extension).
func loadBytes(_ data: Data, named name: String, options: ExtractOptions = ExtractOptions()) throws -> Document {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent(name)
    try data.write(to: url)
    return try DocumentLoader(options: options).load(path: url.path)
}

/// The ExtractError a load throws, or a test failure.
func loadError(_ data: Data, named name: String, options: ExtractOptions = ExtractOptions(),
               file: StaticString = #filePath, line: UInt = #line) -> ExtractError? {
    do {
        _ = try loadBytes(data, named: name, options: options)
        XCTFail("expected an ExtractError for \(name)", file: file, line: line)
        return nil
    } catch let error as ExtractError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}

/// A minimal stored (uncompressed) ZIP writer, so tests can build DOCX packages part by part.
enum TestZip {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[i] = c
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func archive(_ entries: [(String, String)]) -> Data {
        var out = [UInt8]()
        var central = [UInt8]()
        func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32, _ a: inout [UInt8]) { for i in 0..<4 { a.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        for (name, content) in entries {
            let body = Array(content.utf8), nameBytes = Array(name.utf8)
            let crc = crc32(body)
            let offset = UInt32(out.count)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(UInt32(body.count), &out); u32(UInt32(body.count), &out)
            u16(nameBytes.count, &out); u16(0, &out); out += nameBytes; out += body
            u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0x21, &central); u32(crc, &central); u32(UInt32(body.count), &central)
            u32(UInt32(body.count), &central); u16(nameBytes.count, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central); central += nameBytes
        }
        let centralOffset = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
        return Data(out)
    }

    static let wordNS = #"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#

    /// A DOCX whose body is `body` (paragraph XML), with optional numbering and footnotes parts.
    static func docx(body: String, numbering: String? = nil, footnotes: String? = nil, prolog: String = "") -> Data {
        var entries: [(String, String)] = [
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#),
            ("word/document.xml", #"<?xml version="1.0" encoding="UTF-8"?>"# + prolog + "<w:document \(wordNS)><w:body>\(body)</w:body></w:document>"),
        ]
        if let numbering { entries.append(("word/numbering.xml", #"<?xml version="1.0"?><w:numbering \#(wordNS)>\#(numbering)</w:numbering>"#)) }
        if let footnotes { entries.append(("word/footnotes.xml", #"<?xml version="1.0"?><w:footnotes \#(wordNS)>\#(footnotes)</w:footnotes>"#)) }
        return archive(entries)
    }
}

/// Paragraph XML helpers for test DOCX bodies.
func para(_ text: String, numId: Int? = nil, ilvl: Int = 0) -> String {
    let numPr = numId.map { #"<w:pPr><w:numPr><w:ilvl w:val="\#(ilvl)"/><w:numId w:val="\#($0)"/></w:numPr></w:pPr>"# } ?? ""
    return #"<w:p>\#(numPr)<w:r><w:t xml:space="preserve">\#(text)</w:t></w:r></w:p>"#
}

/// The lines of a document's normalized text.
func lines(_ doc: Document) -> [String] { doc.text.split(separator: "\n").map(String.init) }
