/// What a pattern cannot match without: lower-cased literals combined with and/or.
///
/// Derived from the regex structure by `KeywordExtractor`: a run of literal characters is a literal, a group of
/// alternatives is `anyOf` its alternatives' requirements, a sequence is `all` of its elements' requirements, and
/// anything optional, repeated from zero, a class, a look-around or an escape is `always` (no requirement).
public indirect enum LiteralRequirement: Sendable, Hashable {
    /// No requirement: the pattern may match anywhere.
    case always
    /// This lower-cased literal (ASCII case-folded) occurs in any text the pattern matches.
    case literal(String)
    /// Every part holds.
    case all([LiteralRequirement])
    /// At least one part holds.
    case anyOf([LiteralRequirement])

    /// Every literal mentioned, sorted and distinct.
    public var literals: [String] {
        var out = Set<String>()
        func walk(_ r: LiteralRequirement) {
            switch r {
            case .always: break
            case .literal(let s): out.insert(s)
            case .all(let parts), .anyOf(let parts): parts.forEach(walk)
            }
        }
        walk(self)
        return out.sorted()
    }

    /// Whether a text whose (ASCII lower-cased) contents contain exactly `present` could match.
    public func isSatisfied(by present: (String) -> Bool) -> Bool {
        switch self {
        case .always: return true
        case .literal(let s): return present(s)
        case .all(let parts): return parts.allSatisfy { $0.isSatisfied(by: present) }
        case .anyOf(let parts): return parts.contains { $0.isSatisfied(by: present) }
        }
    }

    static func makeAll(_ parts: [LiteralRequirement]) -> LiteralRequirement {
        var out: [LiteralRequirement] = []
        for p in parts {
            switch p {
            case .always: continue
            case .all(let inner): for q in inner where !out.contains(q) { out.append(q) }
            default: if !out.contains(p) { out.append(p) }
            }
        }
        if out.isEmpty { return .always }
        return out.count == 1 ? out[0] : .all(out)
    }

    static func makeAnyOf(_ parts: [LiteralRequirement]) -> LiteralRequirement {
        var out: [LiteralRequirement] = []
        for p in parts {
            switch p {
            case .always: return .always
            case .anyOf(let inner): for q in inner where !out.contains(q) { out.append(q) }
            default: if !out.contains(p) { out.append(p) }
            }
        }
        if out.isEmpty { return .always }
        return out.count == 1 ? out[0] : .anyOf(out)
    }
}

/// Derives the literal words a pattern cannot match without, for the multi-literal prefilter.
///
/// Conservative by construction: whatever it does not understand (verbs, recursion, conditionals, extended mode,
/// \Q...\E, back-references, look-arounds, classes, non-ASCII characters) requires nothing. A prefilter that skips a
/// paragraph where the pattern would have matched is a correctness bug; one that lets a paragraph through only costs time.
/// Literals are ASCII lower-cased: matching must fold ASCII case in the text, and treat the two non-ASCII characters that
/// PCRE2 (caseless, UCP) matches to ASCII letters, U+017F (s) and U+212A (k), as a reason to skip the prefilter.
public enum KeywordExtractor {
    /// Literals shorter than this are too common to filter on (and "AI", "we", "CE" would keep everything anyway).
    public static let minimumLiteralLength = 3

    /// The anchor set: one of these lower-cased literals occurs in any text the pattern matches (empty: no prefilter).
    /// Of the pattern's required parts it picks the one whose literals look rarest.
    public static func keywords(of pattern: String) -> [String] {
        anchors(of: requirement(of: pattern)) ?? []
    }

    /// The full and/or requirement of a pattern.
    public static func requirement(of pattern: String) -> LiteralRequirement {
        guard let tree = parse(pattern) else { return .always }
        return requirement(ofAlternatives: tree)
    }

    /// Literals shorter than this are not used as match starts.
    public static let minimumStartLength = 2

    /// The lower-cased literals one of which every match of the pattern starts with (at the match's first byte), or
    /// nil when the pattern may start otherwise (a class, an escape, an optional first part with nothing certain
    /// after it, a possibly empty match, \K). Knowing them, a matcher tries the pattern anchored at those literals'
    /// positions only, instead of at every position of the paragraph.
    public static func startLiterals(of pattern: String) -> [String]? {
        parse(pattern).flatMap(startLiterals(ofTree:))?.literals
    }

