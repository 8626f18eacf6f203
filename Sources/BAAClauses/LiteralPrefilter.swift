#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One multi-literal pass that decides which patterns may match in which span of text.
///
/// Built once per library from every pattern's `LiteralRequirement` and shared read-only across threads.
/// The scan is an Aho-Corasick automaton, compiled to a dense DFA over byte classes with ASCII case folded into the
/// classes (no lower-cased copy of the text); every literal it reports is then checked against the and/or requirement of
/// the patterns anchored on it. The scan keeps its state on the stack: one prefilter serves every thread.
public final class LiteralPrefilter: Sendable {
    /// Distinct literals; a literal's id is its index.
    public let literals: [String]
    /// Patterns that run on every span (their requirement is `always`).
    public let unfiltered: [Int]
    public let patternCount: Int

    /// byte -> class (0: a byte no literal contains).
    private let byteClass: [UInt8]
    private let classCount: Int
    /// Dense DFA, rows padded to `1 << shift` entries: the entry of state s and class c is at `s << shift | c`; it is
    /// the next state premultiplied (`next << shift`), bit-inverted (negative) when that state has outputs, so the scan
    /// loop needs one load per byte and a sign test.
    private let transitions: [Int32]
    private let shift: Int
    /// False when the automaton has more states than 32-bit entries address: every pattern then
    /// runs everywhere, as with `BAA_NO_PREFILTER`.
    public let isUsable: Bool
    /// Per state: range into `outputs` of the literal ids ending there (own and by suffix links).
    private let outputStart: [Int32]
    private let outputs: [Int32]
    /// Per literal: the patterns anchored on it (their anchor set contains it).
    private let anchoredStart: [Int32]
    private let anchored: [Int32]
    /// Per literal: the rules anchored on it.
    private let ruleAnchoredStart: [Int32]
    private let ruleAnchored: [Int32]
    /// The literals that anchor some rule, as a bitset.
    private let ruleAnchorMask: [UInt64]
    /// Rules with no anchor: every unit is evaluated.
    public let unanchoredRules: [Int]
    public let ruleCount: Int
    /// Per pattern: the literal ids one of which every match starts with (an empty slice: unknown).
    private let startSetStart: [Int32]
    private let startSets: [Int32]
    /// Per pattern: its start set as a bitset over literal ids (`startWords` words each; all zero: unknown).
    private let startBits: [UInt64]
    private let startWords: Int
    /// Per pattern: the nonzero words of its start bitset, `startMaskWord[k]` and `startMask[k]` for k in
    /// `startMaskStart[p] ..< startMaskStart[p + 1]` (none: unknown start).
    private let startMaskStart: [Int32]
    private let startMaskWord: [Int32]
    private let startMask: [UInt64]
    /// Per literal: whether it starts some pattern's matches, so that the scan records where it occurs: 0 no, 1 yes,
    /// 2 only where the byte before it is not an ASCII word character. And its length.
    private let startMode: [UInt8]
    public let literalLengths: [Int32]
    /// Per literal: a word-start literal (see `isWordStartOnly`).
    private let wordStartOnly: [Bool]
    /// The (premultiplied) state a span starts in when the byte before it is not a word byte, where word-start
    /// literals may begin; 0 (the root) when there are none.
    private let afterNonWord: Int
    /// Per pattern: its requirement as a prefix tree over literal ids, read with short-circuits by `holds`. A node is
    /// a literal id (>= 0), -1 (always true), or [-2 AND / -3 OR, child count, node length] followed by its children;
    /// an AND's children come rarest first and an OR's commonest first, so that most nodes decide at their first child.
    private let programStart: [Int32]
    private let programs: [Int32]

