import BAAClauses
import BAAExtract
import BAAReview
import Foundation
import PCRE2
import XCTest

/// The rename test (issue 13): give the parties of every real agreement new names, at test time and never stored,
/// and require the same verdict for every element. The agreements are read in place from ../shared/corpus-real
/// (skipped with a message where absent); nothing of their text is kept here, only the names each uses for the
/// parties, as a reviewer reads them from its preamble and definitions.
final class PartyRenameTests: XCTestCase {
    static let baName = "Zephyr", ceName = "Harbor"
    static let preamble = "This Agreement is between Harbor Pediatrics, P.C. (\"Harbor\"), a covered entity, and Zephyr Analytics LLC (\"Zephyr\"), its business associate.\n\n"

    /// The defined names of each party, where they are not just "Business Associate" / "Covered Entity".
    /// Lower-case role names are listed where the agreement uses them as the party's name ("business associate agrees").
    static let names: [String: (ba: [String], ce: [String])] = [
        "001": (["Business Associate"], ["Customer"]),
        "002": (["Provider"], ["Company"]),
        "003": (["Business Associate", "Business associate", "business associate"], ["Covered Entity", "Covered entity", "covered entity"]),
        "006": (["Business Associate", "Business associate", "business associate"], ["Covered Entity", "Covered entity", "covered entity"]),
        "010": (["Business Associate", "Ovation"], ["Covered Entity"]),
        "022": (["Business Associate", "Typebot"], ["Covered Entity", "Therapair"]),
        "023": (["Business Associate", "Company", "Cydoc"], ["Covered Entity", "Customer"]),
        "025": (["Clinic"], []),
        "027": (["Provider"], ["Customer"]),
        "028": (["GitHub"], []),
        "043": (["Business Associate", "Claima"], ["Covered Entity"]),
        "045": (["RevKeep™"], ["Practice"]),
        "061": (["Business Associate", "SpaStream", "Processor"], ["Covered Entity", "Client", "Controller"]),
        "063": (["Aptible"], []),
        "065": (["Fusco Digital Solutions"], ["Customer"]),
        "067": (["Business Associate", "Processor"], ["Covered Entity", "Customer", "Controller"]),
    ]

    /// Documents that do not reach the same verdicts yet, with the reason. Keep it short and say why.
    static let knownExceptions: [String: String] = [:]

    /// Replaces each name (as written and in capitals) by `replacement`, as whole words; "Business Associate
    /// Agreement", "Customer Data" and the like are other defined terms and keep their words, and "a business
    /// associate" (any business associate) is not the party.
    static func rename(_ text: String, names: [String], to replacement: String) -> String {
        guard !names.isEmpty else { return text }
        var variants = Set(names)
        for n in names { variants.insert(n.uppercased()) }
        let alternatives = variants.sorted { $0.utf8.count > $1.utf8.count }.map { "\\Q\($0)\\E" }.joined(separator: "|")
        let pattern = #"(?<![\w'-])(?<!\ba )(?<!\ban )(?<!\bA )(?:"# + alternatives + #")(?![\w-])(?!\s+(?i:agreements?|addend(?:um|a)|data|personal\s+data|information)\b)"#
        guard let regex = try? Regex(pattern, caseless: false) else { XCTFail("rename pattern"); return text }
        let subject = Subject(text)
        guard let found = try? Matcher().allMatches(regex, in: subject) else { XCTFail("rename match"); return text }
        var out: [UInt8] = []
        var position = 0
        for m in found {
            out += Array(UnsafeBufferPointer(rebasing: subject.bytes[position..<m.range.lowerBound]))
            out += Array(replacement.utf8)
            position = m.range.upperBound
        }
        out += Array(UnsafeBufferPointer(rebasing: subject.bytes[position..<subject.count]))
        return String(decoding: out, as: UTF8.self)
    }

    struct Verdict: Equatable, CustomStringConvertible {
        var status: String, stance: String?, deadline: String?
        var description: String { [status, stance, deadline].compactMap { $0 }.joined(separator: " ") }
    }

    static func verdicts(_ r: Report) -> [String: Verdict] {
        Dictionary(uniqueKeysWithValues: r.elements.map { e in
            (e.id, Verdict(status: e.status.rawValue, stance: e.stance?.rawValue, deadline: e.deadline.map { "\($0.value) \($0.unit.rawValue)" }))
        })
    }

    func testRenamingThePartiesChangesNoVerdict() throws {
        let labelsURL = Paths.corpusReal.appendingPathComponent("labels.json")
        guard FileManager.default.fileExists(atPath: labelsURL.path) else {
            throw XCTSkip("../shared/corpus-real is absent: the rename test did not run")
        }
        let docs = try JSONDecoder().decode([LabelledDocument].self, from: Data(contentsOf: labelsURL))
        let reviewer = Reviewer(library: try Paths.library())
        var passed: [String] = [], failed: [String: [String]] = [:]
        for doc in docs {
            let url = Paths.corpusReal.appendingPathComponent(doc.file)
            let text = try String(contentsOf: url, encoding: .utf8)
            let format: DocumentFormat = url.pathExtension == "md" ? .markdown : .text
            let names = Self.names[doc.id] ?? (["Business Associate"], ["Covered Entity"])
            // Both parties at once through a placeholder, so a name inside the other's never collides.
            var renamed = Self.rename(text, names: names.ba, to: "\u{E000}")
            renamed = Self.rename(renamed, names: names.ce, to: Self.ceName)
            renamed = Self.preamble + renamed.replacingOccurrences(of: "\u{E000}", with: Self.baName)
            XCTAssertNotEqual(renamed, Self.preamble + text, "\(doc.id): nothing renamed")
            let before = Self.verdicts(reviewer.review(Document.fromText(text, path: doc.file, format: format)))
            let afterReport = reviewer.review(Document.fromText(renamed, path: doc.file, format: format))
            let after = Self.verdicts(afterReport)
            let diffs = before.keys.sorted().compactMap { k in before[k] == after[k] ? nil : "\(k): \(before[k]!) -> \(after[k].map(\.description) ?? "none")" }
            if diffs.isEmpty { passed.append(doc.id) } else { failed[doc.id] = diffs }
            if let p = afterReport.parties {
                XCTAssertTrue(p.ba.contains(Self.baName) && p.ce.contains(Self.ceName), "\(doc.id): roles of the renamed agreement: \(p.summary)")
            }
        }
        print("rename test: \(passed.count)/\(docs.count) agreements keep every verdict with the parties renamed")
        for (id, diffs) in failed.sorted(by: { $0.key < $1.key }) {
            let known = Self.knownExceptions[id].map { " (known: \($0))" } ?? ""
            print("  \(id)\(known): \(diffs.joined(separator: "; "))")
            if Self.knownExceptions[id] == nil { XCTFail("\(id): verdicts change when the parties are renamed: \(diffs.joined(separator: "; "))") }
        }
        for id in Self.knownExceptions.keys where !failed.keys.contains(id) {
            XCTFail("\(id) is listed as a known exception but now keeps its verdicts: remove it from the list")
        }
    }
}
