import ArgumentParser
import BAAExtract
import BAAReport
import BAAReview
import BAAUtil
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Review labelled agreements and compare each element's verdict with its label.",
        discussion: "PATH is a folder or file covered by the labels file (default: labels.json in or above PATH). The due-diligence labels (labels-extra.json beside it, or --labels-extra) are read too and reported on their own lines. Exit 1 when agreement is below --min-agreement (the 21 elements of labels.json)."
    )
    @Argument(help: "Labelled documents or folders.") var paths: [String]
    @Option(name: .long, help: "Labels file (the corpus-real labels.json shape).") var labels: String?
    @Option(name: .customLong("labels-extra"), help: "Due-diligence labels (default: labels-extra.json beside the labels file, if any).") var labelsExtra: String?
    @OptionGroup var library: LibraryOptions
    @Option(name: .long, help: "Output format: terminal or json.") var format: OutputFormat = .terminal
    @Option(name: .customLong("min-agreement"), help: "Fail (exit 1) below this overall agreement, in percent.") var minAgreement: Double = 0
    @Option(name: .customLong("only"), help: "Only this element.") var only: String?

    func findLabels() throws -> String {
        if let labels { return labels }
        for p in paths {
            var dir = URL(fileURLWithPath: p)
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent("labels.json").path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw UserError("no labels.json in or above \(paths.joined(separator: ", ")): pass --labels FILE")
    }

    func run() throws {
        let labelsPath = try findLabels()
        let base = URL(fileURLWithPath: labelsPath).deletingLastPathComponent()
        let docs: [LabelledDocument]
        do { docs = try JSONDecoder().decode([LabelledDocument].self, from: Data(contentsOf: URL(fileURLWithPath: labelsPath))) } catch {
            throw UserError("\(labelsPath): not a labels file: \(error)")
        }
        // The four due-diligence elements, labelled in a second file of the same shape, merged by document id.
        let extraPath = labelsExtra ?? base.appendingPathComponent("labels-extra.json").path
        var extra: [String: [String: LabelledDocument.Label]] = [:]
        if labelsExtra != nil || FileManager.default.fileExists(atPath: extraPath) {
            do {
                for d in try JSONDecoder().decode([LabelledDocument].self, from: Data(contentsOf: URL(fileURLWithPath: extraPath))) {
                    extra[d.id, default: [:]].merge(d.labels) { $1 }
                }
            } catch {
                throw UserError("\(extraPath): not a labels file: \(error)")
            }
        }
        let wanted = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let lib = try library.loadLibrary()
        let reviewer = Reviewer(library: lib)
        let loader = DocumentLoader()
        var eval = Evaluation()
        var errors = 0
        for doc in docs {
            let path = base.appendingPathComponent(doc.file).standardizedFileURL.path
            guard wanted.contains(where: { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else { continue }
            do {
                var d = doc
                if let more = extra[doc.id] { d.labels.merge(more) { old, _ in old } }
                if let only { d.labels = d.labels.filter { $0.key == only } }
                eval.add(report: reviewer.review(try loader.load(path: path)), labels: d)
            } catch {
                SafeIO.stderr("baa: error: \(error)\n"); errors += 1
            }
        }
        switch format {
        case .terminal: print(eval.summary(), terminator: "")
        case .json:
            struct Out: Encodable {
                let agreement: Double, missingRecall: Double, missingPrecision: Double
                let perElement: [String: [String: Int]]
                let confusion: [String: [String: [String: Int]]]
                let deadlines: [Evaluation.DeadlineCheck]
                let disagreements: [Evaluation.Pair]
                let diligenceAgreement: Double
                let diligenceDisagreements: [Evaluation.Pair]
                let methods: [Evaluation.MethodCheck]
                enum CodingKeys: String, CodingKey {
                    case agreement, missingRecall = "missing_recall", missingPrecision = "missing_precision", perElement = "per_element", confusion, deadlines, disagreements
                    case diligenceAgreement = "diligence_agreement", diligenceDisagreements = "diligence_disagreements", methods
                }
            }
            var per: [String: [String: Int]] = [:], conf: [String: [String: [String: Int]]] = [:]
            for id in Set((eval.pairs + eval.extraPairs).map(\.element)) {
                let (a, t) = eval.agreement(for: id); per[id] = ["agree": a, "total": t]; conf[id] = eval.confusion(for: id)
            }
            let out = Out(agreement: eval.agreement, missingRecall: eval.missingRecall, missingPrecision: eval.missingPrecision,
                          perElement: per, confusion: conf, deadlines: eval.deadlines, disagreements: eval.pairs.filter { !$0.agree },
                          diligenceAgreement: eval.extraAgreement, diligenceDisagreements: eval.extraPairs.filter { !$0.agree }, methods: eval.methods)
            print(String(decoding: try JSONReporter.encoder().encode(out), as: UTF8.self))
        }
        if errors > 0 { throw ExitCode(2) }
        if eval.agreement * 100 < minAgreement { throw ExitCode(1) }
    }
}
