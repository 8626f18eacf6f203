import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// DOCX (Office Open XML) through ZIPFoundation and a SAX parse of each part.
/// Body paragraphs in order, one line each, with list labels rendered from numbering.xml ("1.", "1.1",
/// "(a)", "(ii)"); table rows as one line with cells joined by " | "; footnotes and endnotes after the
/// body under a "FOOTNOTES" / "ENDNOTES" line, each "[n] text", with "[n]" left at the reference;
/// headers and footers dropped (they repeat on every page and are not agreement text).
/// Tracked changes follow `ExtractOptions.trackedChanges`. Any `<!DOCTYPE` is refused.
public struct DOCXExtractor: Extractor {
    public init() {}

    public func extract(data: Data, path: String, options: ExtractOptions) throws(ExtractError) -> RawDocument {
        options.note("reading the DOCX archive")
        let package = try OOXMLPackage(data: data, path: path, options: options)
        let mainPath = package.mainDocumentPath()
        guard let documentXML = try package.read(mainPath) else {
            throw ExtractError(path: path, message: "ZIP archive without \(mainPath): not a DOCX")
        }
        let rels = package.relationships(of: mainPath)
        func part(_ type: String, _ fallback: String) throws(ExtractError) -> Data? {
            try package.read(rels[type] ?? fallback)
        }
        var styles = DOCXStyles()
        if let xml = try part("styles", "word/styles.xml") {
            styles = try DOCXStyles.parse(xml, path: path, part: "styles.xml")
        }
        var numbering = DOCXNumbering()
        if let xml = try part("numbering", "word/numbering.xml") {
            numbering = try DOCXNumbering.parse(xml, path: path, part: "numbering.xml")
        }
        let useRenderedBreaks = documentXML.range(of: Data("lastRenderedPageBreak".utf8)) != nil
        try options.checkBudget(path: path)
        let body = DOCXTextParser(mode: .body, tracked: options.trackedChanges, styles: styles, numbering: numbering,
                                  useRenderedBreaks: useRenderedBreaks)
        body.budget = options.budget
        body.maxTextBytes = options.maxTextBytes
        body.maxLines = options.maxParagraphs
        try body.run(documentXML, path: path, part: mainPath)

        var lines = body.lines
        var trackedChanges = body.sawTrackedChange
        for (kind, fallback, heading) in [("footnotes", "word/footnotes.xml", "FOOTNOTES"), ("endnotes", "word/endnotes.xml", "ENDNOTES")] {
            let references = kind == "footnotes" ? body.footnoteReferences : body.endnoteReferences
            guard !references.isEmpty, let xml = try part(kind, fallback) else { continue }
            try options.checkBudget(path: path)
            let notes = DOCXTextParser(mode: .notes, tracked: options.trackedChanges, styles: styles, numbering: numbering,
                                       useRenderedBreaks: false)
            notes.budget = options.budget
            notes.maxTextBytes = options.maxTextBytes
            try notes.run(xml, path: path, part: kind + ".xml")
            trackedChanges = trackedChanges || notes.sawTrackedChange
            let lastPage = lines.last?.page ?? 1
            var lineNumber = (lines.last?.line ?? 0) + 1
            lines.append(RawLine(text: "", page: lastPage, line: lineNumber))
            lines.append(RawLine(text: heading, page: lastPage, line: lineNumber))
            for reference in references {
                for text in notes.notes[reference.id] ?? [] {
                    lineNumber += 1
                    lines.append(RawLine(text: "[\(reference.label)] \(text)", page: reference.page, line: lineNumber))
                }
            }
        }
        var warnings: [String] = []
        if trackedChanges {
            let shown: String
            switch options.trackedChanges {
            case .accept: shown = "insertions kept, deletions dropped"
            case .reject: shown = "insertions dropped, deletions kept"
            case .both: shown = "insertions and deletions both kept"
            }
            warnings.append("document has unresolved tracked changes (\(shown); --tracked-changes accept|reject|both)")
        }
        return RawDocument(format: .docx, lines: lines, pageCount: body.page, warnings: warnings, linesAreParagraphs: true)
    }
}

// MARK: - package

