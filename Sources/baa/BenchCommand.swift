import ArgumentParser
import BAAClauses
import BAAExtract
import BAAReview
import Foundation
import PCRE2

/// `baa bench-match`: times the stages of a review in one process (for tools/bench.py), and writes the expanded
/// patterns and the normalized text so that other tools (`rg -P -f`) can be run on exactly the same input.
/// Hidden: a measuring instrument, not a user command.
struct BenchMatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-match",
        abstract: "Time library load, extraction, segmentation, the matching stage and rule evaluation (for make bench).",
        shouldDisplay: false
    )

    @Argument(help: "Documents to load (any format baa reads); their normalized texts are matched as one corpus.")
    var files: [String] = []
    @OptionGroup var library: LibraryOptions
    @Option(name: .customLong("repeat"), help: "Times each stage is repeated over all documents (best time is reported).") var rounds = 3
    @Option(name: .customLong("patterns-out"), help: "Write every distinct expanded pattern here, one per line (named groups made plain).")
    var patternsOut: String?
    @Option(name: .customLong("keywords-out"), help: "Write each pattern's anchor keywords and requirement here (TSV).")
    var keywordsOut: String?
    @Option(name: .customLong("literals-out"), help: "Write the literal pass's literals here, one per line (lower-cased).")
    var literalsOut: String?
    @Option(name: .customLong("text-out"), help: "Write the normalized texts here, concatenated (what the matcher sees).")
    var textOut: String?
    @Flag(name: .customLong("no-prefilter"), help: "Run every pattern on every paragraph (the reference).") var noPrefilter = false
    @Flag(name: .customLong("match-only"), help: "Repeat only the matching stage (segment once, skip the whole analysis): for profiling it.")
    var matchOnly = false

    static let angleGroupName = try! Regex(#"\(\?P?<([A-Za-z_]\w*)>"#, caseless: false)
    static let quotedGroupName = try! Regex(#"\(\?'([A-Za-z_]\w*)'"#, caseless: false)

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let lib = try library.loadLibrary()
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9

        if let patternsOut {
            // rg joins -f patterns into one alternation: duplicate group names would not compile there.
            let plain = lib.patterns.map { p in
                BenchMatchCommand.quotedGroupName.replacingMatches(
                    in: BenchMatchCommand.angleGroupName.replacingMatches(in: p.regex.pattern, with: "(?:"), with: "(?:")
            }
            try emit(plain.joined(separator: "\n") + "\n", to: patternsOut)
        }
        if let keywordsOut {
            var out = "index\tkeywords\trequirement\tstarts\tpattern\n"
            for p in lib.patterns {
                out += "\(p.index)\t\(p.keywords.joined(separator: ","))\t\(describe(p.requirement))\t\(p.startLiterals?.joined(separator: ",") ?? "")\t\(p.regex.pattern)\n"
            }
            try emit(out, to: keywordsOut)
        }
        if let literalsOut { try emit(lib.prefilter.literals.map { $0 + "\n" }.joined(), to: literalsOut) }

        let loader = DocumentLoader(options: ExtractOptions())
        var documents: [Document] = []
        let t1 = DispatchTime.now().uptimeNanoseconds
        for f in files {
            do { documents.append(try loader.load(path: f)) } catch { throw UserError("\(f): \(error)") }
        }
        let extractSeconds = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
        let bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        if let textOut { try emit(documents.map(\.text).joined(separator: "\n"), to: textOut) }

        let subjects = documents.map { Subject($0.text) }
        let matcher = Matcher()
        var segmentBest = Double.infinity, matchBest = Double.infinity, analyzeBest = Double.infinity, findAllBest = Double.infinity
        var findAllMatches = 0, findAllSearches = 0
        var scanBest = Double.infinity, scanOccurrences = 0
        var segments: [Segments] = []
        var searches = 0, hits = 0
        for _ in 0..<max(1, rounds) {
            var t = DispatchTime.now().uptimeNanoseconds
            if !(matchOnly && !segments.isEmpty) {
                segments = documents.map { Segmenter().segment($0.text) }
                segmentBest = min(segmentBest, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
            }
            /// One pass of a stage over every document: (seconds, summed outcome).
            func pass(_ stage: (ClauseLibrary, Subject, Segments, Matcher, Bool) -> MatchStage.Outcome)
                -> (Double, MatchStage.Outcome) {
                let start = DispatchTime.now().uptimeNanoseconds
                var total = MatchStage.Outcome(hits: 0, searches: 0)
                for (d, s) in zip(subjects, segments) {
                    let outcome = stage(lib, d, s, matcher, !noPrefilter)
                    total.hits += outcome.hits
                    total.searches += outcome.searches
                }
                return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, total)
            }
            let (matchTime, matched) = pass { MatchStage.run(library: $0, subject: $1, segments: $2, matcher: $3, prefilter: $4) }
            matchBest = min(matchBest, matchTime)
            // The literal pass alone (every paragraph of every document), the floor under the matching stage.
            let scanStart = DispatchTime.now().uptimeNanoseconds
            var recorded = 0
            for (d, s) in zip(subjects, segments) {
                recorded += lib.prefilter.scan(UnsafeBufferPointer(start: d.bytes.baseAddress, count: d.count), spans: s.paragraphs.map(\.range)).occurrences.count
            }
            scanBest = min(scanBest, Double(DispatchTime.now().uptimeNanoseconds - scanStart) / 1e9)
            scanOccurrences = recorded
            searches = matched.searches; hits = matched.hits
            if matchOnly { continue }
            let (findAllTime, found) = pass { MatchStage.findAll(library: $0, subject: $1, segments: $2, matcher: $3, prefilter: $4) }
            findAllBest = min(findAllBest, findAllTime)
            findAllMatches = found.hits; findAllSearches = found.searches
            t = DispatchTime.now().uptimeNanoseconds
            let reviewer = Reviewer(library: lib)
            for d in documents { _ = reviewer.analyze(d) }
            analyzeBest = min(analyzeBest, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        let paragraphs = segments.reduce(0) { $0 + $1.paragraphs.count }
        let mb = Double(bytes) / 1e6
        let result: [String: Any] = [
            "documents": documents.count,
            "bytes": bytes,
            "paragraphs": paragraphs,
            "patterns": lib.patterns.count,
            "unfiltered_patterns": lib.prefilter.unfiltered.count,
            "literal_led_patterns": lib.patterns.filter { $0.startLiterals != nil }.count,
            "literals": lib.prefilter.literals.count,
            "dfa_states": lib.prefilter.stateCount,
            "dfa_byte_classes": lib.prefilter.byteClassCount,
            "prefilter": !noPrefilter,
            "pcre2_searches": searches,
            "pcre2_searches_without_prefilter": paragraphs * lib.patterns.count,
            "rule_hits": hits,
            "library_load_s": loadSeconds,
            "extract_s": extractSeconds,
            "segment_s": segmentBest,
            "match_s": matchBest,
            "literal_pass_s": scanBest,
            "literal_pass_mb_per_s": scanBest > 0 ? mb / scanBest : 0,
            "literal_pass_start_occurrences": scanOccurrences,
            "find_all_s": findAllBest.isFinite ? findAllBest : 0,
            "find_all_mb_per_s": findAllBest > 0 && findAllBest.isFinite ? mb / findAllBest : 0,
            "find_all_matches": findAllMatches,
            "find_all_pcre2_searches": findAllSearches,
            "analyze_s": analyzeBest.isFinite ? analyzeBest : 0,
            "match_mb_per_s": matchBest > 0 ? mb / matchBest : 0,
            "segment_mb_per_s": segmentBest > 0 ? mb / segmentBest : 0,
            "analyze_mb_per_s": analyzeBest > 0 && analyzeBest.isFinite ? mb / analyzeBest : 0,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: data, as: UTF8.self))
    }

    func describe(_ r: LiteralRequirement) -> String {
        switch r {
        case .always: return "*"
        case .literal(let s): return "'\(s)'"
        case .all(let parts): return "(" + parts.map(describe).joined(separator: " & ") + ")"
        case .anyOf(let parts): return "(" + parts.map(describe).joined(separator: " | ") + ")"
        }
    }
}
