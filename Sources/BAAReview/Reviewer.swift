import BAAClauses
import BAAExtract
import BAAUtil
import Foundation
import PCRE2

/// Reviews documents against a compiled clause library and a playbook.
/// The library is shared read-only; make one Reviewer per thread (it owns PCRE2 match state).
public final class Reviewer {
    public let library: ClauseLibrary
    public let playbook: Playbook
    private let matcher: Matcher
    /// Who is who, when the command line says so (--ba / --ce); otherwise resolved per document (PartyRoles.swift).
    public var partyOverride: PartyRoles?

    public init(library: ClauseLibrary, playbook: Playbook = Playbook(), limits: MatchLimits = .default) {
        self.library = library
        self.playbook = playbook
        self.matcher = Matcher(limits: limits)
    }

    /// Everything the engine saw: hits, vetoes, failures. `review` turns it into a Report.
    public struct Analysis {
        public var document: Document
        public var segments: Segments
        public var hits: [Hit]
        public var failures: [RuleFailure]
        public var definitions: [String: Deadline]
        public var hasHIPAAContext: Bool
        /// Who is who (resolved, or given with --ba / --ce).
        public var roles = PartyRoles()
        var subject: Subject
    }

    /// Party roles: the rules read a canonical text where each name of the business associate reads "Business
    /// Associate" and each name of the covered entity "Covered Entity"; hits, evidence and sections are mapped back
    /// to the document's own text (PartyRoles.swift). A document that already says so is read as it is.
    public func analyze(_ document: Document) -> Analysis {
        var roles = RoleResolver(matcher: matcher).resolve(document.text)
        if let partyOverride { roles = partyOverride.applied(over: roles) }
        guard let canonical = roles.canonicalize(document.text, matcher: matcher) else {
            var analysis = analyzeText(document)
            analysis.roles = roles
            if !roles.declarations.isEmpty {
                analysis.hasHIPAAContext = Reviewer.aboutPHI(analysis.subject, declarations: roles.declarations, matcher: matcher, library: library)
            }
            return analysis
        }
        roles.canonicalized = true
        var canonicalDocument = document
        canonicalDocument.text = canonical.text
        return analyzeText(canonicalDocument).mapped(to: document, via: canonical.map, roles: roles, matcher: matcher, library: library)
    }