/// The ZIP container, read with limits on entry count and decompressed size (zip bombs).
struct OOXMLPackage {
    let archive: Archive
    let path: String
    let maxBytes: Int
    private let budget: ByteBudget

    final class ByteBudget { var used = 0 }

    init(data: Data, path: String, options: ExtractOptions) throws(ExtractError) {
        // The end-of-central-directory record must be in the last 64 KiB + 22 bytes. Checked here because
        // ZIPFoundation leaks its in-memory file handle when Archive(data:) throws (found by fuzzing).
        guard OOXMLPackage.hasEndOfCentralDirectory(data) else {
            throw ExtractError(path: path, message: "corrupt DOCX: not a readable ZIP archive (no end-of-central-directory record: truncated?)")
        }
        if let problem = ZIPStructure.problem([UInt8](data), maxEntries: options.maxArchiveEntries) {
            throw ExtractError(path: path, message: problem)
        }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw ExtractError(path: path, message: "corrupt DOCX: not a readable ZIP archive")
        }
        var count = 0
        var declared: UInt64 = 0
        for entry in archive {
            count += 1
            declared &+= entry.uncompressedSize
            if count > options.maxArchiveEntries {
                throw ExtractError(path: path, message: "DOCX has more than \(TimeBudget.count(options.maxArchiveEntries)) ZIP entries: refused as a possible zip bomb (--max-docx-entries)")
            }
        }
        if count == 0 { throw ExtractError(path: path, message: "corrupt DOCX: empty ZIP archive") }
        self.archive = archive
        self.path = path
        self.maxBytes = options.maxUncompressedBytes
        self.budget = ByteBudget()
    }

    /// A part's bytes, or nil when the archive has no such entry. Refuses a DOCTYPE.
    func read(_ name: String) throws(ExtractError) -> Data? {
        let clean = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard let entry = archive[clean] else { return nil }
        if entry.uncompressedSize > UInt64(maxBytes - budget.used) {
            throw ExtractError(path: path, message: "DOCX part \(clean) decompresses to \(TimeBudget.count(Int(clamping: entry.uncompressedSize))) bytes, over the \(TimeBudget.count(maxBytes))-byte limit: refused as a possible zip bomb (--max-docx-size)")
        }
        var out = Data()
        let limit = maxBytes
        let budget = self.budget
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                budget.used += chunk.count
                if budget.used > limit { throw OOXMLLimit() }
                out.append(chunk)
            }
        } catch is OOXMLLimit {
            throw ExtractError(path: path, message: "DOCX decompresses to more than \(TimeBudget.count(maxBytes)) bytes (its headers claim less): refused as a possible zip bomb (--max-docx-size)")
        } catch {
            throw ExtractError(path: path, message: "corrupt DOCX: cannot decompress \(clean) (\(error))")
        }
        if let problem = OOXMLPackage.unsafeXML(out) {
            throw ExtractError(path: path, message: "DOCX part \(clean) \(problem)")
        }
        return out
    }

    /// Why an XML part is refused, or nil. A DOCTYPE (entity expansion, external entities) is refused
    /// outright, in UTF-8 or UTF-16; so is any other encoding (UTF-7, EBCDIC, UCS-4), in which a DOCTYPE
    /// could hide from a byte search while libxml2 would still read it.
    static func unsafeXML(_ data: Data) -> String? {
        let doctype = "contains a <!DOCTYPE declaration: refused (entity expansion and external entity risk)"
        let head = [UInt8](data.prefix(4))
        // XML 1.0 appendix F: UCS-4 in any byte order, or a UTF-32 byte-order mark.
        if head.count == 4, head.filter({ $0 == 0 }).count == 3 || head == [0xFF, 0xFE, 0, 0] || head == [0, 0, 0xFE, 0xFF] {
            return "is not UTF-8 or UTF-16 XML (UCS-4): refused"
        }
        let utf16: String.Encoding?
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0x3C, 0x00]) {
            utf16 = .utf16LittleEndian
        } else if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0x00, 0x3C]) {
            utf16 = .utf16BigEndian
        } else {
            utf16 = nil
        }
        if let utf16 {
            let bytes = [UInt8](data)
            let bom = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
            let text = TextExtractor.decodeUTF16(bytes.dropFirst(bom ? 2 : 0), littleEndian: utf16 == .utf16LittleEndian)
            if containsDoctype(Data(text.utf8)) { return doctype }
            if let declared = declaredEncoding(Data(text.utf8.prefix(200))), !declared.hasPrefix("utf-16") && declared != "utf16" {
                return "declares encoding \"\(declared)\" in a UTF-16 file: refused"
            }
            return nil
        }
        // UTF-8 (or ASCII): the first non-blank byte after any BOM must start markup.
        var start = data.startIndex
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
        while start < data.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(data[start]) { start += 1 }
        if start < data.endIndex, data[start] != 0x3C { return "is not XML (it does not start with '<'): refused" }
        if let declared = declaredEncoding(data.prefix(200)), !["utf-8", "utf8", "us-ascii", "ascii"].contains(declared) {
            return "declares encoding \"\(declared)\": only UTF-8 and UTF-16 are read (refused)"
        }
        if containsDoctype(data) { return doctype }
        return nil
    }

    /// The encoding named in an XML declaration, lowercased, or nil.
    static func declaredEncoding(_ head: Data) -> String? {
        let text = String(decoding: head, as: UTF8.self)
        guard text.hasPrefix("<?xml") || text.drop(while: { $0 == "\u{FEFF}" }).hasPrefix("<?xml"),
              let end = text.range(of: "?>"),
              let key = text.range(of: "encoding", range: text.startIndex..<end.lowerBound) else { return nil }
        let rest = text[key.upperBound..<end.lowerBound].drop(while: { $0 == " " || $0 == "=" || $0 == "\t" })
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix(while: { $0 != quote })).lowercased()
    }

    struct OOXMLLimit: Error {}

    /// True when the last end-of-central-directory signature, searched from the end as ZIPFoundation does,
    /// lies in the last 64 KiB + 22 bytes and its comment fits in the file. (ZIPFoundation would otherwise
    /// scan the whole file a byte at a time, one fseek and fread each, and then leak on failure.)
    static func hasEndOfCentralDirectory(_ data: Data) -> Bool {
        let tail: [UInt8] = [UInt8](data.suffix(65_557))
        let signature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        guard tail.count >= 22 else { return false }
        var i: Int = tail.count - 22
        while i >= 0 {
            if tail[i] == signature[0] && Array(tail[i..<(i + 4)]) == signature {
                let low: Int = Int(tail[i + 20])
                let high: Int = Int(tail[i + 21])
                let commentLength: Int = low + 256 * high
                let end: Int = i + 22 + commentLength
                return end <= tail.count
            }
            i -= 1
        }
        return false
    }

    static func containsDoctype(_ data: Data) -> Bool {
        data.withUnsafeBytes { containsCaseless($0, "<!doctype") }
    }

    /// True when `needle` (ASCII, lowercase) occurs in the bytes, ignoring ASCII case.
    static func containsCaseless<B: Collection<UInt8>>(_ raw: B, _ needle: String) -> Bool where B.Index == Int {
        let needle = Array(needle.utf8)
        guard let first = needle.first, raw.count >= needle.count else { return false }
        var i = raw.startIndex
        let end = raw.endIndex - needle.count
        while i <= end {
            if raw[i] | 0x20 == first | 0x20 {
                var match = true
                for j in 1..<needle.count where raw[i + j] | 0x20 != needle[j] | 0x20 { match = false; break }
                if match { return true }
            }
            i += 1
        }
        return false
    }

    /// The main document part named by _rels/.rels (word/document.xml when absent).
    func mainDocumentPath() -> String {
        guard let data = try? read("_rels/.rels") else { return "word/document.xml" }
        for rel in OOXMLPackage.parseRelationships(data) where rel.type.hasSuffix("/officeDocument") {
            return rel.target.hasPrefix("/") ? String(rel.target.dropFirst()) : rel.target
        }
        return "word/document.xml"
    }

    /// Relationship targets of a part by short type ("numbering", "footnotes"...), as archive paths.
    func relationships(of part: String) -> [String: String] {
        let dir = (part as NSString).deletingLastPathComponent
        let relsPath = (dir.isEmpty ? "" : dir + "/") + "_rels/" + (part as NSString).lastPathComponent + ".rels"
        guard let data = try? read(relsPath) else { return [:] }
        var out: [String: String] = [:]
        for rel in OOXMLPackage.parseRelationships(data) where !rel.external {
            let short = rel.type.split(separator: "/").last.map(String.init) ?? rel.type
            let target = rel.target.hasPrefix("/") ? String(rel.target.dropFirst()) : (dir.isEmpty ? rel.target : dir + "/" + rel.target)
            if out[short] == nil { out[short] = target }
        }
        return out
    }

    struct Relationship { var type: String; var target: String; var external: Bool }

    static func parseRelationships(_ data: Data) -> [Relationship] {
        let collector = RelationshipCollector()
        let parser = XMLParser(stream: InputStream(data: data))
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        return collector.relationships
    }

    final class RelationshipCollector: NSObject, XMLParserDelegate {
        var relationships: [Relationship] = []
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            guard elementName == "Relationship", let type = attributes["Type"], let target = attributes["Target"] else { return }
            relationships.append(Relationship(type: type, target: target, external: attributes["TargetMode"] == "External"))
        }
    }
}

