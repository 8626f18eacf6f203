import BAAClauses
import BAAExtract
import Foundation
import PCRE2

/// Runs every rule's own examples, as SwiftLint and Semgrep do: each must-match example must fire the rule
/// with exactly the marked evidence span; each must-not-match example must not fire it (a vetoed hit counts
/// as not firing). Every example is re-run in variants that catch offset and normalization bugs:
/// curly quotes, non-breaking spaces, a section sign and multibyte prefix, and hard line wraps.
public struct ClauseSelfTest {
    public struct Failure: Sendable, CustomStringConvertible {
        public var position: SourcePosition
        public var rule: String
        public var variant: String
        public var message: String
        public var description: String { "\(position): error: [\(rule)] (\(variant)) \(message)" }
    }

    public struct Result: Sendable {
        public var examplesRun: Int
        public var failures: [Failure]
        /// Rules that hit a resource limit on an example.
        public var ruleErrors: [RuleFailure]
    }

    public let library: ClauseLibrary
    public init(library: ClauseLibrary) { self.library = library }

    /// Text variants: name and transform.
    public static let variants: [(String, @Sendable (String) -> String)] = [
        ("as written", { $0 }),
        ("curly quotes", { s in
            var out = ""
            var open = true
            for ch in s {
                if ch == "\"" { out.append(open ? "\u{201C}" : "\u{201D}"); open.toggle() } else if ch == "'" { out.append("\u{2019}") } else { out.append(ch) }
            }
            return out
        }),
        ("non-breaking spaces", { $0.replacingOccurrences(of: " ", with: "\u{00A0}") }),
        ("section sign and emoji prefix", { "§ 4.2 \u{1F4DD} " + $0 }),
        ("hard line wraps", { s in
            var lines: [String] = []
            var current = ""
            for word in s.split(separator: " ", omittingEmptySubsequences: false) {
                if current.count + word.count > 48 && !current.isEmpty { lines.append(current); current = String(word) } else {
                    current += current.isEmpty ? String(word) : " " + word
                }
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }),
    ]

    public func run(only ruleID: String? = nil) -> Result {
        let reviewer = Reviewer(library: library)
        var failures: [Failure] = []
        var ruleErrors: [RuleFailure] = []
        var count = 0
        for rule in library.rules where ruleID == nil || rule.spec.id == ruleID || rule.spec.element == ruleID {
            for example in rule.spec.mustMatch {
                let expected = Normalizer.normalizeCharacters(Self.slice(example.text, example.expected!))
                for (name, transform) in Self.variants {
                    count += 1
                    let analysis = reviewer.analyze(Document.fromText(transform(example.text), path: "<example>"))
                    ruleErrors += analysis.failures.filter { $0.rule == rule.spec.id }
                    let hits = analysis.hits.filter { $0.rule.spec.id == rule.spec.id }
                    let live = hits.filter { $0.vetoedBy == nil }
                    guard let hit = live.first else {
                        let why = hits.first.map { "vetoed by guard '\($0.vetoedBy!.name)' on \"\($0.vetoedBy!.text)\"" } ?? "did not match"
                        failures.append(Failure(position: example.position, rule: rule.spec.id, variant: name, message: "must match but \(why)"))
                        continue
                    }
                    let got = analysis.subject.text(hit.span)
                    if got != expected {
                        failures.append(Failure(position: example.position, rule: rule.spec.id, variant: name,
                                                message: "evidence span is \"\(got)\", expected \"\(expected)\""))
                    }
                }
            }
            for example in rule.spec.mustNotMatch {
                for (name, transform) in Self.variants {
                    count += 1
                    let analysis = reviewer.analyze(Document.fromText(transform(example.text), path: "<example>"))
                    ruleErrors += analysis.failures.filter { $0.rule == rule.spec.id }
                    if let hit = analysis.hits.first(where: { $0.rule.spec.id == rule.spec.id && $0.vetoedBy == nil }) {
                        failures.append(Failure(position: example.position, rule: rule.spec.id, variant: name,
                                                message: "must not match but matched \"\(analysis.subject.text(hit.span))\""))
                    }
                }
            }
        }
        var uniqueErrors: [RuleFailure] = []
        for e in ruleErrors where !uniqueErrors.contains(e) { uniqueErrors.append(e) }
        return Result(examplesRun: count, failures: failures, ruleErrors: uniqueErrors)
    }

    static func slice(_ s: String, _ r: Range<Int>) -> String {
        let u = Array(s.utf8)
        return String(decoding: u[r], as: UTF8.self)
    }
}