    func analyzeText(_ document: Document) -> Analysis {
        let subject = Subject(document.text)
        let segments = Segmenter().segment(document.text, matcher: matcher)
        let index = MatchIndex(library: library, subject: subject, segments: segments, matcher: matcher)
        let definitionSentences = Set(segments.sentences.indices.filter { i in
            let r = segments.sentences[i].range
            return ((try? matcher.firstMatch(Reviewer.definitionPattern, in: subject, from: r.lowerBound, to: min(r.upperBound, r.lowerBound + 300))) ?? nil) != nil
        })
        let evaluator = RuleEvaluator(library: library, index: index, segments: segments, subject: subject, definitionSentences: definitionSentences)
        var unitsByScope: [Scope: [Unit]] = [:]
        var hits: [Hit] = []
        for rule in library.rules {
            let units = unitsByScope[rule.spec.scope] ?? evaluator.units(for: rule.spec.scope)
            unitsByScope[rule.spec.scope] = units
            hits += evaluator.evaluate(rule, units: units)
        }
        // Defined terms that carry a period ("Response Period" means ten days), and defined events that include a
        // breach ("Notifiable Incident" means a Breach, a Security Incident or ...).
        var definitions: [String: Deadline] = [:]
        var definedEvents: [String: Set<String>] = [:]
        for (k, d) in library.definitions.enumerated() {
            for m in index.matches[d] {
                let groups = library.patterns[d].regex.groupNames
                func group(_ name: String) -> String? { groups[name].flatMap { m.group($0) }.map(subject.text) }
                if let event = group("event") { definedEvents[library.definitionElements[k], default: []].insert(DeadlineParser.key(event)) }
                if let term = group("term"), let deadline = DeadlineParser.parse(value: group("value"), unit: group("unit"), text: subject.text(m.range)) {
                    definitions[DeadlineParser.key(term)] = deadline
                }
            }
        }
        // A rule that captures an `event` ("report any Notifiable Incident within ...") holds only where this document
        // defines that term as its element's definitions ask (for breach notification: an event that includes a
        // breach); elsewhere its hit is vetoed, and --explain says why.
        for i in hits.indices where hits[i].vetoedBy == nil {
            guard let capture = hits[i].rule.capture, library.patterns[capture].regex.groupNames["event"] != nil else { continue }
            let element = hits[i].rule.spec.element
            guard let event = hits[i].captures["event"] else {
                // The event pattern was found only in the unit's context: no event named in the unit itself.
                hits[i].vetoedBy = ("defined_event", "no defined event named in the clause itself")
                continue
            }
            if definedEvents[element]?.contains(DeadlineParser.key(event)) != true {
                hits[i].vetoedBy = ("defined_event", "\(event.trimmingWhitespace()) is not defined here as the \(element) rules require")
            }
        }
        // A duty stated by reference ("return or destroy all PHI as specified in Section 4.4") is as strong as the
        // section it names: where that section has hits of its own for the element, they decide, and the referring
        // hit is vetoed by `cross_reference` (shown by --explain).
        for i in hits.indices where hits[i].vetoedBy == nil {
            let unit = hits[i].unit
            guard let m = (try? matcher.firstMatch(Reviewer.crossReference, in: subject, from: unit.lowerBound, to: unit.upperBound)) ?? nil,
                  let g = m.group(1) else { continue }
            let number = subject.text(g)
            let element = hits[i].rule.spec.element
            let decided = hits.indices.contains { j in
                guard j != i, hits[j].rule.spec.element == element, let section = segments.paragraphs[hits[j].paragraph].section else { return false }
                return section == number || section.hasPrefix(number + "(")
            }
            if decided { hits[i].vetoedBy = ("cross_reference", "as specified in Section \(number), which decides") }
        }
        // Recitals ("WHEREAS ...") impose nothing.
        // Compound rules fire where every rule they require fired (unvetoed); evidence at the first of them.
        let compound = library.rules.filter { !$0.spec.requires.isEmpty }
        var fired = Set(hits.filter { $0.vetoedBy == nil }.map(\.rule.spec.id))
        for _ in 0..<3 {
            for rule in compound where !fired.contains(rule.spec.id) {
                let deps = rule.spec.requires.compactMap { entry in
                    let ids = entry.split(separator: "|").map(String.init)
                    return hits.first { ids.contains($0.rule.spec.id) && $0.vetoedBy == nil }
                }
                guard deps.count == rule.spec.requires.count, let first = deps.min(by: { $0.span.lowerBound < $1.span.lowerBound }) else { continue }
                hits.append(Hit(rule: rule, unit: first.unit, span: first.span, paragraph: first.paragraph, captures: first.captures, vetoedBy: nil))
                fired.insert(rule.spec.id)
            }
        }
        // A recital may share a paragraph with others (PDFs merge them): look at the unit and its paragraph.
        func isRecital(_ r: Range<Int>) -> Bool {
            subject.text(r.lowerBound..<min(r.upperBound, r.lowerBound + 40)).drop { !$0.isLetter }.uppercased().hasPrefix("WHEREAS")
        }
        hits.removeAll { hit in isRecital(hit.unit) || isRecital(segments.paragraphs[hit.paragraph].range) }
        // About PHI at all? A disclaimer ("not a business associate agreement") outweighs a few passing mentions.
        let mentions = library.documentContext.map { index.matches[$0].count } ?? 1
        let disclaimed = library.documentDisclaimer.map { !index.matches[$0].isEmpty } ?? false
        let context = mentions > 0 && !(disclaimed && mentions <= 4)
        // Patterns run lazily (where a rule needs them): their failures are known only now.
        var failures: [RuleFailure] = []
        for rule in library.rules {
            for p in rule.all + rule.any + rule.none {
                if let message = index.failures[p] {
                    failures.append(RuleFailure(rule: rule.spec.id, pattern: library.patterns[p].regex.pattern, message: message))
                }
            }
        }
        return Analysis(document: document, segments: segments, hits: hits, failures: failures, definitions: definitions,
                        hasHIPAAContext: context, subject: subject)
    }

