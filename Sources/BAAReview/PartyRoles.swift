import BAAClauses
import BAAExtract
import BAAUtil
import Foundation
import PCRE2

/// Who is who in one agreement: the names that denote the business associate (BA) and the covered entity (CE),
/// and the sentence that decided it (LABELING.md, "Who is who").
public struct PartyRoles: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable {
        /// A defined name in the preamble or recitals: Acme Health, Inc. ("Acme"), a covered entity.
        case preamble
        /// A definition: "Business Associate" means Acme Health, Inc.; Business Associate: Acme.
        case definition
        /// A party line or signature block: BUSINESS ASSOCIATE: Acme Health, Inc.
        case signature
        /// --ba / --ce on the command line.
        case override
        /// Nothing decided: the rules read the document's own words.
        case none
    }

    /// Names that denote the business associate here ("Business Associate", "Vendor", "Acme", "we").
    public var ba: [String]
    /// Names that denote the covered entity here ("Covered Entity", "Practice", "you").
    public var ce: [String]
    /// The sentence that decided it (from the normalized text), nil when nothing did.
    public var decidedBy: String?
    /// Its UTF-8 byte offset in the normalized text.
    public var offset: Int?
    public var page: Int?
    public var line: Int?
    public var source: Source
    /// A business associate - subcontractor agreement: the subcontractor plays the BA, "Business Associate" the CE.
    public var subcontractorAgreement: Bool
    /// True when the rules read the canonical text (each resolved name read as "Business Associate" / "Covered Entity").
    public var canonicalized: Bool
    /// The sentences that declare the names (byte ranges of the normalized text): left as written, so that a
    /// document in the standard form whose company names appear only there reads unchanged.
    var declarations: [Range<Int>] = []

    enum CodingKeys: String, CodingKey {
        case ba = "business_associate", ce = "covered_entity", decidedBy = "decided_by", offset, page, line, source
        case subcontractorAgreement = "subcontractor_agreement", canonicalized
    }

    public init(ba: [String] = [], ce: [String] = [], decidedBy: String? = nil, offset: Int? = nil, source: Source = .none,
                subcontractorAgreement: Bool = false, canonicalized: Bool = false) {
        self.ba = ba; self.ce = ce; self.decidedBy = decidedBy; self.offset = offset; self.source = source
        self.subcontractorAgreement = subcontractorAgreement; self.canonicalized = canonicalized
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ba, forKey: .ba)
        try c.encode(ce, forKey: .ce)
        if let decidedBy { try c.encode(decidedBy, forKey: .decidedBy) } else { try c.encodeNil(forKey: .decidedBy) }
        if let offset { try c.encode(offset, forKey: .offset) } else { try c.encodeNil(forKey: .offset) }
        if let page { try c.encode(page, forKey: .page) } else { try c.encodeNil(forKey: .page) }
        if let line { try c.encode(line, forKey: .line) } else { try c.encodeNil(forKey: .line) }
        try c.encode(source, forKey: .source)
        try c.encode(subcontractorAgreement, forKey: .subcontractorAgreement)
        try c.encode(canonicalized, forKey: .canonicalized)
    }

    /// Roles given on the command line (--ba / --ce): each name as written, plus the role word itself.
    public static func override(ba: [String], ce: [String]) -> PartyRoles {
        PartyRoles(ba: ba, ce: ce, decidedBy: nil, offset: nil, source: .override)
    }

    /// Command-line roles over the resolved ones: a role given replaces that role's names; a role not given
    /// keeps what the document said (less any name now given to the other role).
    public func applied(over resolved: PartyRoles) -> PartyRoles {
        var r = self
        let given = Set((ba + ce).map { $0.lowercased() })
        if ba.isEmpty { r.ba = resolved.ba.filter { !given.contains($0.lowercased()) } }
        if ce.isEmpty { r.ce = resolved.ce.filter { !given.contains($0.lowercased()) } }
        // "--ce 'Business Associate'": a subcontractor agreement, the party called "Business Associate" plays the CE.
        r.subcontractorAgreement = r.ce.contains { $0.lowercased() == "business associate" }
        if !r.subcontractorAgreement { r.ba.removeAll { $0.lowercased() == "subcontractor" && !ba.contains($0) } }
        r.source = .override
        r.declarations = []
        r.decidedBy = nil
        r.offset = nil
        return r
    }

    /// The terminal header's line: "business associate: Vendor, Acme; covered entity: Practice".
    public var summary: String {
        func list(_ names: [String]) -> String { names.isEmpty ? "(not found)" : names.joined(separator: ", ") }
        var s = "business associate: \(list(ba)); covered entity: \(list(ce))"
        if subcontractorAgreement { s += " (a subcontractor agreement)" }
        return s
    }
}

/// Byte offsets of the canonical text mapped back to the normalized text it was made from. Each replacement
/// is a pair of ranges; text between replacements is unchanged, so offsets there shift by a constant.
public struct OffsetMap: Sendable, Equatable {
    var canonical: [Range<Int>] = []
    var original: [Range<Int>] = []
    public var isIdentity: Bool { canonical.isEmpty }