/// Checks a ZIP's structure before ZIPFoundation reads it: every offset and size that ZIPFoundation will
/// seek to or read lies inside the file. Its in-memory reader traps on a read past the end of the data
/// (a central directory or local header offset beyond the file: found by fuzzing), so a damaged archive
/// must be refused here. ZIP64 is refused outright: a DOCX within our limits never needs it.
enum ZIPStructure {
    static func problem(_ b: [UInt8], maxEntries: Int) -> String? {
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        let count = b.count
        guard count >= 22 else { return "corrupt DOCX: not a readable ZIP archive (too short)" }
        // The end record, found as ZIPFoundation finds it: the last signature from the end.
        var eocd = -1
        var i = count - 22
        while i >= 0 && i >= count - 65_557 {
            if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 0x05 && b[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { return "corrupt DOCX: not a readable ZIP archive (no end-of-central-directory record: truncated?)" }
        let zip64 = "corrupt DOCX: a ZIP64 archive (refused: a document within the limits never needs ZIP64)"
        if eocd >= 20 && u32(eocd - 20) == 0x07064B50 { return zip64 }
        let entries = u16(eocd + 10), directorySize = u32(eocd + 12), directoryOffset = u32(eocd + 16)
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF { return zip64 }
        if entries > maxEntries {
            return "DOCX has more than \(TimeBudget.count(maxEntries)) ZIP entries: refused as a possible zip bomb (--max-docx-entries)"
        }
        guard directoryOffset + directorySize <= eocd else {
            return "corrupt DOCX: the ZIP central directory runs past its end record (damaged or truncated archive)"
        }
        var p = directoryOffset
        for n in 1...max(1, entries) where entries > 0 {
            guard p + 46 <= eocd, u32(p) == 0x02014B50 else {
                return "corrupt DOCX: ZIP central directory entry \(n) of \(entries) is damaged"
            }
            let flags = u16(p + 8), method = u16(p + 10)
            let compressed = u32(p + 20), uncompressed = u32(p + 24)
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            let local = u32(p + 42)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF { return zip64 }
            guard local + 30 <= count, u32(local) == 0x04034B50 else {
                return "corrupt DOCX: ZIP entry \(n) of \(entries) points outside the archive (damaged local header)"
            }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            // ZIPFoundation reads the compressed size of a deflated entry and the uncompressed size of a stored one.
            let dataSize = method == 0 ? max(compressed, uncompressed) : compressed
            let descriptor = flags & 0x08 != 0 ? 16 : 0
            guard dataStart + dataSize + descriptor <= count else {
                return "corrupt DOCX: ZIP entry \(n) of \(entries) runs past the end of the archive (truncated?)"
            }
            p += 46 + nameLength + extraLength + commentLength
        }
        guard p <= eocd else { return "corrupt DOCX: the ZIP central directory runs past its end record" }
        return nil
    }
}

/// Runs an XMLParser over a part with a delegate; turns a parse failure into one clear error.
/// `stopped` gives the error of a delegate that aborted the parse itself (time budget, text limit).
func parseXMLPart(_ data: Data, delegate: XMLParserDelegate, path: String, part: String,
                  stopped: () -> ExtractError? = { nil }) throws(ExtractError) {
    let parser = XMLParser(stream: InputStream(data: data))
    parser.delegate = delegate
    parser.shouldResolveExternalEntities = false
    parser.shouldProcessNamespaces = false
    if !parser.parse() {
        if let error = stopped() { throw error }
        let detail = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unknown error"
        throw ExtractError(path: path, message: "corrupt DOCX: \(part) is not well-formed XML (line \(parser.lineNumber): \(detail))")
    }
}

// MARK: - styles and numbering

/// Paragraph styles that carry numbering (headings numbered by their style), with basedOn chains.
struct DOCXStyles {
    var numbering: [String: (numId: String?, ilvl: Int?)] = [:]
    var basedOn: [String: String] = [:]

    /// The (numId, ilvl) a paragraph style gives, following basedOn.
    func numPr(style: String) -> (numId: String?, ilvl: Int?) {
        var current: String? = style
        var numId: String?, ilvl: Int?
        var seen = Set<String>()
        while let s = current, !seen.contains(s) {
            seen.insert(s)
            if let n = numbering[s] {
                if numId == nil { numId = n.numId }
                if ilvl == nil { ilvl = n.ilvl }
            }
            current = basedOn[s]
        }
        return (numId, ilvl)
    }

    static func parse(_ data: Data, path: String, part: String) throws(ExtractError) -> DOCXStyles {
        let d = Delegate()
        try parseXMLPart(data, delegate: d, path: path, part: part)
        return d.styles
    }

    final class Delegate: NSObject, XMLParserDelegate {
        var styles = DOCXStyles()
        var style: String?
        var inNumPr = false
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            switch elementName {
            case "w:style": style = attributes["w:styleId"]
            case "w:basedOn": if let s = style, let v = attributes["w:val"] { styles.basedOn[s] = v }
            case "w:numPr": inNumPr = true
            case "w:numId" where inNumPr:
                if let s = style { styles.numbering[s, default: (nil, nil)].numId = attributes["w:val"] }
            case "w:ilvl" where inNumPr:
                if let s = style { styles.numbering[s, default: (nil, nil)].ilvl = attributes["w:val"].flatMap { Int($0) } }
            default: break
            }
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if elementName == "w:numPr" { inNumPr = false }
            if elementName == "w:style" { style = nil }
        }
    }
}

/// numbering.xml: abstract list definitions, list instances, and the running counters.
struct DOCXNumbering {
    struct Level { var start = 1; var format = "decimal"; var text = "%1."; var legal = false }
    var abstracts: [String: [Int: Level]] = [:]
    var nums: [String: (abstractId: String, startOverrides: [Int: Int])] = [:]

