import BAAClauses
import Foundation
import PCRE2

/// Labels for one document, in the vocabulary of ../shared/corpus-real/labels.json.
public struct LabelledDocument: Decodable, Sendable {
    public struct Label: Decodable, Sendable {
        public init(status: String) { self.status = status }
        public var status: String
        public var evidence: String?
        public var deadline: String?
        public var deadlineValue: Int?
        public var deadlineUnit: String?
        /// deidentification_standard (labels-extra.json): safe_harbor, expert_determination, either, hipaa, none.
        public var method: String?
        enum CodingKeys: String, CodingKey { case status, evidence, deadline, deadlineValue = "deadline_value", deadlineUnit = "deadline_unit", method }
    }
    public var id: String
    public var file: String
    public var kind: String?
    public var labels: [String: Label]

    static let periodPattern = try! Regex(#"(\d+)\s+(business days|calendar days|days|hours)"#, caseless: false)

    /// The expected deadline: explicit value/unit, else the first "N unit" in the deadline text.
    public func expectedDeadline() -> (Int, Deadline.Unit)? {
        guard let l = labels["breach_notification"], l.status == "present" else { return nil }
        if let v = l.deadlineValue, let u = l.deadlineUnit.flatMap(Deadline.Unit.init(rawValue:)) { return (v, u) }
        guard let text = l.deadline,
              let m = (try? LabelledDocument.periodPattern.firstMatch(in: text)) ?? nil, let found = m.text(in: text) else { return nil }
        let parts = found.split(separator: " ", maxSplits: 1)
        guard let v = Int(parts[0]) else { return nil }
        let u: Deadline.Unit = parts[1].hasPrefix("business") ? .business_days : parts[1].hasPrefix("calendar") ? .calendar_days : parts[1].hasPrefix("hour") ? .hours : .days
        return (v, u)
    }
}

/// Compares reports with labels: per-element agreement, recall of "missing", deadline exactness.
public struct Evaluation: Sendable {
    public struct Pair: Sendable, Codable {
        public var document: String
        public var element: String
        public var expected: String
        public var actual: String
        public var agree: Bool
        public var evidence: String?
        public var labelEvidence: String?
        enum CodingKeys: String, CodingKey { case document, element, expected, actual, agree, evidence, labelEvidence = "label_evidence" }
    }
    public struct DeadlineCheck: Sendable, Codable {
        public var document: String
        public var expected: String
        public var actual: String?
        public var exact: Bool
    }

    public struct MethodCheck: Sendable, Codable {
        public var document: String
        public var expected: String
        public var actual: String
        public var exact: Bool
    }

    /// The 21 elements of labels.json.
    public var pairs: [Pair] = []
    /// The four due-diligence elements of labels-extra.json, kept apart so the 21-element figures keep their meaning.
    public var extraPairs: [Pair] = []
    /// deidentification_standard's method, for documents where both the label and the tool find a standard.
    public var methods: [MethodCheck] = []
    public var deadlines: [DeadlineCheck] = []
    public var negativeControlViolations: [Pair] = []
    public init() {}

    /// The label vocabulary's word for what the report says.
    public static func actualLabel(_ e: ElementResult) -> String {
        if let stance = e.stance { return stance == .silent ? "absent" : stance.rawValue }
        return e.status == .missing ? "absent" : e.status.rawValue
    }

    public static func expectedLabel(_ element: String, _ status: String) -> String {
        // data_aggregation/deidentification/ai_training labels use absent for silent.
        status == "silent" || status == "missing" ? "absent" : status
    }

    public mutating func add(report: Report, labels: LabelledDocument) {
        for id in ElementCatalog.diligence {
            guard let label = labels.labels[id], let result = report.element(id) else { continue }
            let expected = Evaluation.expectedLabel(id, label.status)
            let actual = Evaluation.actualLabel(result)
            extraPairs.append(Pair(document: labels.id, element: id, expected: expected, actual: actual, agree: expected == actual,
                                   evidence: result.evidence.first.map { "\($0.section.map { "§" + $0 + " " } ?? "")line \($0.line): \($0.text.prefix(160))" },
                                   labelEvidence: label.evidence))
            if id == "deidentification_standard", let m = label.method, expected != "absent" {
                let got = result.method?.rawValue ?? "none"
                methods.append(MethodCheck(document: labels.id, expected: m, actual: got, exact: m == got))
            }
        }
        for id in ElementCatalog.core {
            guard let label = labels.labels[id], let result = report.element(id) else { continue }
            let expected = Evaluation.expectedLabel(id, label.status)
            let actual = Evaluation.actualLabel(result)
            let pair = Pair(document: labels.id, element: id, expected: expected, actual: actual, agree: expected == actual,
                            evidence: result.evidence.first.map { "\($0.section.map { "§" + $0 + " " } ?? "")line \($0.line): \($0.text.prefix(160))" },
                            labelEvidence: label.evidence)
            pairs.append(pair)
            if labels.kind?.hasPrefix("negative") == true && ElementCatalog.required.contains(id) && expected == "absent" && actual == "present" {
                negativeControlViolations.append(pair)
            }
        }
        if let (v, u) = labels.expectedDeadline() {
            let d = report.element("breach_notification")?.deadline
            deadlines.append(DeadlineCheck(document: labels.id, expected: "\(v) \(u.rawValue)", actual: d.map { "\($0.value) \($0.unit.rawValue)" },
                                           exact: d?.value == v && d?.unit == u))
        }
    }