    /// The last replacement starting at or before (or strictly before) `c`.
    private func last(_ c: Int, strictly: Bool) -> Int? {
        var lo = 0, hi = canonical.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if strictly ? canonical[mid].lowerBound < c : canonical[mid].lowerBound <= c { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// A start offset: inside a replacement it maps to the start of the original name.
    public func lower(_ c: Int) -> Int {
        guard let i = last(c, strictly: false) else { return c }
        return c < canonical[i].upperBound ? original[i].lowerBound : c - canonical[i].upperBound + original[i].upperBound
    }

    /// An end offset: inside (or at the end of) a replacement it maps to the end of the original name.
    public func upper(_ c: Int) -> Int {
        guard let i = last(c, strictly: true) else { return c }
        return c <= canonical[i].upperBound ? original[i].upperBound : c - canonical[i].upperBound + original[i].upperBound
    }

    public func range(_ r: Range<Int>) -> Range<Int> {
        let lo = lower(r.lowerBound)
        return lo..<max(lo, upper(r.upperBound))
    }
}

/// The text the rules read: every resolved name of the BA reads "Business Associate", every name of the CE
/// "Covered Entity" (we/us/our and you/your too, when the agreement defines them), with the map back.
public struct CanonicalText: Sendable {
    public var text: String
    public var map: OffsetMap
}

/// Finds the parties' names in the preamble, recitals, definitions and signature blocks.
public struct RoleResolver {
    let matcher: Matcher
    public init(matcher: Matcher = Matcher()) { self.matcher = matcher }

    enum Role { case ba, ce }

    /// One declaration: the names a party goes by, the role they were given and how firmly.
    struct Group {
        var names: [String]
        var role: Role?
        /// 3 a role name (Business Associate, Covered Entity, Subcontractor); 2 we/you; 1 a role word or description.
        var strength: Int
        var sentence: Range<Int>
        var paragraph: Int
        var source: PartyRoles.Source
        var subcontractor = false
        var hasBusinessAssociate = false
    }

    // Every pattern is compiled once (PCRE2; "\n" separates paragraphs, so `[^\n]` keeps a match on one line).
    static func re(_ p: String, caseless: Bool = true) -> Regex {
        // The patterns below are constants: a failure to compile is a programming error caught by the unit tests.
        (try? Regex(p, caseless: caseless)) ?? (try! Regex("(?!)"))
    }
    /// A parenthetical: ("Acme"), (hereinafter "Vendor"), (Ovation or Business Associate), (RevKeep™).
    static let paren = re(#"\(([^()\n]{1,200})\)"#)
    static let quoted = re(#""\s*([^"\n]{1,60}?)\s*""#)
    /// An unquoted parenthetical that is only names: (Ovation or Business Associate), (RevKeep™).
    static let bareNames = re(#"^\s*(?:the\s+)?[A-Z][\w.™®&'-]*(?:\s+[A-Z][\w.™®&'-]*){0,3}(?:\s*(?:,|\bor\b|\band/or\b)\s*(?:the\s+)?[A-Z][\w.™®&'-]*(?:\s+[A-Z][\w.™®&'-]*){0,3}){0,3}\s*$"#, caseless: false)
    /// "Role: Name" lines (party lists, signature blocks, definition lists).
    static let label = re(#"^[\s\-*•]*(?:\d{1,2}[.)]?\s+)?([A-Za-z][A-Za-z /]{1,50}?)(?:\s*\([^)\n]{0,40}\))?\s*:\s*([^\n]*)$"#)
    /// "Business Associate" means Acme, Inc. / shall mean / refers to.
    static let definition = re(#"^[\s\-*•]*(?:\d{1,2}(?:\.\d{1,2})*[.)]?\s+)?(?:\([a-z0-9]{1,3}\)\s+)?(?:[\w ]{1,30}\.\s+)?"?(business\s+associate|covered\s+entity|subcontractor)"?\s+(?:means|shall\s+mean|refers\s+to|is)\s+([^\n]{2,200})"#)
    /// A sentence that introduces the parties.
    static let partySentence = re(#"\b(?:between|entered\s+into|by\s+and|is\s+made\s+(?:by|between|with)|agreement\s+with)\b|^\W*parties\b"#)
    static let roleHeading = re(#"^[\s*•#]*"?(business\s+associate|covered\s+entity)"?\s*:?\s*$"#)

    /// Words that are never a party's name in a parenthetical.
    static let notNames: Set<String> = [
        "agreement", "baa", "dpa", "msa", "terms", "effective date", "hipaa", "hitech", "hitech act", "phi", "ephi", "services",
        "service", "parties", "party", "eula", "act", "order form", "the agreement", "this agreement", "platform", "site",
        "privacy rule", "security rule", "hipaa rules", "system", "offering", "data", "content", "software", "app",
        "application", "main agreement", "services agreement", "underlying agreement", "c.f.r.", "cfr", "ba agreement",
        "individual", "secretary", "breach", "security incident", "subcontractor agreement", "arra", "hhs", "ocr",
        "addendum", "amendment", "date", "address", "name", "exhibit", "schedule", "appendix", "order", "policy", "terms of service", "terms of use",
    ]
    static let baWords: Set<String> = [
        // Not "provider" or "company": a health care provider is a covered entity, and "Company" is either side in vendor paper.
        "vendor", "service provider", "contractor", "processor", "supplier", "licensor", "consultant", "developer",
        "platform provider", "associate",
    ]
    static let ceWords: Set<String> = [
        "customer", "client", "practice", "licensee", "controller", "user", "subscriber", "practitioner", "facility",
        "organization", "hospital", "health plan", "plan", "physician", "provider organization", "member",
    ]
    static let pronounsBA: Set<String> = ["we", "us", "our"]
    static let pronounsCE: Set<String> = ["you", "your"]
    /// Descriptions around a party's name: "a covered entity", "its business associate", "the healthcare provider".
    static let ceDescription = re(#"\b(?:covered\s+entity|health\s*care\s+(?:provider|professional|organization|entity|practice)|healthcare\s+(?:provider|professional|organization|entity|practice)|(?:medical|dental|physician|group)\s+practice|hospital|health\s+plan|licensee|practitioner|physician)\b"#)
    static let baDescription = re(#"\b(?:business\s+associate|vendor|service\s+provider|subcontractor|contractor|operating\s+the\b|provides?\s+(?:services|the\s+services)|(?:which|that|who)\s+(?:provides|supplies|hosts|operates))\b"#)

    /// Resolves the roles of `text` (normalized: one paragraph per line, straight quotes).
    public func resolve(_ text: String) -> PartyRoles {
        let subject = Subject(text)
        // Paragraph ranges.
        var paragraphs: [Range<Int>] = []
        var start = 0
        for (i, b) in text.utf8.enumerated() where b == UInt8(ascii: "\n") {
            paragraphs.append(start..<i); start = i + 1
        }
        paragraphs.append(start..<subject.count)
        // The party zone: the start of the document (preamble, recitals, definitions) and its end (signatures).
        var zone: [Int] = []
        var bytes = 0
        for (i, p) in paragraphs.enumerated() {
            if i >= 80 || bytes > 16_000 { break }
            zone.append(i); bytes += p.count
        }
        let tail = max(zone.count, paragraphs.count - 40)
        if tail < paragraphs.count { zone += Array(tail..<paragraphs.count) }

        // The preamble: the paragraphs before the first numbered or lettered section ("1. Definitions", "A. Terms").
        let firstSection = zone.first { i in first(Self.sectionStart, subject, paragraphs[i]) != nil } ?? paragraphs.count
        var groups: [Group] = []
        for i in zone {
            let p = paragraphs[i]
            guard !p.isEmpty else { continue }
            groups += declarations(in: p, paragraph: i, subject: subject)
            groups += labelLines(p, paragraph: i, next: i + 1 < paragraphs.count ? paragraphs[i + 1] : nil, subject: subject)
            groups += betweenRoles(p, paragraph: i, subject: subject)
            // "We" and "you" defined in the preamble of click-through terms (a definitions list further down may
            // define them for the whole of a site's terms, not for the parties of this agreement).
            if i < firstSection { groups += pronounDefinitions(p, paragraph: i, subject: subject) }
            if let g = tableRow(p, paragraph: i, subject: subject) { groups.append(g) }
            if let g = definitionLine(p, paragraph: i, next: i + 1 < paragraphs.count ? paragraphs[i + 1] : nil, subject: subject) { groups.append(g) }
        }
        // "acts as Provider's business associate", "a business associate of Provider": Provider is the covered entity.
        var statedCE: [(name: String, sentence: Range<Int>, paragraph: Int)] = []
        for i in zone where !paragraphs[i].isEmpty {
            for m in matches(Self.businessAssociateOf, subject, paragraphs[i]) {
                guard let r = Self.businessAssociateOf.groupNames.values.compactMap({ m.group($0) }).first else { continue }
                let name = Self.clean(subject.text(r))
                if Self.isName(name), !["Business Associate", "Covered Entity", "Its", "Their"].contains(name) {
                    statedCE.append((name, sentence(around: m.range, in: paragraphs[i], subject), i))
                }
            }
        }
        for stated in statedCE {
            var found = false
            for g in groups.indices where groups[g].names.contains(where: { $0.lowercased() == stated.name.lowercased() }) && groups[g].strength < 2 {
                groups[g].role = .ce; groups[g].strength = 2; groups[g].sentence = stated.sentence; found = true
            }
            if !found { groups.append(Group(names: [stated.name], role: .ce, strength: 2, sentence: stated.sentence, paragraph: stated.paragraph, source: .preamble)) }
        }
        statements(for: &groups, zone: zone, paragraphs: paragraphs, subject: subject)
        return decide(groups, subject: subject)
    }

    /// Recitals and statements about a party named but not given a role: "WHEREAS, Acme is a covered entity",
    /// "Beta acts as a business associate", "Acme is a health care provider".
    func statements(for groups: inout [Group], zone: [Int], paragraphs: [Range<Int>], subject: Subject) {
        let undecided = groups.indices.filter { groups[$0].role == nil }
        let names = Set(undecided.flatMap { groups[$0].names }.filter { $0.count >= 3 && !Self.pronounsBA.contains($0.lowercased()) && !Self.pronounsCE.contains($0.lowercased()) })
        guard !names.isEmpty else { return }
        let alternatives = names.sorted { $0.utf8.count > $1.utf8.count }.map { "\\Q" + $0.replacingOccurrences(of: "\\E", with: "") + "\\E" }.joined(separator: "|")
        let pattern = "(?<![\\w-])(?:the\\s+)?(?-i:(" + alternatives + "))(?![\\w-]),?\\s+(?:is|shall\\s+be|will\\s+be|acts\\s+as|serves\\s+as|is\\s+acting\\s+as)\\s+(?:also\\s+)?(?:a|an|the|its)\\s+\"?(?:HIPAA[- ])?"
            + "(?:(business\\s+associate)|(covered\\s+entity|health\\s*care\\s+provider|healthcare\\s+provider|health\\s+plan|hospital|(?:medical|dental)\\s+practice))\\b(?!\\s+agreement)"
        guard let regex = try? Regex(pattern) else { return }
        for i in zone where !paragraphs[i].isEmpty {
            for m in matches(regex, subject, paragraphs[i]) {
                guard let nameR = m.group(1) else { continue }
                let name = subject.text(nameR).lowercased()
                let role: Role = m.group(2) != nil ? .ba : .ce
                for g in undecided where groups[g].role == nil && groups[g].names.contains(where: { $0.lowercased() == name }) {
                    groups[g].role = role
                    groups[g].strength = 2
                    groups[g].sentence = sentence(around: m.range, in: paragraphs[i], subject)
                }
            }
        }
    }

    static let businessAssociateOf = re(#"\b(?<y>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}))'s\s+business\s+associate\b(?!\s+agreement)|\b(?:a|the)\s+business\s+associate\s+of\s+(?:the\s+)?(?<z>(?-i:[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}))"#)

    // MARK: - Declarations


    func matches(_ regex: Regex, _ s: Subject, _ r: Range<Int>) -> [Match] {
        (try? matcher.allMatches(regex, in: s, from: r.lowerBound, to: r.upperBound)) ?? []
    }

    func first(_ regex: Regex, _ s: Subject, _ r: Range<Int>) -> Match? {
        guard r.lowerBound <= r.upperBound else { return nil }
        return (try? matcher.firstMatch(regex, in: s, from: r.lowerBound, to: r.upperBound)) ?? nil
    }

    static func clean(_ name: String) -> String {
        // Markdown emphasis around a name ("**Covered Entity**") is not part of it.
        var n = name.trimmingCharacters(in: CharacterSet(charactersIn: "*_` \t"))
        while let last = n.last, ",.;:*_".contains(last) { n.removeLast() }
        n = n.trimmingWhitespace()
        if n.lowercased().hasPrefix("the ") { n = String(n.dropFirst(4)) }
        return n
    }

    /// A name that can stand for a party: letters, no placeholder brackets or blanks, not a common defined term.
    static func isName(_ n: String) -> Bool {
        guard !n.isEmpty, n.count <= 60, n.contains(where: \.isLetter),
              !n.contains("["), !n.contains("_"), !n.contains("{"), !n.contains("<"), !n.contains("@"), !n.contains(":") else { return false }
        let lower = n.lowercased()
        if pronounsBA.contains(lower) || pronounsCE.contains(lower) { return true }
        // A name starts with a capital or a digit-free word and is short: "Acme", "Vendor", "Acme Health, Inc.".
        guard let f = n.first, f.isUppercase, n.split(separator: " ").count <= 6 else { return false }
        let firstWord = lower.split(separator: " ").first.map(String.init) ?? lower
        if ["as", "if", "see", "to", "per", "under", "this", "these", "that", "such", "each", "any", "all", "identified", "named",
            "upon", "in", "within", "when", "where", "with", "notwithstanding", "subject", "except", "unless", "by", "at", "on",
            "from", "after", "before", "pursuant", "no", "not", "shall", "will", "may", "must", "it", "its", "whereas", "now", "therefore",
            "recitals", "witnesseth", "parties", "party"].contains(firstWord) { return false }
        return !notNames.contains(lower)
    }

    /// The sentence around `r` inside paragraph `p` (cut at ". " boundaries, at most about 400 bytes).
    func sentence(around r: Range<Int>, in p: Range<Int>, _ s: Subject) -> Range<Int> {
        /// A sentence ends at "." (or "?", "!") before a space and a capital, or the paragraph's end, except after
        /// an abbreviation ("Inc.", "P.C.", "No.") or a single letter.
        func endsSentence(at i: Int) -> Bool {
            let b = s.bytes[i]
            guard b == UInt8(ascii: ".") || b == UInt8(ascii: "?") || b == UInt8(ascii: "!") else { return false }
            if i + 1 < p.upperBound {
                guard s.bytes[i + 1] == UInt8(ascii: " "), i + 2 < p.upperBound else { return false }
                let next = s.bytes[i + 2]
                guard (next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")) || next == UInt8(ascii: "\"") || next == UInt8(ascii: "(") else { return false }
            }
            var w = i
            while w > p.lowerBound, s.bytes[w - 1] != UInt8(ascii: " ") { w -= 1 }
            let word = s.text(w..<i).lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "(\"'"))
            if word.count <= 1 || word.contains(".") { return false }
            return !["inc", "corp", "ltd", "co", "no", "llc", "l.l.c", "p.c", "pc", "pllc", "lp", "llp", "st", "mr", "ms", "dr", "sec", "seq", "u.s", "e.g", "i.e", "etc", "vs"].contains(word)
        }
        var lo = r.lowerBound
        while lo > p.lowerBound, r.lowerBound - lo < 600 {
            if lo - 2 >= p.lowerBound, endsSentence(at: lo - 2) { break }
            lo -= 1
        }
        var hi = r.upperBound
        while hi < p.upperBound, hi - r.upperBound < 600 {
            if endsSentence(at: hi) { hi += 1; break }
            hi += 1
        }
        while lo < s.count, lo < hi, s.bytes[lo] & 0xC0 == 0x80 { lo += 1 }
        while hi < s.count, hi > lo, s.bytes[hi] & 0xC0 == 0x80 { hi += 1 }
        return lo..<hi
    }

    /// The proper name at the start of `s` ("Acme Health, Inc." of "Acme Health, Inc., a Delaware corporation").
    static func leadingName(_ s: String) -> String? {
        let words = s.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var out: [String] = []
        let connectors: Set<String> = ["of", "and", "&", "for", "de"]
        let suffixes: Set<String> = ["inc", "inc.", "llc", "llc.", "l.l.c.", "corp", "corp.", "corporation", "ltd", "ltd.", "p.c.", "pc",
                                     "pllc", "lp", "llp", "co.", "pbc", "gmbh", "s.a."]
        for w in words {
            let bare = w.trimmingCharacters(in: CharacterSet(charactersIn: ",;:"))
            guard let f = bare.first else { break }
            if f.isUppercase || f.isNumber || suffixes.contains(bare.lowercased()) || (connectors.contains(bare) && !out.isEmpty) {
                out.append(bare)
                if w.hasSuffix(",") && !(words.count > out.count && suffixes.contains(words[out.count].trimmingCharacters(in: CharacterSet(charactersIn: ",;:")).lowercased())) { break }
                if w.hasSuffix(";") || w.hasSuffix(":") { break }
            } else { break }
            if out.count >= 7 { break }
        }
        while let l = out.last, connectors.contains(l) { out.removeLast() }
        guard !out.isEmpty else { return nil }
        var name = out.joined(separator: " ")
        // "Acme Health, Inc." keeps the comma before its suffix.
        for suf in suffixes where name.lowercased().hasSuffix(" " + suf) {
            let base = name.dropLast(suf.count + 1)
            if s.contains(base + ", " + name.suffix(suf.count)) { name = base + ", " + name.suffix(suf.count) }
            break
        }
        return clean(name)
    }

    /// The name without its corporate suffix ("Acme Health" of "Acme Health, Inc.").
    static let corporateSuffix = re(#",?\s+(?:Inc\.?|LLC|L\.L\.C\.|Corp\.?|Corporation|Ltd\.?|P\.C\.|PC|PLLC|LP|LLP|Co\.|PBC)$"#, caseless: false)
    func shortForm(_ name: String) -> String? {
        let s = Subject(name)
        guard let m = first(Self.corporateSuffix, s, 0..<s.count), m.range.lowerBound > 0 else { return nil }
        let short = s.text(0..<m.range.lowerBound).trimmingWhitespace()
        return short.split(separator: " ").count >= 1 && short.count >= 3 ? short : nil
    }

    func classify(_ names: [String], context: String) -> (Role?, Int, Bool, Bool) {
        let lower = Set(names.map { $0.lowercased() })
        let sub = lower.contains("subcontractor")
        let hasBA = lower.contains("business associate") || lower.contains("ba")
        if sub { return (.ba, 3, true, hasBA) }
        if hasBA { return (.ba, 3, false, true) }
        if lower.contains("covered entity") || lower.contains("ce") { return (.ce, 3, false, false) }
        if !lower.isDisjoint(with: Self.pronounsBA) { return (.ba, 2, false, false) }
        if !lower.isDisjoint(with: Self.pronounsCE) { return (.ce, 2, false, false) }
        let ba = !lower.isDisjoint(with: Self.baWords), ce = !lower.isDisjoint(with: Self.ceWords)
        if ba != ce { return (ba ? .ba : .ce, 1, false, false) }
        let cs = Subject(context)
        let dBA = first(Self.baDescription, cs, 0..<cs.count) != nil, dCE = first(Self.ceDescription, cs, 0..<cs.count) != nil
        if dBA != dCE { return (dBA ? .ba : .ce, 1, false, false) }
        return (nil, 0, false, false)
    }

    /// Parentheticals that name a party: Acme Health, Inc. ("Acme"), a covered entity.
    func declarations(in p: Range<Int>, paragraph: Int, subject s: Subject) -> [Group] {
        var out: [Group] = []
        var previousEnd = p.lowerBound
        let isPartySentence = first(Self.partySentence, s, p) != nil
        var labelRole: Role?
        if p.count < 400, let m = first(Self.label, s, p), let k = m.group(1) {
            let key = s.text(k).lowercased()
            if key.contains("business associate") != key.contains("covered entity") { labelRole = key.contains("business associate") ? .ba : .ce }
        }
        for m in matches(Self.paren, s, p) {
            guard let innerRange = m.group(1) else { continue }
            let inner = s.text(innerRange)
            var names: [String] = []
            let quotes = matches(Self.quoted, Subject(inner), 0..<inner.utf8.count)
            if !quotes.isEmpty {
                // (each a "Subcontractor"), (any "Claim"): an indefinite designation, not a party.
                let innerSubject = Subject(inner)
                let before = innerSubject.text(0..<(quotes.first?.range.lowerBound ?? 0)).lowercased()
                if before.split(whereSeparator: { !$0.isLetter }).contains(where: { ["each", "any", "a", "an", "such", "every"].contains($0) }) { previousEnd = m.range.upperBound; continue }
                for q in quotes { if let g = q.group(1) { names.append(Self.clean(innerSubject.text(g))) } }
            } else if first(Self.bareNames, Subject(inner), 0..<inner.utf8.count) != nil {
                // Unquoted: only in a sentence that introduces the parties, or beside a role name (Ovation or Business Associate).
                let lowerInner = inner.lowercased()
                guard isPartySentence || lowerInner.contains("business associate") || lowerInner.contains("covered entity") else {
                    previousEnd = m.range.upperBound; continue
                }
                let parts = inner.replacingOccurrences(of: " and/or ", with: ",").replacingOccurrences(of: " or ", with: ",")
                names = parts.split(separator: ",").map { Self.clean(String($0)) }
                // "(Client)", "(Date)": a blank in a template, not a name.
                if names.allSatisfy({ Self.ceWords.contains($0.lowercased()) || Self.baWords.contains($0.lowercased()) || Self.notNames.contains($0.lowercased()) }) {
                    previousEnd = m.range.upperBound; continue
                }
            }
            names = names.filter(Self.isName)
            guard !names.isEmpty else { previousEnd = m.range.upperBound; continue }
            // The party's description: back to the clause start, and the words after the parenthesis.
            let head = headText(before: m.range.lowerBound, from: max(previousEnd, p.lowerBound), subject: s)
            let tailEnd = min(p.upperBound, m.range.upperBound + 80)
            var tail = s.text(m.range.upperBound..<clampEnd(tailEnd, s))
            if let cut = tail.range(of: " and ") { tail = String(tail[..<cut.lowerBound]) }
            if let cut = tail.firstIndex(where: { $0 == ";" || $0 == "(" }) { tail = String(tail[..<cut]) }
            let headLower = head.lowercased().trimmingWhitespace()
            if headLower == "you" || headLower.hasPrefix("you,") || headLower.hasPrefix("you ") { names += ["you", "your"] }
            if headLower == "we" { names += ["we", "us", "our"] }
            // Pronouns come as a set: "we" or "us" is also "our"; "you" is also "your".
            let lowerNames = Set(names.map { $0.lowercased() })
            if !lowerNames.isDisjoint(with: ["we", "us"]) { for p in ["we", "us", "our"] where !lowerNames.contains(p) { names.append(p) } }
            if lowerNames.contains("you") && !lowerNames.contains("your") { names.append("your") }
            var (role, strength, sub, hasBA) = classify(names, context: head + " " + tail)
            // A party line ("Data Controller / Covered Entity: [Name] ("Customer")") gives its role.
            if strength < 2, let r = labelRole { (role, strength) = (r, 2) }
            // A description decides only in a sentence that introduces the parties; a role word ("Practice",
            // "Vendor") also in the opening paragraphs.
            let roleWordOnly = strength == 1 && !names.allSatisfy({ !Self.baWords.contains($0.lowercased()) && !Self.ceWords.contains($0.lowercased()) })
            if strength < 2 && !isPartySentence && !(roleWordOnly && paragraph < 12) { role = nil; strength = 0 }
            if let company = Self.leadingName(head), Self.isName(company), company.count >= 3,
               !Self.baWords.contains(company.lowercased()), !Self.ceWords.contains(company.lowercased()),
               !["you", "we"].contains(company.lowercased()) {
                names.append(company)
                if let short = shortForm(company) { names.append(short) }
            }
            out.append(Group(names: names, role: role, strength: strength, sentence: sentence(around: m.range, in: p, s),
                             paragraph: paragraph, source: .preamble, subcontractor: sub, hasBusinessAssociate: hasBA))
            previousEnd = m.range.upperBound
        }
        return out
    }

    func clampEnd(_ e: Int, _ s: Subject) -> Int {
        var e = min(e, s.count)
        while e < s.count, s.bytes[e] & 0xC0 == 0x80 { e += 1 }
        return e
    }

    /// The words naming a party before its parenthetical, back to "between", "and", ":" or the paragraph start.
    func headText(before end: Int, from start: Int, subject s: Subject) -> String {
        var h = s.text(start..<end).replacingOccurrences(of: "**", with: "")
        if h.lowercased().hasPrefix("between ") { h = String(h.dropFirst(8)) }
        for sep in [" between ", " and ", ": ", ":** ", "; ", " among ", ".** "] {
            if let r = h.range(of: sep, options: [.backwards, .caseInsensitive]) { h = String(h[r.upperBound...]) }
        }
        // "entered into ... by Acme", "supplied by Acme"; not "represented by" its officer.
        if let r = h.range(of: " by ", options: [.backwards, .caseInsensitive]) {
            let before = h[..<r.lowerBound].split(separator: " ").last.map { $0.lowercased() } ?? ""
            if !["represented", "signed", "executed", "approved", "attested", "acknowledged"].contains(before) { h = String(h[r.upperBound...]) }
        }
        // A sentence before it ("Parties. Acme ..."), but not an abbreviation ("Acme Inc. ").
        var search = h.endIndex
        while let r = h.range(of: ". ", options: .backwards, range: h.startIndex..<search) {
            let word = h[..<r.lowerBound].split(separator: " ").last.map { $0.lowercased() } ?? ""
            if word.count > 1 || word.allSatisfy(\.isNumber), !word.contains("."), !["inc", "corp", "ltd", "co", "no", "llc", "pc", "pllc", "lp", "llp", "st", "dr"].contains(word) {
                h = String(h[r.upperBound...]); break
            }
            search = r.lowerBound
        }
        return h.trimmingCharacters(in: CharacterSet(charactersIn: "*_ \t"))
    }

    /// "Business Associate: Acme Health, Inc." or a "BUSINESS ASSOCIATE:" line followed by "Name: Acme"; several in one
    /// paragraph when a text file's party list was joined into one ("Covered Entity: X Business Associate: Y").
    static let labelKey = re(#"\b(business\s+associate|covered\s+entity|subcontractor)(?:\s*\([^)\n]{0,40}\))?\s*:"#)

    func labelLines(_ p: Range<Int>, paragraph: Int, next: Range<Int>?, subject s: Subject) -> [Group] {
        guard p.count < 400, let lead = first(Self.label, s, p), lead.group(1) != nil else { return [] }
        let keys = matches(Self.labelKey, s, p)
        // The first key opens the paragraph ("Data Controller / Covered Entity:" included).
        guard let firstKey = keys.first, let leadKey = lead.group(1), firstKey.range.lowerBound < leadKey.upperBound + 2 else { return [] }
        var out: [Group] = []
        for (k, m) in keys.enumerated() {
            guard let keyR = m.group(1) else { continue }
            let key = s.text(keyR).lowercased()
            let role: Role = key.hasPrefix("covered") ? .ce : .ba
            let sub = key.hasPrefix("sub")
            let restEnd = k + 1 < keys.count ? keys[k + 1].range.lowerBound : p.upperBound
            var rest = s.text(m.range.upperBound..<restEnd)
            if rest.trimmingWhitespace().isEmpty, keys.count == 1, let next, next.count < 200 {
                rest = s.text(next)
                if let r = rest.range(of: "Name:") { rest = String(rest[r.upperBound...]) } else { continue }
            }
            rest = rest.trimmingCharacters(in: CharacterSet(charactersIn: "*_ \t"))
            guard !rest.isEmpty, !rest.hasPrefix("\""), !rest.hasPrefix("(") else { continue }
            for stop in [" (", " - ", " Attn", " Address", " Contact", " Email", " Phone", ", located", ", represented", ", a ", "; ", " with its", " Effective"] {
                if let r = rest.range(of: stop) { rest = String(rest[..<r.lowerBound]) }
            }
            let name = Self.clean(rest)
            guard Self.isName(name), name.split(separator: " ").count <= 6, let f = name.first, f.isUppercase || f.isNumber else { continue }
            var names = [name]
            if let short = shortForm(name) { names.append(short) }
            // A label near the start is the party list; near the end, a signature block.
            out.append(Group(names: names, role: role, strength: 2, sentence: p, paragraph: paragraph,
                             source: paragraph < 40 ? .preamble : .signature, subcontractor: sub, hasBusinessAssociate: false))
        }
        return out
    }

    /// "Business Associate" means Acme Health, Inc.; or a "Business Associate" heading over "Acme Health, a platform ...".
    func definitionLine(_ p: Range<Int>, paragraph: Int, next: Range<Int>?, subject s: Subject) -> Group? {
        var roleText: String
        var rest: String
        if let m = first(Self.definition, s, p), let r = m.group(1), let v = m.group(2) {
            roleText = s.text(r).lowercased(); rest = s.text(v)
        } else if let m = first(Self.roleHeading, s, p), let r = m.group(1), let next, !next.isEmpty {
            roleText = s.text(r).lowercased(); rest = s.text(next)
            guard rest.contains(",") else { return nil }
        } else { return nil }
        roleText = roleText.replacingOccurrences(of: "  ", with: " ")
        guard let name = Self.leadingName(rest), Self.isName(name), name.count >= 3,
              !["The", "A", "An", "Any", "Each"].contains(name), !Self.ceWords.contains(name.lowercased()), !Self.baWords.contains(name.lowercased()) else { return nil }
        let role: Role = roleText.hasPrefix("covered") ? .ce : .ba
        var names = [name]
        if let short = shortForm(name) { names.append(short) }
        return Group(names: names, role: role, strength: 2, sentence: p, paragraph: paragraph, source: .definition,
                     subcontractor: roleText.hasPrefix("sub"), hasBusinessAssociate: false)
    }

    /// "between Business Associate and Customer": a role name beside a one-word defined name gives it the other role.
    static let between = re(#"\bbetween\s+(?:the\s+)?(?:"?(?<r1>Business\s+Associate|Covered\s+Entity)"?\s+and\s+(?:the\s+)?(?<n1>(?-i:[A-Z][A-Za-z]{2,20}))|(?<n2>(?-i:[A-Z][A-Za-z]{2,20}))\s+and\s+(?:the\s+)?"?(?<r2>Business\s+Associate|Covered\s+Entity))\b"#)

    func betweenRoles(_ p: Range<Int>, paragraph: Int, subject s: Subject) -> [Group] {
        guard let m = first(Self.between, s, p) else { return [] }
        let g = Self.between.groupNames
        guard let roleR = (g["r1"].flatMap { m.group($0) }) ?? (g["r2"].flatMap { m.group($0) }),
              let nameR = (g["n1"].flatMap { m.group($0) }) ?? (g["n2"].flatMap { m.group($0) }) else { return [] }
        let name = s.text(nameR)
        guard Self.isName(name), !["Business", "Covered", "The", "This"].contains(name) else { return [] }
        let other: Role = s.text(roleR).lowercased().hasPrefix("business") ? .ce : .ba
        return [Group(names: [name], role: other, strength: 1, sentence: sentence(around: m.range, in: p, s), paragraph: paragraph,
                      source: .preamble)]
    }

    static let sectionStart = re(#"^\s*(?:#{1,6}\s*)?(?:(?:article|section)\s+\w+|\d{1,2}(?:\.\d{1,2})*[.)]?|(?-i:[A-Z])[.)])\s+(?-i:[A-Z])"#)

    /// "We", "us" and "our" mean Acme Health, Inc.; "You" and "your" mean the practice that accepts these terms.
    static let pronounMeaning = re(#"((?:"(?:we|us|our|you|your)"\s*(?:,\s*|\s+(?:and|or)\s+|,\s*(?:and|or)\s+)?){1,4})(?:each\s+)?(?:means?|refers?\s+to)\s+(?=([^\n]{0,120}))"#)

    func pronounDefinitions(_ p: Range<Int>, paragraph: Int, subject s: Subject) -> [Group] {
        var out: [Group] = []
        for m in matches(Self.pronounMeaning, s, p) {
            guard let listR = m.group(1) else { continue }
            let list = Set(s.text(listR).lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init))
            let isBA = !list.isDisjoint(with: Self.pronounsBA), isCE = !list.isDisjoint(with: Self.pronounsCE)
            guard isBA != isCE else { continue }
            var names = isBA ? ["we", "us", "our"] : ["you", "your"]
            if let restR = m.group(2), let company = Self.leadingName(s.text(restR)), Self.isName(company), company.count >= 3 {
                names.append(company)
                if let short = shortForm(company) { names.append(short) }
            }
            out.append(Group(names: names, role: isBA ? .ba : .ce, strength: 2, sentence: sentence(around: m.range, in: p, s),
                             paragraph: paragraph, source: .definition))
        }
        return out
    }

    /// A cover-page table row: "| Practice | Saltmarsh Orthopedic Group, LLP |", "| Business Associate | Acme |".
    static let row = re(#"^\s*\|\s*(?:the\s+)?([A-Za-z][A-Za-z ]{1,30}?)\s*\|\s*([^|\n]{2,80}?)\s*\|"#)

    func tableRow(_ p: Range<Int>, paragraph: Int, subject s: Subject) -> Group? {
        guard let m = first(Self.row, s, p), let keyR = m.group(1), let valueR = m.group(2) else { return nil }
        let key = s.text(keyR).trimmingWhitespace()
        let lower = key.lowercased()
        let role: Role, strength: Int
        if lower == "business associate" || lower == "subcontractor" { role = .ba; strength = 2 }
        else if lower == "covered entity" { role = .ce; strength = 2 }
        else if Self.baWords.contains(lower) { role = .ba; strength = 1 }
        else if Self.ceWords.contains(lower) { role = .ce; strength = 1 }
        else { return nil }
        let value = Self.clean(s.text(valueR))
        guard Self.isName(value), value.split(separator: " ").count <= 6 else { return nil }
        var names = [key, value]
        if let short = shortForm(value) { names.append(short) }
        return Group(names: names, role: role, strength: strength, sentence: p, paragraph: paragraph, source: .definition,
                     subcontractor: lower == "subcontractor", hasBusinessAssociate: false)
    }

    // MARK: - Decision

    func decide(_ raw: [Group], subject s: Subject) -> PartyRoles {
        var groups = raw
        // Undecided parties in a sentence with a decided one take the other role (two parties per preamble sentence).
        for i in groups.indices where groups[i].role == nil {
            let same = groups.indices.filter { $0 != i && groups[$0].paragraph == groups[i].paragraph && groups[$0].source == .preamble }
            let decided = Set(same.compactMap { groups[$0].role.map { $0 == .ba ? 0 : 1 } })
            if same.count == 1, decided.count == 1, let r = groups[same[0]].role { groups[i].role = r == .ba ? .ce : .ba; groups[i].strength = 1 }
        }
        // A subcontractor agreement: "Subcontractor" plays the BA, the party called "Business Associate" the CE.
        let subcontractorGroups = groups.filter { $0.subcontractor && $0.strength >= 2 }
        let isSub = !subcontractorGroups.isEmpty && groups.contains { !$0.subcontractor && $0.hasBusinessAssociate }
        if isSub {
            for i in groups.indices where !groups[i].subcontractor && groups[i].hasBusinessAssociate { groups[i].role = .ce }
        }
        var ba: [String] = [], ce: [String] = []
        var weightBA: [String: Int] = [:], weightCE: [String: Int] = [:]
        for g in groups {
            guard let role = g.role else { continue }
            for n in g.names {
                if ba.contains(where: { $0.lowercased() == n.lowercased() }) && role == .ba { continue }
                if ce.contains(where: { $0.lowercased() == n.lowercased() }) && role == .ce { continue }
                if role == .ba { if !ba.contains(n) { ba.append(n) }; weightBA[n.lowercased(), default: 0] = max(weightBA[n.lowercased(), default: 0], g.strength) }
                else { if !ce.contains(n) { ce.append(n) }; weightCE[n.lowercased(), default: 0] = max(weightCE[n.lowercased(), default: 0], g.strength) }
            }
        }
        // A name on both sides goes to the firmer one, or to neither.
        for n in Set(ba.map { $0.lowercased() }).intersection(ce.map { $0.lowercased() }) {
            let wb = weightBA[n] ?? 0, wc = weightCE[n] ?? 0
            if wb <= wc { ba.removeAll { $0.lowercased() == n } }
            if wc <= wb { ce.removeAll { $0.lowercased() == n } }
        }
        if !isSub {
            ce.removeAll { $0.lowercased() == "business associate" || $0.lowercased() == "ba" }
        }
        ba.removeAll { $0.lowercased() == "covered entity" || $0.lowercased() == "ce" }
        guard !ba.isEmpty || !ce.isEmpty else { return PartyRoles() }
        let decider = groups.filter { $0.role != nil }.max { ($0.strength, -$0.sentence.lowerBound) < ($1.strength, -$1.sentence.lowerBound) }
        var roles = PartyRoles(ba: ba, ce: ce, source: decider?.source ?? .preamble, subcontractorAgreement: isSub)
        roles.declarations = Array(Set(groups.filter { $0.role != nil }.map(\.sentence))).sorted { $0.lowerBound < $1.lowerBound }
        if let d = decider {
            roles.decidedBy = s.text(d.sentence).trimmingWhitespace()
            roles.offset = d.sentence.lowerBound
        }
        return roles
    }
}

extension PartyRoles {
    /// Whether "our" / "your" read "Business Associate's" / "Covered Entity's" (off: see `replacements`).
    static let possessivesAsRoles = false

    /// The canonical replacements: each name (as written, and in capitals) -> its role word.
    func replacements() -> [String: String] {
        var out: [String: String] = [:]
        func add(_ name: String, _ role: String, _ possessive: String) {
            let l = name.lowercased()
            switch l {
            case "we", "us":
                for v in l == "we" ? ["we", "We", "WE"] : ["us", "Us"] { out[v] = role }
                if l == "we" {
                    for (c, verb) in [("'ll", "will"), ("'re", "is"), ("'ve", "has"), ("'d", "would")] {
                        for w in ["we", "We"] { out[w + c] = role + " " + verb }
                    }
                }
            case "our", "your":
                // Possessive pronouns stay as written: the rules read "your" / "our" as determiners inside word-count
                // bounded gaps ("when your subscription ends"), where two words ("Covered Entity's") no longer fit;
                // measured on both corpora, reading them as roles gained nothing and lost one verdict. The subject
                // pronouns (we, us, you) carry the role.
                if Self.possessivesAsRoles { for v in l == "our" ? ["our", "Our", "OUR", "ours", "Ours"] : ["your", "Your", "YOUR", "yours", "Yours"] { out[v] = possessive } }
            case "you":
                for v in ["you", "You", "YOU"] { out[v] = role }
                for (c, verb) in [("'ll", "will"), ("'re", "is"), ("'ve", "has"), ("'d", "would")] {
                    for w in ["you", "You"] { out[w + c] = role + " " + verb }
                }
            default:
                guard name.count >= 2 else { return }
                out[name] = role
                out[name.uppercased()] = role
            }
        }
        let baWord = "Business Associate", ceWord = "Covered Entity"
        for n in ba { add(n, baWord, baWord + "'s") }
        for n in ce { add(n, ceWord, ceWord + "'s") }
        // The role words themselves read as themselves, except when a subcontractor agreement swaps them.
        for (k, v) in out where k.lowercased() == v.lowercased() { out[k] = nil }
        if subcontractorAgreement {
            out["Business Associate"] = ceWord; out["BUSINESS ASSOCIATE"] = ceWord
        }
        return out
    }

    /// The canonical text and its map back, or nil when nothing would change.
    public func canonicalize(_ text: String, matcher: Matcher = Matcher()) -> CanonicalText? {
        let table = replacements()
        guard !table.isEmpty else { return nil }
        let keys = table.keys.sorted { $0.utf8.count > $1.utf8.count || ($0.utf8.count == $1.utf8.count && $0 < $1) }
        func escape(_ s: String) -> String { "\\Q" + s.replacingOccurrences(of: "\\E", with: "\\E\\\\E\\Q") + "\\E" }
        // Names used as adjectives of data or documents ("Customer Data", "Vendor Agreement") keep their words:
        // "customer data" is an analogue of PHI, and "Business Associate Agreement" would be a new phrase.
        let keep = #"(?!\s+(?i:data|personal\s+data|information|content|materials|agreement|addendum|terms|polic(?:y|ies))\b)"#
        // "the Practice", "THE Vendor" read "Covered Entity", "Business Associate", as the standard form has them.
        let pattern = "(?<![\\w'-])((?:the|The|THE)\\s+)?(" + keys.map(escape).joined(separator: "|") + ")(?![\\w-])" + keep
        guard let regex = try? Regex(pattern, caseless: false) else { return nil }
        let subject = Subject(text)
        guard let found = try? matcher.allMatches(regex, in: subject) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(subject.count + found.count * 8)
        var map = OffsetMap()
        var position = 0
        for m in found {
            guard let nameRange = m.group(2) else { continue }
            if declarations.contains(where: { $0.contains(nameRange.lowerBound) }) { continue }
            let name = subject.text(nameRange)
            // A pronoun kept as a name only where defined: "You" as a name; "US" (United States) is never "us".
            guard let role = table[name] else { continue }
            let isPronoun = ["we", "us", "our", "ours", "you", "your", "yours"].contains(name.lowercased())
            let replaced = isPronoun ? nameRange : m.range
            if !isPronoun, role == "Business Associate" || role == "Covered Entity",
               name.lowercased() == role.lowercased() { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: subject.bytes[position..<replaced.lowerBound]))
            let start = out.count
            // A name in capitals (a heading, a signature block) reads the role in capitals.
            let capitals = name.count > 1 && name == name.uppercased() && name != name.lowercased()
            out.append(contentsOf: Array((capitals ? role.uppercased() : role).utf8))
            map.canonical.append(start..<out.count)
            map.original.append(replaced)
            position = replaced.upperBound
        }
        guard !map.isIdentity else { return nil }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: subject.bytes[position..<subject.count]))
        return CanonicalText(text: String(decoding: out, as: UTF8.self), map: map)
    }
}

extension Reviewer.Analysis {
    /// The analysis of a canonical text, told in the document's own text: every hit's unit and span, its paragraph
    /// (section, heading), the texts of captures, guards and defined periods, and the segments, refer to `original`.
    /// Whether the document is about PHI at all is read from its own words too (a "Vendor" read as "Business
    /// Associate" does not make a services agreement about PHI).
    func mapped(to original: Document, via map: OffsetMap, roles: PartyRoles, matcher: Matcher, library: ClauseLibrary) -> Reviewer.Analysis {
        var a = self
        let canonicalSubject = subject
        let originalSubject = Subject(original.text)
        let segments = Segmenter().segment(original.text, matcher: matcher)
        let starts = segments.paragraphs.map(\.range.lowerBound)
        func paragraph(containing offset: Int, fallback: Int) -> Int {
            var lo = 0, hi = starts.count
            while lo < hi { let mid = (lo + hi) / 2; if starts[mid] <= offset { lo = mid + 1 } else { hi = mid } }
            return lo == 0 ? min(fallback, max(0, starts.count - 1)) : lo - 1
        }
        /// A text found in the canonical range `r`, read from the original at the same place.
        func originalText(_ s: String, in r: Range<Int>) -> String {
            guard !s.isEmpty, r.upperBound <= canonicalSubject.count else { return s }
            let hay = canonicalSubject.text(r)
            guard let found = hay.range(of: s) else { return s }
            let lo = r.lowerBound + hay.utf8.distance(from: hay.utf8.startIndex, to: found.lowerBound.samePosition(in: hay.utf8) ?? hay.utf8.startIndex)
            let mapped = map.range(lo..<(lo + s.utf8.count))
            guard mapped.upperBound <= originalSubject.count else { return s }
            return originalSubject.text(mapped)
        }
        let whole = 0..<canonicalSubject.count
        a.hits = hits.map { h in
            var m = h
            m.unit = map.range(h.unit)
            m.span = map.range(h.span)
            m.paragraph = paragraph(containing: m.unit.lowerBound, fallback: h.paragraph)
            for (k, v) in h.captures where k != "ref" {
                let inUnit = originalText(v, in: h.unit)
                m.captures[k] = inUnit == v ? originalText(v, in: whole) : inUnit
            }
            if let veto = h.vetoedBy {
                let inUnit = originalText(veto.text, in: h.unit)
                m.vetoedBy = (veto.name, inUnit == veto.text ? originalText(veto.text, in: whole) : inUnit)
            }
            return m
        }
        a.definitions = definitions.mapValues { d in
            var d = d
            d.text = originalText(d.text, in: whole)
            return d
        }
        // About PHI at all, in the document's own words (as Reviewer.analyzeText decides it).
        a.hasHIPAAContext = Reviewer.aboutPHI(originalSubject, declarations: roles.declarations, matcher: matcher, library: library)
        a.document = original
        a.subject = originalSubject
        a.segments = segments
        a.roles = roles
        return a
    }
}