    /// What a pattern's matches start with: the start literals, and of them those that every match beginning with them
    /// has a `\b` just before (and that begin with a word character): where the text before such a literal is a
    /// word character, no match starts there.
    public struct Starts: Sendable, Equatable {
        public let literals: [String]
        public let afterWordBoundary: [String]
    }

    /// The requirement and the start literals from one parse (what the library compiles each pattern with).
    public static func analyze(_ pattern: String) -> (requirement: LiteralRequirement, starts: Starts?) {
        guard let tree = parse(pattern) else { return (.always, nil) }
        return (requirement(ofAlternatives: tree), startLiterals(ofTree: tree))
    }

    static func startLiterals(ofTree tree: [[Item]]) -> Starts? {
        guard !contains(tree, where: { if case .resetStart = $0 { return true }; return false }),
              let set = first(ofAlternatives: tree, afterBoundary: false),
              set.keys.allSatisfy({ $0.utf8.count >= minimumStartLength }) else { return nil }
        return Starts(literals: set.keys.sorted(), afterWordBoundary: set.filter(\.value).keys.sorted())
    }

    /// The pattern as alternatives of sequences, or nil where the parser gives up.
    static func parse(_ pattern: String) -> [[Item]]? {
        var parser = Parser(Array(pattern.utf8))
        guard let tree = parser.parseAlternation(), parser.i == parser.p.count, !parser.gaveUp else { return nil }
        return tree
    }

    static func contains(_ alternatives: [[Item]], where test: (Node) -> Bool) -> Bool {
        alternatives.contains { seq in
            seq.contains { item in
                if test(item.node) { return true }
                if case .group(let inner) = item.node { return contains(inner, where: test) }
                return false
            }
        }
    }

    static func requirement(ofAlternatives alternatives: [[Item]]) -> LiteralRequirement {
        LiteralRequirement.makeAnyOf(alternatives.map(requirement(ofSequence:)))
    }

    /// A sequence: consecutive required literal characters form one literal; optional parts, classes and escapes
    /// require nothing; a required group requires what its alternatives do.
    static func requirement(ofSequence sequence: [Item]) -> LiteralRequirement {
        var parts: [LiteralRequirement] = []
        var run: [UInt8] = []
        func flush() {
            var bytes = run[...]
            while bytes.first == 0x20 { bytes = bytes.dropFirst() }
            while bytes.last == 0x20 { bytes = bytes.dropLast() }
            if bytes.count >= KeywordExtractor.minimumLiteralLength {
                parts.append(.literal(String(decoding: bytes, as: UTF8.self)))
            }
            run.removeAll(keepingCapacity: true)
        }
        for item in sequence {
            switch item.node {
            case .char(let b):
                if item.min == 0 { flush(); continue }
                run.append(b)
                // A repeated character ends the certain run after its first occurrence.
                if item.min != 1 || item.max != 1 { flush() }
            case .zeroWidth, .boundary, .resetStart, .other:
                // \b, ^, look-arounds and option settings: a literal run may continue across a \b only in
                // appearance; ending the run is always safe.
                flush()
            case .group(let inner):
                flush()
                if item.min >= 1 { parts.append(requirement(ofAlternatives: inner)) }
            }
        }
        flush()
        return LiteralRequirement.makeAll(parts)
    }

    /// The literals one of the alternatives' matches starts with, each with whether a `\b` certainly precedes it; nil
    /// if any alternative's start is unknown. `afterBoundary`: the alternatives themselves follow a `\b`.
    static func first(ofAlternatives alternatives: [[Item]], afterBoundary: Bool) -> [String: Bool]? {
        var out: [String: Bool] = [:]
        for seq in alternatives {
            guard let f = first(seq, from: 0, afterBoundary: afterBoundary) else { return nil }
            out.merge(f) { $0 && $1 }
        }
        return out
    }