    public var agreement: Double { pairs.isEmpty ? 0 : Double(pairs.filter(\.agree).count) / Double(pairs.count) }

    public var extraAgreement: Double { extraPairs.isEmpty ? 0 : Double(extraPairs.filter(\.agree).count) / Double(extraPairs.count) }

    /// Pairs where the tool said present but the label says absent.
    public func falsePresent(_ element: String) -> [Pair] {
        extraPairs.filter { $0.element == element && $0.expected == "absent" && $0.actual == "present" }
    }

    public func agreement(for element: String) -> (agree: Int, total: Int) {
        let p = (ElementCatalog.diligence.contains(element) ? extraPairs : pairs).filter { $0.element == element }
        return (p.filter(\.agree).count, p.count)
    }

    /// Of the pairs labelled absent, how many the tool called absent (recall), and of those it called absent how many were (precision).
    public var missingRecall: Double {
        let expected = pairs.filter { $0.expected == "absent" }
        return expected.isEmpty ? 1 : Double(expected.filter { $0.actual == "absent" }.count) / Double(expected.count)
    }

    public var missingPrecision: Double {
        let called = pairs.filter { $0.actual == "absent" }
        return called.isEmpty ? 1 : Double(called.filter { $0.expected == "absent" }.count) / Double(called.count)
    }

    /// Confusion counts per element: expected -> actual -> count.
    public func confusion(for element: String) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for p in pairs + extraPairs where p.element == element { out[p.expected, default: [:]][p.actual, default: 0] += 1 }
        return out
    }

    /// A plain-text summary: per element agreement, totals, and every disagreement with its evidence.
    public func summary() -> String {
        var s = "element                   agree\n"
        for id in ElementCatalog.core {
            let (a, t) = agreement(for: id)
            guard t > 0 else { continue }
            s += "  \(id.padding(toLength: 24, withPad: " ", startingAt: 0)) \(a)/\(t)\n"
        }
        let agreeCount = pairs.filter(\.agree).count
        s += String(format: "overall agreement: %d/%d = %.1f%%\n", agreeCount, pairs.count, agreement * 100)
        s += String(format: "missing: recall %.1f%%, precision %.1f%%\n", missingRecall * 100, missingPrecision * 100)
        s += "deadlines exact: \(deadlines.filter(\.exact).count)/\(deadlines.count)\n"
        for d in deadlines where !d.exact { s += "  deadline \(d.document): expected \(d.expected), got \(d.actual ?? "none")\n" }
        let wrong = pairs.filter { !$0.agree }
        if !wrong.isEmpty { s += "disagreements (\(wrong.count)):\n" }
        for p in wrong {
            s += "  \(p.document) \(p.element): expected \(p.expected), got \(p.actual)\n"
            if let e = p.evidence { s += "      tool: \(e)\n" }
            if let l = p.labelEvidence { s += "      label: \(l.prefix(160))\n" }
        }
        if !extraPairs.isEmpty {
            s += "due-diligence elements (labels-extra.json)\n"
            for id in ElementCatalog.diligence {
                let (a, t) = agreement(for: id)
                guard t > 0 else { continue }
                s += "  \(id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(a)/\(t)\n"
            }
            s += String(format: "due-diligence agreement: %d/%d = %.1f%%\n", extraPairs.filter(\.agree).count, extraPairs.count, extraAgreement * 100)
            s += "de-identification methods exact: \(methods.filter(\.exact).count)/\(methods.count)\n"
            for m in methods where !m.exact { s += "  method \(m.document): expected \(m.expected), got \(m.actual)\n" }
            let extraWrong = extraPairs.filter { !$0.agree }
            if !extraWrong.isEmpty { s += "due-diligence disagreements (\(extraWrong.count)):\n" }
            for p in extraWrong {
                s += "  \(p.document) \(p.element): expected \(p.expected), got \(p.actual)\n"
                if let e = p.evidence { s += "      tool: \(e)\n" }
                if let l = p.labelEvidence { s += "      label: \(l.prefix(160))\n" }
            }
        }
        return s
    }
}