    /// - Parameters:
    ///   - requirements: per pattern, what it cannot match without.
    ///   - ruleAnchors: per rule, literals one of which must occur in a unit (or its lead-in) for the rule to fire; nil: none known.
    ///   - startLiterals: per pattern, literals one of which every match starts with (nil: unknown).
    ///   - wordStartLiterals: per pattern, those of its start literals a `\b` certainly precedes in its matches.
    public init(requirements: [LiteralRequirement], ruleAnchors: [[String]?] = [], startLiterals: [[String]?] = [],
                wordStartLiterals: [[String]] = []) {
        patternCount = requirements.count
        var ids: [String: Int32] = [:]
        var literals: [String] = []
        func id(_ s: String) -> Int32 {
            if let i = ids[s] { return i }
            let i = Int32(literals.count)
            literals.append(s); ids[s] = i
            return i
        }
        var programStart: [Int32] = [0]
        var programs: [Int32] = []
        var anchoredLists: [[Int32]] = []
        var unfiltered: [Int] = []
        /// A requirement's code, and how likely it is to hold in a paragraph (smaller: rarer; `KeywordExtractor.cost`
        /// of a literal, the smallest of an AND's children, the sum of an OR's), in one pass over the tree.
        func compile(_ r: LiteralRequirement) -> (code: [Int32], cost: Double) {
            switch r {
            case .always: return ([-1], .infinity)
            case .literal(let s): return ([id(s)], KeywordExtractor.cost(s))
            case .all(let parts), .anyOf(let parts):
                let isAll: Bool
                if case .all = r { isAll = true } else { isAll = false }
                let children = parts.map(compile)
                // Stable order: ties keep the pattern's own order.
                let ordered = children.indices.sorted { a, b in
                    let (ca, cb) = (children[a].cost, children[b].cost)
                    if ca != cb { return isAll ? ca < cb : ca > cb }
                    return a < b
                }
                var code: [Int32] = [isAll ? -2 : -3, Int32(parts.count), 0]
                for k in ordered { code += children[k].code }
                code[2] = Int32(code.count)
                let costs = children.map(\.cost)
                return (code, isAll ? costs.min() ?? .infinity : costs.reduce(0, +))
            }
        }
        for (p, r) in requirements.enumerated() {
            programs += compile(r).code
            programStart.append(Int32(programs.count))
            if let anchors = KeywordExtractor.anchors(of: r) {
                for a in anchors {
                    let i = Int(id(a))
                    while anchoredLists.count <= i { anchoredLists.append([]) }
                    anchoredLists[i].append(Int32(p))
                }
            } else {
                unfiltered.append(p)
            }
        }
        var ruleLists: [[Int32]] = []
        var unanchoredRules: [Int] = []
        for (r, anchors) in ruleAnchors.enumerated() {
            guard let anchors else { unanchoredRules.append(r); continue }
            for a in anchors {
                let i = Int(id(a))
                while ruleLists.count <= i { ruleLists.append([]) }
                ruleLists[i].append(Int32(r))
            }
        }
        var startSetStart: [Int32] = [0]
        var startSets: [Int32] = []
        for p in 0..<requirements.count {
            if p < startLiterals.count, let starts = startLiterals[p] { startSets += starts.map(id).sorted() }
            startSetStart.append(Int32(startSets.count))
        }
        // Per literal: 0 not a start literal, 2 one only after a non-word byte (every pattern starting with it has
        // `\b` there), 1 one anywhere.
        var startMode = [UInt8](repeating: 0, count: literals.count)
        for l in startSets { startMode[Int(l)] = 2 }
        for p in 0..<requirements.count {
            let bounded = Set((p < wordStartLiterals.count ? wordStartLiterals[p] : []).map(id))
            for l in startSets[Int(startSetStart[p])..<Int(startSetStart[p + 1])] where !bounded.contains(l) { startMode[Int(l)] = 1 }
        }
        self.startSetStart = startSetStart
        self.startSets = startSets
        self.startMode = startMode
        self.literalLengths = literals.map { Int32($0.utf8.count) }
        let words = (literals.count + 63) / 64
        var startBits = [UInt64](repeating: 0, count: requirements.count * words)
        for p in 0..<requirements.count {
            for l in startSets[Int(startSetStart[p])..<Int(startSetStart[p + 1])] {
                startBits[p * words + Int(l) >> 6] |= 1 << UInt64(Int(l) & 63)
            }
        }
        self.startBits = startBits
        self.startWords = words
        var startMaskStart: [Int32] = [0]
        var startMaskWord: [Int32] = []
        var startMask: [UInt64] = []
        for p in 0..<requirements.count {
            for w in 0..<words where startBits[p * words + w] != 0 {
                startMaskWord.append(Int32(w)); startMask.append(startBits[p * words + w])
            }
            startMaskStart.append(Int32(startMask.count))
        }
        self.startMaskStart = startMaskStart
        self.startMaskWord = startMaskWord
        self.startMask = startMask
        while ruleLists.count < literals.count { ruleLists.append([]) }
        var ruleAnchoredStart: [Int32] = [0]
        var ruleAnchored: [Int32] = []
        for list in ruleLists { ruleAnchored += list; ruleAnchoredStart.append(Int32(ruleAnchored.count)) }
        self.ruleAnchoredStart = ruleAnchoredStart
        self.ruleAnchored = ruleAnchored
        var ruleAnchorMask = [UInt64](repeating: 0, count: words)
        for (l, list) in ruleLists.enumerated() where !list.isEmpty { ruleAnchorMask[l >> 6] |= 1 << UInt64(l & 63) }
        self.ruleAnchorMask = ruleAnchorMask
        self.unanchoredRules = unanchoredRules
        self.ruleCount = ruleAnchors.count
        while anchoredLists.count < literals.count { anchoredLists.append([]) }
        self.literals = literals
        self.unfiltered = unfiltered
        self.programStart = programStart
        self.programs = programs
        var anchoredStart: [Int32] = [0]
        var anchored: [Int32] = []
        for list in anchoredLists { anchored += list; anchoredStart.append(Int32(anchored.count)) }
        self.anchoredStart = anchoredStart
        self.anchored = anchored

        // Word-start literals: start literals that only start patterns with a `\b` before them and that nothing else
        // needs (no requirement, no rule anchor). The automaton matches them only after a non-word byte, so that "in"
        // inside "information" is never reported: short start words were most of the pass's reports.
        let inPrograms = Set(programs.filter { $0 >= 0 })
        let wordStartOnly = literals.indices.map { l in
            startMode[l] == 2 && !inPrograms.contains(Int32(l)) && ruleLists[l].isEmpty
        }
        self.wordStartOnly = wordStartOnly

        // Byte classes: one per distinct byte used by a literal, upper-case ASCII sharing the lower-case class; the
        // other bytes share class 0, or, with word-start literals, class 0 (word bytes) and one class for the rest.
        var byteClass = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        let lowered = literals.map { Array($0.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
        for lit in lowered { for b in lit where byteClass[Int(b)] == 0 { byteClass[Int(b)] = UInt8(classCount); classCount += 1 } }
        for b in 0x41...0x5A { byteClass[b] = byteClass[b | 0x20] }
        var nonWordClasses: [Int] = []
        var otherNonWord = 0
        if wordStartOnly.contains(true) {
            otherNonWord = classCount
            classCount += 1
            for b in 0..<256 where !LiteralPrefilter.wordByte[b] && byteClass[b] == 0 { byteClass[b] = UInt8(otherNonWord) }
            nonWordClasses = Set((0..<256).filter { !LiteralPrefilter.wordByte[$0] }.map { Int(byteClass[$0]) }).sorted()
        }
        precondition(classCount < 256)
        self.byteClass = byteClass
        self.classCount = classCount

        // Trie, then breadth-first failure links folded into a dense DFA.
        var trie: [Int32] = Array(repeating: -1, count: classCount)
        var own: [[Int32]] = [[]]
        func insert(_ classes: [Int], _ litID: Int) {
            var s = 0
            for c in classes {
                if trie[s * classCount + c] < 0 {
                    trie[s * classCount + c] = Int32(own.count)
                    own.append([])
                    trie.append(contentsOf: repeatElement(-1, count: classCount))
                }
                s = Int(trie[s * classCount + c])
            }
            own[s].append(Int32(litID))
        }
        for (litID, lit) in lowered.enumerated() {
            let classes = lit.map { Int(byteClass[Int($0)]) }
            // A word-start literal is entered once per non-word class before it; it is reported with its own length.
            if wordStartOnly[litID] {
                for c in nonWordClasses { insert([c] + classes, litID) }
            } else {
                insert(classes, litID)
            }
        }
        let stateCount = own.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var out = own
        var queue: [Int] = []
        for c in 0..<classCount {
            let t = trie[c]
            if t < 0 { trie[c] = 0 } else { fail[Int(t)] = 0; queue.append(Int(t)) }
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]; head += 1
            out[s] += out[Int(fail[s])]
            for c in 0..<classCount {
                let t = trie[s * classCount + c]
                if t < 0 {
                    trie[s * classCount + c] = trie[Int(fail[s]) * classCount + c]
                } else {
                    fail[Int(t)] = trie[Int(fail[s]) * classCount + c]
                    queue.append(Int(t))
                }
            }
        }
        // Rows padded to a power of two: a state's number is its entry shifted right, not divided by the class count.
        var shift = 0
        while 1 << shift < classCount { shift += 1 }
        self.shift = shift
        self.isUsable = stateCount << shift < Int(Int32.max)
        var table = [Int32](repeating: 0, count: isUsable ? stateCount << shift : 0)
        if isUsable {
            for s in 0..<stateCount {
                for c in 0..<classCount {
                    let n = Int(trie[s * classCount + c])
                    table[s << shift | c] = out[n].isEmpty ? Int32(n << shift) : ~Int32(n << shift)
                }
            }
        }
        self.transitions = table
        // The root's successor on a class no literal uses but as a word-start prefix: no literal ends there.
        self.afterNonWord = isUsable && otherNonWord != 0 ? Int(table[otherNonWord]) : 0
        precondition(afterNonWord >= 0, "the after-non-word state has outputs")
        var outputStart: [Int32] = [0]
        var outputs: [Int32] = []
        for s in 0..<stateCount { outputs += out[s]; outputStart.append(Int32(outputs.count)) }
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// ASCII word bytes (`[0-9A-Za-z_]`); bytes of non-ASCII characters count as non-word (they may be either).
    static let wordByte: [Bool] = (0..<256).map { KeywordExtractor.isWordByte(UInt8($0)) }

    /// True when PCRE2 (caseless, UCP) could match an ASCII literal letter to a character the byte-level scan does not
    /// fold: U+017F (long s, C5 BF) and U+212A (Kelvin sign, E2 84 AA). Such a text is matched without the prefilter.
    public static func needsUnicodeFolding(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return false }
        let n = text.count
        /// Whether `lead` occurs followed by `rest` (memchr finds the candidates).
        func contains(_ lead: UInt8, followedBy rest: [UInt8]) -> Bool {
            var i = 0
            while i < n, let hit = memchr(base + i, Int32(lead), n - i) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if at + rest.count < n, rest.indices.allSatisfy({ base[at + 1 + $0] == rest[$0] }) { return true }
                i = at + 1
            }
            return false
        }
        return contains(0xC5, followedBy: [0xBF]) || contains(0xE2, followedBy: [0x84, 0xAA])
    }