    static func parse(_ data: Data, path: String, part: String) throws(ExtractError) -> DOCXNumbering {
        let d = Delegate()
        try parseXMLPart(data, delegate: d, path: path, part: part)
        return d.numbering
    }

    final class Delegate: NSObject, XMLParserDelegate {
        var numbering = DOCXNumbering()
        var abstractId: String?
        var level: Int?
        var numId: String?
        var overrideLevel: Int?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            let val = attributes["w:val"]
            switch elementName {
            case "w:abstractNum": abstractId = attributes["w:abstractNumId"]
            case "w:lvl":
                level = attributes["w:ilvl"].flatMap { Int($0) }
                if let a = abstractId, let l = level { numbering.abstracts[a, default: [:]][l] = Level() }
            case "w:start":
                if let a = abstractId, let l = level, let v = val.flatMap({ Int($0) }) { numbering.abstracts[a]?[l]?.start = v }
            case "w:numFmt":
                if let a = abstractId, let l = level, let v = val { numbering.abstracts[a]?[l]?.format = v }
            case "w:isLgl":
                if let a = abstractId, let l = level { numbering.abstracts[a]?[l]?.legal = val.map { $0 != "0" && $0 != "false" } ?? true }
            case "w:lvlText":
                if let a = abstractId, let l = level, let v = val { numbering.abstracts[a]?[l]?.text = v }
            case "w:num": numId = attributes["w:numId"]
            case "w:abstractNumId":
                if let n = numId, let v = val { numbering.nums[n] = (v, [:]) }
            case "w:lvlOverride": overrideLevel = attributes["w:ilvl"].flatMap { Int($0) }
            case "w:startOverride":
                if let n = numId, let l = overrideLevel, let v = val.flatMap({ Int($0) }) { numbering.nums[n]?.startOverrides[l] = v }
            default: break
            }
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch elementName {
            case "w:abstractNum": abstractId = nil; level = nil
            case "w:lvl": level = nil
            case "w:num": numId = nil
            case "w:lvlOverride": overrideLevel = nil
            default: break
            }
        }
    }

