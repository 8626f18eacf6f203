import ArgumentParser
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import Foundation

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review one or more agreements and report each element's verdict and the findings.",
        discussion: """
        Exit codes: 0 no finding at or above --fail-on (or no --fail-on); 1 a finding at or above it; \
        2 a usage or input error (the message names the file and what is wrong).
        """
    )

    @Argument(help: "Agreement files: PDF, DOCX, HTML, Markdown or plain text.")
    var files: [String]
    @OptionGroup var library: LibraryOptions
    @OptionGroup var extraction: ExtractionOptions
    @Option(name: .long, help: "Output format: terminal or json.")
    var format: OutputFormat = .terminal
    @Option(name: .long, help: "Write the report here (atomically) instead of standard output.")
    var output: String?
    @Option(name: .customLong("playbook"), help: "A YAML playbook with the practice's positions (default: HIPAA baseline).")
    var playbookPath: String?
    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity: critical, high, medium, low, info.")
    var failOn: Severity?
    @Flag(name: .long, help: "Show which rules fired, which guards vetoed, and how the score was reached.")
    var explain = false
    @Flag(name: .customLong("no-color"), help: "No colours (also off when NO_COLOR is set or output is not a terminal).")
    var noColor = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one agreement file") }
    }

    func run() throws {
        let lib = try library.loadLibrary()
        var playbook = Playbook()
        if let playbookPath {
            do { playbook = try Playbook.load(path: playbookPath) } catch { throw UserError("\(error)") }
        }
        let loader = DocumentLoader(options: try extraction.options())
        let reviewer = Reviewer(library: lib, playbook: playbook)
        var reports: [Report] = []
        var inputErrors = 0
        for file in files {
            do {
                reports.append(reviewer.review(try loader.load(path: file)))
            } catch {
                FileHandle.standardError.write(Data("baa: error: \(error.description)\n".utf8))
                inputErrors += 1
            }
        }
        var text = ""
        switch format {
        case .json:
            text = reports.count == 1 && files.count == 1 ? try JSONReporter.render(reports[0]) : try JSONReporter.render(reports)
        case .terminal:
            let r = TerminalReporter(color: !noColor && output == nil && TerminalReporter.shouldColor(), explain: explain)
            text = reports.map(r.render).joined(separator: "\n")
        }
        if !reports.isEmpty || format == .json { try emit(text, to: output) }
        if inputErrors > 0 { throw ExitCode(2) }
        if let failOn, reports.contains(where: { $0.findings.contains { $0.severity >= failOn } }) { throw ExitCode(1) }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Explain an element: what HIPAA requires, why it matters, model language, and its rules.")
    @Argument(help: "An element id, e.g. breach_notification (see `baa rules list`).")
    var element: String
    @OptionGroup var library: LibraryOptions

    func run() throws {
        let lib = try library.loadLibrary()
        guard let e = lib.spec.element(element) else {
            throw UserError("unknown element '\(element)'; known: \(ElementCatalog.all.joined(separator: ", "))")
        }
        var out = "\(e.id): \(e.title)\n"
        out += "Kind: \(e.kind.rawValue)  ·  Citation: \(TerminalReporter.citation(e.citation))  ·  Severity when missing: \(e.severity.rawValue)\n\n"
        out += TerminalReporter.wrapPublic(e.rationale) + "\n\nRecommended language:\n" + TerminalReporter.wrapPublic(e.recommendation, indent: "  ") + "\n\nRules:\n"
        for r in e.rules { out += "  \(r.id) (\(r.verdict.rawValue), \(r.scope.rawValue)): \(r.description)\n" }
        print(out, terminator: "")
    }
}

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extract", abstract: "Print the normalized text the review reads (for checking extraction).")
    @Argument(help: "Files to extract.") var files: [String]
    @OptionGroup var extraction: ExtractionOptions
    @Flag(name: .long, help: "Print nothing but errors (benchmarks).") var quiet = false
    @Flag(name: .long, help: "Prefix each paragraph with its page and line.") var locations = false

    func run() throws {
        let loader = DocumentLoader(options: try extraction.options())
        var failed = false
        for file in files {
            do {
                let doc = try loader.load(path: file)
                if quiet { continue }
                for w in doc.warnings { FileHandle.standardError.write(Data("baa: warning: \(file): \(w)\n".utf8)) }
                if locations {
                    var offset = 0
                    for line in doc.text.split(separator: "\n", omittingEmptySubsequences: false) {
                        let loc = doc.sourceMap.location(at: offset)
                        if !line.isEmpty { print("p\(loc.page):\(loc.line)\t\(line)") }
                        offset += line.utf8.count + 1
                    }
                } else { print(doc.text, terminator: "") }
            } catch {
                FileHandle.standardError.write(Data("baa: error: \(error.description)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }
}