    /// The literals a match of `sequence[k...]` starts with (and whether a `\b` certainly precedes each), or nil.
    static func first(_ sequence: [Item], from start: Int, afterBoundary: Bool) -> [String: Bool]? {
        var k = start
        var boundary = afterBoundary
        while k < sequence.count {
            if case .boundary = sequence[k].node { boundary = boundary || sequence[k].min >= 1 } else if case .zeroWidth = sequence[k].node {} else { break }
            k += 1
        }
        guard k < sequence.count else { return nil }  // may match empty
        let item = sequence[k]
        switch item.node {
        case .char:
            guard item.min >= 1 else { return nil }
            var run: [UInt8] = []
            var j = k
            while j < sequence.count, case .char(let b) = sequence[j].node, sequence[j].min >= 1 {
                run.append(b)
                if sequence[j].min != 1 || sequence[j].max != 1 { break }
                j += 1
            }
            return [String(decoding: run, as: UTF8.self): boundary && isWordByte(run[0])]
        case .group(let inner):
            guard var g = first(ofAlternatives: inner, afterBoundary: boundary) else { return nil }
            if item.min >= 1 { return g }
            // An optional first group: the match starts with it or with what follows it (at the same position).
            guard let rest = first(sequence, from: k + 1, afterBoundary: boundary) else { return nil }
            g.merge(rest) { $0 && $1 }
            return g
        case .other, .resetStart, .zeroWidth, .boundary:
            return nil
        }
    }

    /// An ASCII word character (what `\w` matches among ASCII bytes, with or without UCP).
    public static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// A parsed atom. `other` is anything that can consume text but is no known literal (a class, `.`, `\s`, ...).
    indirect enum Node {
        case char(UInt8)
        case zeroWidth
        /// `\b`: zero-width, but a match starting just after it cannot start after a word character.
        case boundary
        case resetStart
        case other
        case group([[Item]])
    }

    /// An atom with its quantifier (min, max); max == Int.max for unbounded.
    struct Item {
        let node: Node
        let min: Int
        let max: Int
    }

    /// A set of literals one of which must occur, or nil when the requirement has none.
    public static func anchors(of r: LiteralRequirement) -> [String]? {
        switch r {
        case .always: return nil
        case .literal(let s): return [s]
        case .anyOf(let parts):
            var out = Set<String>()
            for p in parts {
                guard let a = anchors(of: p) else { return nil }
                out.formUnion(a)
            }
            return out.sorted()
        case .all(let parts):
            let sets = parts.compactMap(anchors(of:))
            return sets.min { cost($0) < cost($1) }
        }
    }

    /// Estimated cost of anchoring on a set: how often one of its literals turns up in contract prose.
    static func cost(_ set: [String]) -> Double {
        set.reduce(0) { $0 + cost($1) }
    }

    /// Words every agreement uses in most paragraphs: anchoring on them filters nothing.
    static let commonWords: Set<String> = [
        "the", "and", "any", "all", "for", "such", "shall", "will", "may", "this", "that", "with", "under", "other",
        "business associate", "business", "associate", "covered entity", "covered", "entity", "agreement", "information",
        "health", "phi", "protected", "not", "use", "uses", "disclos", "disclose", "disclosure", "party", "parties",
        "provide", "services", "service", "law", "applicable", "including", "ing", "ion", "tion", "ed", "es",
    ]

    static func cost(_ literal: String) -> Double {
        let base = 1.0 / Double(max(1, literal.utf8.count))
        if commonWords.contains(literal) { return base * 50 }
        return base
    }

    struct Parser {
        let p: [UInt8]
        var i = 0
        var gaveUp = false
        init(_ p: [UInt8]) { self.p = p }

        var atEnd: Bool { i >= p.count }
        func peek(_ k: Int = 0) -> UInt8? { i + k < p.count ? p[i + k] : nil }

        /// alternatives separated by `|`, up to an unmatched `)` or the end.
        mutating func parseAlternation() -> [[Item]]? {
            var alternatives: [[Item]] = []
            while true {
                guard let s = parseSequence() else { return nil }
                alternatives.append(s)
                if peek() == UInt8(ascii: "|") { i += 1; continue }
                break
            }
            return alternatives
        }

