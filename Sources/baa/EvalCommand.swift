import ArgumentParser
import BAAExtract
import BAAReport
import BAAReview
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Review labelled agreements and compare each element's verdict with its label.",
        discussion: "PATH is a folder or file covered by the labels file (default: labels.json in or above PATH). Exit 1 when agreement is below --min-agreement."
    )
    @Argument(help: "Labelled documents or folders.") var paths: [String]
    @Option(name: .long, help: "Labels file (the corpus-real labels.json shape).") var labels: String?
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
                if let only { d.labels = d.labels.filter { $0.key == only } }
                eval.add(report: reviewer.review(try loader.load(path: path)), labels: d)
            } catch {
                FileHandle.standardError.write(Data("baa: error: \(error)\n".utf8)); errors += 1
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
                enum CodingKeys: String, CodingKey { case agreement, missingRecall = "missing_recall", missingPrecision = "missing_precision", perElement = "per_element", confusion, deadlines, disagreements }
            }
            var per: [String: [String: Int]] = [:], conf: [String: [String: [String: Int]]] = [:]
            for id in Set(eval.pairs.map(\.element)) {
                let (a, t) = eval.agreement(for: id); per[id] = ["agree": a, "total": t]; conf[id] = eval.confusion(for: id)
            }
            let out = Out(agreement: eval.agreement, missingRecall: eval.missingRecall, missingPrecision: eval.missingPrecision,
                          perElement: per, confusion: conf, deadlines: eval.deadlines, disagreements: eval.pairs.filter { !$0.agree })
            print(String(decoding: try JSONReporter.encoder().encode(out), as: UTF8.self))
        }
        if errors > 0 { throw ExitCode(2) }
        if eval.agreement * 100 < minAgreement { throw ExitCode(1) }
    }
}