    /// Counters per list: lists sharing an abstract definition continue one sequence unless restarted.
    var counters: [String: [Int: Int]] = [:]

    /// Advances the counter of (numId, ilvl) and returns the rendered label ("1.1", "(a)"), or nil.
    mutating func nextLabel(numId: String, ilvl: Int) -> String? {
        guard numId != "0", let num = nums[numId], let levels = abstracts[num.abstractId] else { return nil }
        let key = num.startOverrides.isEmpty ? "a" + num.abstractId : "n" + numId
        let level = levels[ilvl] ?? Level()
        var c = counters[key] ?? [:]
        c[ilvl] = (c[ilvl].map { $0 &+ 1 }) ?? (num.startOverrides[ilvl] ?? level.start)
        for deeper in c.keys where deeper > ilvl { c[deeper] = nil }
        counters[key] = c
        if level.format == "none" { return nil }
        if level.format == "bullet" { return "-" }
        var label = ""
        var chars = Array(level.text)
        var i = 0
        while i < chars.count {
            if chars[i] == "%", i + 1 < chars.count, let n = chars[i + 1].wholeNumberValue, n >= 1 {
                let l = n - 1
                let lv = levels[l] ?? Level()
                let value = c[l] ?? (num.startOverrides[l] ?? lv.start)
                // isLgl ("legal" numbering) shows every level's number in decimal: "Section 1.1", not "I.1".
                label += DOCXNumbering.format(value, level.legal ? "decimal" : lv.format)
                i += 2
                continue
            }
            label.append(chars[i])
            i += 1
        }
        chars = []
        label = label.trimmingCharacters(in: .whitespaces)
        return label.isEmpty ? nil : label
    }