    /// 64-bit words in a presence bitset (one bit per literal).
    public var wordsPerBitset: Int { (literals.count + 63) / 64 }

    /// The ids of the literals that occur in `text[range]` (ASCII case folded), ascending.
    public func literals(in text: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [Int32] {
        let bits = scan(text, spans: [range]).bits
        return literals.indices.filter { bits[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }.map(Int32.init)
    }

    /// What one scan of many spans finds: per span k, the presence bitset
    /// `bits[k * wordsPerBitset ..< (k + 1) * wordsPerBitset]` and the start-literal occurrences
    /// `occurrences[occurrenceStart[k] ..< occurrenceStart[k + 1]]` (`end << 32 | literal`, in text order).
    public struct Scan {
        public var bits: [UInt64]
        public var occurrences: [UInt64] = []
        public var occurrenceStart: [Int] = [0]
    }

    /// Scans many spans (a document's paragraphs) at once; see `scan(_:spans:bits:occurrences:occurrenceEnd:)`.
    public func scan(_ text: UnsafeBufferPointer<UInt8>, spans: [Range<Int>]) -> Scan {
        var result = Scan(bits: [UInt64](repeating: 0, count: spans.count * wordsPerBitset))
        result.occurrenceStart.reserveCapacity(spans.count + 1)
        result.bits.withUnsafeMutableBufferPointer { b in
            scan(text, spans: spans, bits: b, occurrences: &result.occurrences, occurrenceEnd: &result.occurrenceStart)
        }
        return result
    }

    /// Scans many spans (a document's paragraphs) at once. For span k it sets the bits of the literals that occur in it
    /// in `bits[k * wordsPerBitset ..< (k + 1) * wordsPerBitset]` (the caller zeroes them) and appends its start-literal
    /// occurrences (`end << 32 | literal`, in text order) to `occurrences`, then `occurrences.count` to
    /// `occurrenceEnd`. An occurrence of a start literal that every pattern starting with it has a `\b` before is
    /// recorded only where the byte before it (in `text`, which may lie before the span) is not an ASCII word character.
    ///
    /// Two independent lanes (the first and the second half of the spans, by bytes) advance in the same loop, so the
    /// dependent table load of one overlaps that of the other (about 8% of the matching stage).
    public func scan(_ text: UnsafeBufferPointer<UInt8>, spans: [Range<Int>], bits: UnsafeMutableBufferPointer<UInt64>,
                     occurrences: inout [UInt64], occurrenceEnd: inout [Int]) {
        precondition(isUsable, "the literal automaton is too large for 32-bit entries")
        let n = spans.count
        guard n > 0, let base = text.baseAddress else {
            for _ in 0..<n { occurrenceEnd.append(occurrences.count) }
            return
        }
        // Lane B starts at the first span past half of the bytes.
        let total = spans.reduce(0) { $0 + $1.count }
        var mid = 0, acc = 0
        while mid < n && acc < total / 2 { acc += spans[mid].count; mid += 1 }
        mid = max(mid, 1)
        var laneB: [UInt64] = []
        var laneBEnd: [Int] = []
        let words = wordsPerBitset
        let shift = shift
        transitions.withUnsafeBufferPointer { trans in
            byteClass.withUnsafeBufferPointer { cls in
                outputStart.withUnsafeBufferPointer { outStart in
                    outputs.withUnsafeBufferPointer { outs in
                        startMode.withUnsafeBufferPointer { mode in
                          literalLengths.withUnsafeBufferPointer { lengths in
                            /// Records the outputs of `state` ending at offset `i` of span `k`.
                            @inline(__always)
                            func emit(_ state: Int, _ i: Int, _ k: Int, _ occ: inout [UInt64]) {
                                let row = k &* words
                                for o in Int(outStart[state])..<Int(outStart[state &+ 1]) {
                                    let l = Int(outs[o])
                                    bits[row &+ l >> 6] |= 1 << UInt64(l & 63)
                                    let m = mode[l]
                                    if m == 0 { continue }
                                    if m == 2 {
                                        let before = i &- Int(lengths[l])
                                        if before >= 0 && LiteralPrefilter.wordByte[Int(base[before])] { continue }
                                    }
                                    occ.append(UInt64(i) << 32 | UInt64(l))
                                }
                            }
                            /// The state a span starting at `lo` starts in: after a non-word byte (or at the start of the
                            /// text) word-start literals may begin at once.
                            func entry(_ lo: Int) -> Int { lo == 0 || !LiteralPrefilter.wordByte[Int(base[lo &- 1])] ? afterNonWord : 0 }
                            var ka = 0, kb = mid
                            var ia = spans[0].lowerBound, ea = spans[0].upperBound, sa = entry(spans[0].lowerBound)
                            var ib = 0, eb = 0, sb = 0
                            // Both lanes together while each has a span left.
                            if kb < n {
                                ib = spans[kb].lowerBound; eb = spans[kb].upperBound; sb = entry(ib)
                                while true {
                                    if ia == ea {
                                        occurrenceEnd.append(occurrences.count)
                                        ka += 1
                                        if ka == mid { break }
                                        ia = spans[ka].lowerBound; ea = spans[ka].upperBound; sa = entry(ia)
                                        continue
                                    }
                                    if ib == eb {
                                        laneBEnd.append(laneB.count)
                                        kb += 1
                                        if kb == n { break }
                                        ib = spans[kb].lowerBound; eb = spans[kb].upperBound; sb = entry(ib)
                                        continue
                                    }
                                    let ta = Int(trans[sa | Int(cls[Int(base[ia])])])
                                    let tb = Int(trans[sb | Int(cls[Int(base[ib])])])
                                    if ta >= 0 { sa = ta } else { sa = ~ta; emit(sa >> shift, ia, ka, &occurrences) }
                                    if tb >= 0 { sb = tb } else { sb = ~tb; emit(sb >> shift, ib, kb, &laneB) }
                                    ia &+= 1; ib &+= 1
                                }
                            }
                            // Whatever is left of either lane, alone.
                            func finish(_ k: inout Int, _ end: Int, _ i: inout Int, _ e: inout Int, _ s: inout Int,
                                        _ occ: inout [UInt64], _ ends: inout [Int]) {
                                while k < end {
                                    while i < e {
                                        let t = Int(trans[s | Int(cls[Int(base[i])])])
                                        if t >= 0 { s = t } else { s = ~t; emit(s >> shift, i, k, &occ) }
                                        i &+= 1
                                    }
                                    ends.append(occ.count)
                                    k += 1
                                    if k < end { i = spans[k].lowerBound; e = spans[k].upperBound; s = entry(i) }
                                }
                            }
                            finish(&ka, mid, &ia, &ea, &sa, &occurrences, &occurrenceEnd)
                            finish(&kb, n, &ib, &eb, &sb, &laneB, &laneBEnd)
                          }
                        }
                    }
                }
            }
        }
        let before = occurrences.count
        occurrences += laneB
        for e in laneBEnd { occurrenceEnd.append(e + before) }
    }

    /// Whether a pattern's requirement holds for the literals set in `bits` (a presence bitset), and, for a
    /// literal-led pattern, one of its start literals is set.
    public func isPossible(_ pattern: Int, bits: UnsafeBufferPointer<UInt64>) -> Bool {
        mayStart(pattern, bits: bits) && programs.withUnsafeBufferPointer { prog in
            LiteralPrefilter.holds(prog, at: Int(programStart[pattern]), bits: bits)
        }
    }

    /// Whether the requirement node at `i` holds, deciding an AND at its first false child and an OR at its first true one.
    private static func holds(_ prog: UnsafeBufferPointer<Int32>, at i: Int, bits: UnsafeBufferPointer<UInt64>) -> Bool {
        let op = Int(prog[i])
        if op >= 0 { return bits[op >> 6] & (1 << UInt64(op & 63)) != 0 }
        if op == -1 { return true }
        let isAll = op == -2
        var child = i + 3
        for _ in 0..<Int(prog[i + 1]) {
            if holds(prog, at: child, bits: bits) != isAll { return !isAll }
            let c = Int(prog[child])
            child += c >= -1 ? 1 : Int(prog[child + 2])
        }
        return isAll
    }

    /// Whether the scan reports a literal only where it begins a word (the byte before it is not an ASCII word byte,
    /// or it begins the text): a start literal that nothing else needs and that every pattern starting with it has a
    /// `\b` before. Its presence bit then means "begins a word here".
    public func isWordStartOnly(_ literal: Int) -> Bool { wordStartOnly[literal] }

    /// Whether a literal is in a pattern's start set.
    public func starts(_ pattern: Int, with literal: Int) -> Bool {
        startBits[pattern * startWords + literal >> 6] & (1 << UInt64(literal & 63)) != 0
    }

    /// Appends to `out`, in the order given, where each of `occurrences` (`end << 32 | literal`, as `scan` records
    /// them) begins, for those of the pattern's start literals.
    public func appendStarts(of pattern: Int, occurrences: UnsafeBufferPointer<UInt64>, into out: inout [Int]) {
        startBits.withUnsafeBufferPointer { bits in
            literalLengths.withUnsafeBufferPointer { lengths in
                let row = pattern &* startWords
                for o in occurrences {
                    let literal = Int(o & 0xFFFF_FFFF)
                    guard bits[row &+ literal >> 6] & (1 << UInt64(literal & 63)) != 0 else { continue }
                    out.append(Int(o >> 32) &+ 1 &- Int(lengths[literal]))
                }
            }
        }
    }

    /// Whether any literal of a pattern's start set is set in `bits` (a presence bitset); true when it has none.
    public func mayStart(_ pattern: Int, bits: UnsafeBufferPointer<UInt64>) -> Bool {
        let lo = Int(startMaskStart[pattern]), hi = Int(startMaskStart[pattern + 1])
        if lo == hi { return true }
        for k in lo..<hi where bits[Int(startMaskWord[k])] & startMask[k] != 0 { return true }
        return false
    }

    /// The literal ids one of which every match of a pattern starts with, ascending (empty: unknown).
    public func startSet(_ pattern: Int) -> ArraySlice<Int32> {
        startSets[Int(startSetStart[pattern])..<Int(startSetStart[pattern + 1])]
    }

    /// Appends to `out` the rules anchored on the literals set in `bits` (a presence bitset), literal by literal; a
    /// rule anchored on several of them comes once per literal.
    public func appendRules(anchoredIn bits: UnsafeBufferPointer<UInt64>, to out: inout [Int32]) {
        ruleAnchorMask.withUnsafeBufferPointer { mask in
            ruleAnchoredStart.withUnsafeBufferPointer { start in
                ruleAnchored.withUnsafeBufferPointer { rules in
                    for w in 0..<mask.count {
                        var word = bits[w] & mask[w]
                        while word != 0 {
                            let l = w << 6 | word.trailingZeroBitCount
                            word &= word &- 1
                            for k in Int(start[l])..<Int(start[l + 1]) { out.append(rules[k]) }
                        }
                    }
                }
            }
        }
    }

    /// Number of DFA states (for `baa bench-match`).
    public var stateCount: Int { transitions.count >> shift }

    /// Number of byte classes (columns of the DFA table).
    public var byteClassCount: Int { classCount }
}