        /// One alternative: atoms with their quantifiers.
        mutating func parseSequence() -> [Item]? {
            var items: [Item] = []
            while let c = peek(), c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                guard let atom = parseAtom() else { return nil }
                let (minimum, maximum) = parseQuantifier()
                if gaveUp { return nil }
                items.append(Item(node: atom, min: minimum, max: maximum))
            }
            return items
        }

        static func isAlnum(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }

        static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

        mutating func parseAtom() -> Node? {
            guard let c = peek() else { return nil }
            switch c {
            case UInt8(ascii: "\\"):
                return parseEscape()
            case UInt8(ascii: "["):
                guard skipClass() else { return nil }
                return .other
            case UInt8(ascii: "("):
                return parseGroup()
            case UInt8(ascii: "."):
                i += 1
                return .other
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                i += 1
                return .zeroWidth
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                // A quantifier with nothing before it: not a pattern we understand.
                gaveUp = true
                return nil
            default:
                if c >= 0x80 {
                    // A non-ASCII character: PCRE2 folds its case by Unicode rules the prefilter does not follow.
                    i += 1
                    while let n = peek(), n & 0xC0 == 0x80 { i += 1 }
                    return .other
                }
                i += 1
                return .char(Parser.lower(c))
            }
        }

        mutating func parseEscape() -> Node? {
            i += 1
            guard let c = peek() else { gaveUp = true; return nil }
            i += 1
            if !Parser.isAlnum(c) {
                // An escaped punctuation or space character is itself.
                return c >= 0x80 ? nil : .char(c)
            }
            switch c {
            case UInt8(ascii: "K"):
                return .resetStart
            case UInt8(ascii: "b"):
                return .boundary
            case UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"),
                 UInt8(ascii: "G"):
                return .zeroWidth
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"), UInt8(ascii: "s"),
                 UInt8(ascii: "S"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "v"), UInt8(ascii: "V"),
                 UInt8(ascii: "R"), UInt8(ascii: "X"), UInt8(ascii: "C"), UInt8(ascii: "n"), UInt8(ascii: "t"),
                 UInt8(ascii: "r"), UInt8(ascii: "f"), UInt8(ascii: "e"), UInt8(ascii: "a"):
                return .other
            case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "N"):
                if peek() == UInt8(ascii: "{") {
                    while let n = peek(), n != UInt8(ascii: "}") { i += 1 }
                    guard !atEnd else { gaveUp = true; return nil }
                    i += 1
                } else if c == UInt8(ascii: "x") {
                    var k = 0
                    while k < 2, let n = peek(), isHex(n) { i += 1; k += 1 }
                } else if c == UInt8(ascii: "p") || c == UInt8(ascii: "P") {
                    i += 1
                }
                return .other
            case UInt8(ascii: "c"):
                i += 1
                return .other
            default:
                // \Q...\E, back-references (\1, \g, \k), \0 octal and anything else: give up on the pattern.
                gaveUp = true
                return nil
            }
        }

        func isHex(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
        }

        /// Skips a character class `[...]` (with `]` first literal, escapes and [:posix:] names).
        mutating func skipClass() -> Bool {
            i += 1
            if peek() == UInt8(ascii: "^") { i += 1 }
            if peek() == UInt8(ascii: "]") { i += 1 }
            while let c = peek() {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":") {
                    var j = i + 2
                    while j + 1 < p.count, !(p[j] == UInt8(ascii: ":") && p[j + 1] == UInt8(ascii: "]")) { j += 1 }
                    i = j + 2
                    continue
                }
                i += 1
                if c == UInt8(ascii: "]") { return true }
            }
            gaveUp = true
            return false
        }

        mutating func parseGroup() -> Node? {
            i += 1
            var lookaround = false
            if peek() == UInt8(ascii: "*") { gaveUp = true; return nil }  // (*VERB)
            if peek() == UInt8(ascii: "?") {
                i += 1
                guard let c = peek() else { gaveUp = true; return nil }
                switch c {
                case UInt8(ascii: ":"), UInt8(ascii: ">"), UInt8(ascii: "|"):
                    i += 1
                case UInt8(ascii: "="), UInt8(ascii: "!"):
                    i += 1; lookaround = true
                case UInt8(ascii: "<"):
                    if peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!") { i += 2; lookaround = true }
                    else { guard skipName(close: UInt8(ascii: ">")) else { return nil } }
                case UInt8(ascii: "P"):
                    guard peek(1) == UInt8(ascii: "<") else { gaveUp = true; return nil }
                    i += 1
                    guard skipName(close: UInt8(ascii: ">")) else { return nil }
                case UInt8(ascii: "'"):
                    guard skipName(close: UInt8(ascii: "'")) else { return nil }
                case UInt8(ascii: "#"):
                    while let n = peek(), n != UInt8(ascii: ")") { i += 1 }
                    guard !atEnd else { gaveUp = true; return nil }
                    i += 1
                    return .zeroWidth
                default:
                    // Option letters: (?i) (?-i) (?i:...) — anything else ((?R), (?1), (?&name), (?(cond)) gives up.
                    var flags: [UInt8] = []
                    while let n = peek(), (n >= 0x61 && n <= 0x7A) || (n >= 0x41 && n <= 0x5A) || n == UInt8(ascii: "-") || n == UInt8(ascii: "^") {
                        flags.append(n); i += 1
                    }
                    // Extended mode makes white space insignificant, and the allowed letters are PCRE2's option letters.
                    let allowed = Set("imnsUJ-^".utf8)
                    guard !flags.isEmpty, flags.allSatisfy({ allowed.contains($0) }) else { gaveUp = true; return nil }
                    if peek() == UInt8(ascii: ")") { i += 1; return .zeroWidth }
                    guard peek() == UInt8(ascii: ":") else { gaveUp = true; return nil }
                    i += 1
                }
            }
            guard let inner = parseAlternation() else { return nil }
            guard peek() == UInt8(ascii: ")") else { gaveUp = true; return nil }
            i += 1
            // Look-behinds may see the previous paragraph and negative look-arounds require absence: neither requires.
            return lookaround ? .zeroWidth : .group(inner)
        }

        /// Skips `<name>` / `'name'` after the opening character at `i`.
        mutating func skipName(close: UInt8) -> Bool {
            i += 1
            while let n = peek(), n != close {
                guard Parser.isAlnum(n) || n == UInt8(ascii: "_") else { gaveUp = true; return false }
                i += 1
            }
            guard !atEnd else { gaveUp = true; return false }
            i += 1
            return true
        }

        /// The quantifier after an atom as (min, max); (1, 1) when there is none. max == Int.max for unbounded.
        mutating func parseQuantifier() -> (Int, Int) {
            guard let c = peek() else { return (1, 1) }
            var result: (Int, Int)
            switch c {
            case UInt8(ascii: "?"): i += 1; result = (0, 1)
            case UInt8(ascii: "*"): i += 1; result = (0, Int.max)
            case UInt8(ascii: "+"): i += 1; result = (1, Int.max)
            case UInt8(ascii: "{"):
                // {n}, {n,}, {n,m}; {,m} counts as from zero (a literal "{" in PCRE2 10.42, a quantifier later: either way safe).
                var j = i + 1
                var lo = 0, hi = 0, sawLo = false, sawComma = false, sawHi = false
                while j < p.count, p[j] >= 0x30, p[j] <= 0x39 { lo = min(lo * 10 + Int(p[j] - 0x30), 100_000); sawLo = true; j += 1 }
                if j < p.count, p[j] == UInt8(ascii: ",") {
                    sawComma = true; j += 1
                    while j < p.count, p[j] >= 0x30, p[j] <= 0x39 { hi = min(hi * 10 + Int(p[j] - 0x30), 100_000); sawHi = true; j += 1 }
                }
                guard j < p.count, p[j] == UInt8(ascii: "}"), sawLo || (sawComma && sawHi) else { return (1, 1) }  // a literal "{"
                i = j + 1
                result = (sawLo ? lo : 0, sawComma ? (sawHi ? hi : Int.max) : lo)
            default: return (1, 1)
            }
            // Lazy or possessive suffix.
            if let n = peek(), n == UInt8(ascii: "?") || n == UInt8(ascii: "+") { i += 1 }
            return result
        }
    }
}