    /// About PHI at all, in the document's own words: the document context pattern matches outside the sentences that
    /// only declare who is who ("Zephyr Analytics LLC, its business associate" names a party; it does not show that the
    /// document handles PHI), and a disclaimer ("not a business associate agreement") outweighs a few mentions.
    static func aboutPHI(_ subject: Subject, declarations: [Range<Int>], matcher: Matcher, library: ClauseLibrary) -> Bool {
        func count(_ index: Int?) -> Int? {
            guard let index else { return nil }
            let found = (try? matcher.allMatches(library.patterns[index].regex, in: subject)) ?? []
            return found.filter { m in !declarations.contains { $0.contains(m.range.lowerBound) } }.count
        }
        let mentions = count(library.documentContext) ?? 1
        let disclaimed = (count(library.documentDisclaimer) ?? 0) > 0
        return mentions > 0 && !(disclaimed && mentions <= 4)
    }

    /// "as specified in Section 4.4", "as set forth in § 7.2(b)": a duty stated by reference; group 1 is the number.
    static let crossReference = try! Regex(#"\bas\s+(?:specified|set\s+(?:forth|out)|provided|described|stated)\s+(?:in|under|by)\s+(?:section|§)\s*(\d{1,3}(?:\.\d{1,3})*(?:\([a-z0-9]{1,4}\))*)"#)

    /// A sentence that only defines a term, anchored at the sentence start (\G).
    static let definitionPattern = try! Regex(#"\G[^\w"']{0,8}(?:(?:section\s+)?\d{1,3}(?:\.\d{1,3})*\.?\s+|\([a-z0-9]{1,4}\)\s+)?[^\w"']{0,6}["']?[A-Z][\w\s/&-]{0,60}?["']?(?:\s*\([^)]{0,40}\))?\s+(?:means|shall mean|has the meaning|have the meaning|refers to|is defined as)\b"#, caseless: false)

    /// Reviews one document.
    public func review(_ document: Document) -> Report {
        let analysis = analyze(document)
        return Scorer(library: library, playbook: playbook).report(for: analysis)
    }
}

/// Turns captured wording into a Deadline: "ten (10) business days", "24 hours", "sixty (60) calendar days".
public enum DeadlineParser {
    static let words: [String: Int] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
        "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a": 1, "an": 1,
    ]

    public static func key(_ term: String) -> String {
        term.lowercased().replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "the ", with: "")
            .trimmingWhitespace()
    }

    static let parenthesizedDigits = try! Regex(#"\((\d{1,4})\)"#, caseless: false)
    static let digits = try! Regex(#"\d{1,4}"#, caseless: false)

    /// The number in a phrase: a parenthesized digit wins ("ten (10)"), then digits, then words ("twenty-four").
    public static func number(_ text: String) -> Int? {
        if let m = (try? parenthesizedDigits.firstMatch(in: text)) ?? nil, let found = m.text(in: text) {
            return Int(found.dropFirst().dropLast())
        }
        if let m = (try? digits.firstMatch(in: text)) ?? nil, let found = m.text(in: text) { return Int(found) }
        var total = 0
        var found = false
        for w in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            if let v = words[String(w)] {
                if v == 100 { total = max(total, 1) * 100 } else { total += v }
                found = true
            }
        }
        return found ? total : nil
    }

    public static func unit(_ text: String) -> (Deadline.Unit, Int)? {
        let t = text.lowercased()
        if t.contains("hour") { return (.hours, 1) }
        if t.contains("business") || t.contains("working") { return (.business_days, 1) }
        if t.contains("calendar") || t.contains("calender") { return (.calendar_days, 1) }  // a common misspelling in real agreements
        if t.contains("week") { return (.days, 7) }
        if t.contains("day") { return (.days, 1) }
        return nil
    }

    public static func parse(value: String?, unit: String?, text: String) -> Deadline? {
        guard let value, let n = number(value), n > 0, let unit, let (u, factor) = self.unit(unit) else { return nil }
        return Deadline(value: n * factor, unit: u, text: text.trimmingWhitespace())
    }
}