    static func format(_ n: Int, _ format: String) -> String {
        switch format {
        case "lowerLetter": return letters(n).lowercased()
        case "upperLetter": return letters(n)
        case "lowerRoman": return roman(n).lowercased()
        case "upperRoman": return roman(n)
        case "decimalZero": return n < 10 ? "0\(n)" : "\(n)"
        default: return "\(n)"
        }
    }

    /// 1 -> A, 26 -> Z, 27 -> AA (Word repeats the letter).
    static func letters(_ n: Int) -> String {
        // Past ZZZZZZZZZZZZZZZZZZZZ Word gives up too; a hostile start value must not build a huge label.
        guard n >= 1, n <= 520 else { return "\(n)" }
        let letter = Character(UnicodeScalar(UInt8(65 + (n - 1) % 26)))
        return String(repeating: letter, count: (n - 1) / 26 + 1)
    }

    static func roman(_ n: Int) -> String {
        guard n >= 1, n < 4000 else { return "\(n)" }
        let table: [(Int, String)] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                                      (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var n = n, out = ""
        for (v, s) in table { while n >= v { out += s; n -= v } }
        return out
    }
}

// MARK: - text

/// Walks document.xml (or footnotes.xml/endnotes.xml) and collects paragraph text.
final class DOCXTextParser: NSObject, XMLParserDelegate {
    enum Mode { case body, notes }
    struct NoteReference { var id: String; var label: String; var page: Int }

    let mode: Mode
    let tracked: ExtractOptions.TrackedChanges
    let styles: DOCXStyles
    var numbering: DOCXNumbering
    let useRenderedBreaks: Bool

    private(set) var lines: [RawLine] = []
    private(set) var notes: [String: [String]] = [:]
    private(set) var footnoteReferences: [NoteReference] = []
    private(set) var endnoteReferences: [NoteReference] = []
    private(set) var sawTrackedChange = false
    private(set) var page = 1
    private var lineOnPage = 0

    // Paragraph state (a stack: text boxes nest paragraphs inside paragraphs).
    private struct Paragraph {
        var text = ""
        var numId: String?
        var ilvl: Int?
        var style: String?
        var page: Int
    }
    private var paragraphs: [Paragraph] = []
    private var inText = false
    private var inDeletedText = false
    private var inPPr = 0, inRPr = 0, inNumPr = false
    private var insDepth = 0, delDepth = 0, fallbackDepth = 0
    private var tableDepth = 0
    private var row: [String] = []
    private var cell: [String] = []
    private var rowPage = 1
    private var noteId: String?
    private var noteIsSeparator = false

    init(mode: Mode, tracked: ExtractOptions.TrackedChanges, styles: DOCXStyles, numbering: DOCXNumbering, useRenderedBreaks: Bool) {
        self.mode = mode
        self.tracked = tracked
        self.styles = styles
        self.numbering = numbering
        self.useRenderedBreaks = useRenderedBreaks
    }

    /// The document's time budget and text limit, checked every few thousand elements.
    var budget: TimeBudget?
    var maxTextBytes = Int.max
    var maxLines = Int.max
    private var elements = 0
    private var textBytes = 0
    private var stopError: ExtractError?
    private var path = ""
    private var part = ""

    func run(_ data: Data, path: String, part: String) throws(ExtractError) {
        self.path = path
        self.part = part
        try parseXMLPart(data, delegate: self, path: path, part: part, stopped: { stopError })
    }

    /// Every 4,096 elements: over budget or over the text limit stops the parse.
    private func checkLimits(_ parser: XMLParser) {
        elements += 1
        guard elements & 4095 == 0, stopError == nil else { return }
        if textBytes > maxTextBytes {
            stopError = ExtractError(path: path, message: "extracted text passes the \(TimeBudget.count(maxTextBytes))-byte limit in \(part) (--max-text-size)")
        } else if lines.count > maxLines {
            stopError = ExtractError(path: path, message: "document has more than \(TimeBudget.count(maxLines)) paragraphs in \(part), over the paragraph limit (--max-paragraphs)")
        } else if let budget {
            budget.note("reading the DOCX, \(TimeBudget.count(lines.count)) paragraphs into \(part)")
            do { try budget.check() } catch { stopError = ExtractError(path: path, error) }
        }
        if stopError != nil { parser.abortParsing() }
    }

    private var keepingText: Bool {
        if fallbackDepth > 0 { return false }
        if insDepth > 0 && tracked == .reject { return false }
        return true
    }

    private func appendText(_ s: String) {
        guard !paragraphs.isEmpty else { return }
        textBytes += s.utf8.count
        if paragraphs[paragraphs.count - 1].text.isEmpty { paragraphs[paragraphs.count - 1].page = page }
        paragraphs[paragraphs.count - 1].text += s
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        checkLimits(parser)
        switch elementName {
        case "w:p": paragraphs.append(Paragraph(page: page))
        case "w:pPr": inPPr += 1
        case "w:rPr": inRPr += 1
        case "w:numPr" where inPPr > 0: inNumPr = true
        case "w:numId" where inNumPr: if !paragraphs.isEmpty { paragraphs[paragraphs.count - 1].numId = attributes["w:val"] }
        case "w:ilvl" where inNumPr: if !paragraphs.isEmpty { paragraphs[paragraphs.count - 1].ilvl = attributes["w:val"].flatMap { Int($0) } }
        case "w:pStyle" where inPPr > 0: if !paragraphs.isEmpty { paragraphs[paragraphs.count - 1].style = attributes["w:val"] }
        case "w:pageBreakBefore" where inPPr > 0 && !useRenderedBreaks && mode == .body:
            if attributes["w:val"].map({ $0 != "0" && $0 != "false" }) ?? true { page += 1; lineOnPage = 0 }
        case "w:ins", "w:moveTo":
            sawTrackedChange = true
            if inRPr == 0 && inPPr == 0 { insDepth += 1 }
        case "w:del", "w:moveFrom":
            sawTrackedChange = true
            if inRPr == 0 && inPPr == 0 { delDepth += 1 }
        case "mc:Fallback": fallbackDepth += 1
        case "w:t": inText = true
        case "w:delText", "w:delInstrText": inDeletedText = elementName == "w:delText"
        case "w:tab", "w:ptab": if keepingText { appendText(" ") }
        case "w:noBreakHyphen": if keepingText { appendText("-") }
        case "w:cr": if keepingText { appendText(" ") }
        case "w:br":
            if attributes["w:type"] == "page" {
                if !useRenderedBreaks && mode == .body { page += 1; lineOnPage = 0 }
            } else if keepingText { appendText(" ") }
        case "w:lastRenderedPageBreak":
            if useRenderedBreaks && mode == .body { page += 1; lineOnPage = 0 }
        case "w:footnoteReference", "w:endnoteReference":
            guard mode == .body, keepingText, let id = attributes["w:id"] else { break }
            if elementName == "w:footnoteReference" {
                let label = "\(footnoteReferences.count + 1)"
                footnoteReferences.append(NoteReference(id: id, label: label, page: page))
                appendText("[\(label)]")
            } else {
                let label = "e\(endnoteReferences.count + 1)"
                endnoteReferences.append(NoteReference(id: id, label: label, page: page))
                appendText("[\(label)]")
            }
        case "w:footnote", "w:endnote":
            noteId = attributes["w:id"]
            let type = attributes["w:type"] ?? "normal"
            noteIsSeparator = type == "separator" || type == "continuationSeparator" || type == "continuationNotice"
        case "w:tbl":
            tableDepth += 1
            if tableDepth == 1 { row = []; cell = [] }
        case "w:tr": if tableDepth == 1 { row = []; rowPage = page }
        case "w:tc": if tableDepth == 1 { cell = [] }
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText {
            if keepingText && (delDepth == 0 || tracked != .accept) { appendText(string) }
        } else if inDeletedText {
            if fallbackDepth == 0 && tracked != .accept { appendText(string) }
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch elementName {
        case "w:p": endParagraph()
        case "w:pPr": inPPr = max(0, inPPr - 1)
        case "w:rPr": inRPr = max(0, inRPr - 1)
        case "w:numPr": inNumPr = false
        case "w:ins", "w:moveTo": if inRPr == 0 && inPPr == 0 { insDepth = max(0, insDepth - 1) }
        case "w:del", "w:moveFrom": if inRPr == 0 && inPPr == 0 { delDepth = max(0, delDepth - 1) }
        case "mc:Fallback": fallbackDepth = max(0, fallbackDepth - 1)
        case "w:t": inText = false
        case "w:delText", "w:delInstrText": inDeletedText = false
        case "w:tc": if tableDepth == 1 { row.append(cell.joined(separator: " ")) }
        case "w:tr":
            if tableDepth == 1 {
                let cells = row.filter { !$0.isEmpty }
                if !cells.isEmpty { emit(cells.joined(separator: " | "), page: rowPage) }
                row = []
            }
        case "w:tbl": tableDepth = max(0, tableDepth - 1)
        case "w:footnote", "w:endnote": noteId = nil; noteIsSeparator = false
        default: break
        }
    }

    private func endParagraph() {
        guard var p = paragraphs.popLast() else { return }
        var label: String?
        var numId = p.numId, ilvl = p.ilvl
        if let style = p.style, numId == nil || ilvl == nil {
            let fromStyle = styles.numPr(style: style)
            if numId == nil { numId = fromStyle.numId }
            if ilvl == nil { ilvl = fromStyle.ilvl }
        }
        let text = p.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let numId, !text.isEmpty { label = numbering.nextLabel(numId: numId, ilvl: ilvl ?? 0) }
        if let label { p.text = label + " " + text } else { p.text = text }
        guard !p.text.isEmpty else { return }
        if tableDepth > 0 {
            cell.append(p.text)
            return
        }
        switch mode {
        case .body: emit(p.text, page: p.page)
        case .notes:
            if let id = noteId, !noteIsSeparator { notes[id, default: []].append(p.text) }
        }
    }

    private func emit(_ text: String, page: Int) {
        if let last = lines.last, last.page != page { lineOnPage = 0 }
        lineOnPage += 1
        lines.append(RawLine(text: text, page: page, line: lineOnPage))
    }
}
