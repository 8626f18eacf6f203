import ArgumentParser
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import BAAUtil
import Foundation

/// baa review's formats (eval and the others keep terminal and json).
enum ReviewFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json, html
}

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review one or more agreements and report each element's verdict and the findings.",
        discussion: """
        Exit codes: 0 no finding at or above --fail-on (or no --fail-on); 1 a finding at or above it; \
        2 a usage or input error (the message names the file and what is wrong). A file over a limit (size, \
        pages, text, DOCX size or entries, --time-budget) is an input error; the other files are still \
        reviewed, and --output is left untouched when no file could be reviewed. See docs/hostile.md.
        """
    )

    @Argument(help: "Agreement files: PDF, DOCX, HTML, Markdown or plain text.")
    var files: [String]
    @OptionGroup var library: LibraryOptions
    @OptionGroup var extraction: ExtractionOptions
    @OptionGroup var matchLimits: MatchLimitOptions
    @Option(name: .long, help: "Output format: terminal, json or html (one self-contained page per agreement: summary, elements, findings and the highlighted contract).")
    var format: ReviewFormat = .terminal
    @Option(name: [.long, .customShort("o")], help: "Write the report here (atomically) instead of standard output.")
    var output: String?
    @Option(name: .customLong("playbook"), help: "A YAML playbook with the practice's positions (default: HIPAA baseline).")
    var playbookPath: String?
    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity: critical, high, medium, low, info.")
    var failOn: Severity?
    @Flag(name: .long, help: "Show which rules fired, which guards vetoed, and how the score was reached.")
    var explain = false
    @Flag(name: .customLong("no-color"), help: "No colours (also off when NO_COLOR is set or output is not a terminal).")
    var noColor = false
    @Flag(name: .long, help: "HTML only: leave the contract text and quotations out (summary, elements and findings only).")
    var redact = false
    @Flag(name: .long, help: "Terminal only: print just the summary card (score, risk, AI training, breach notice, subcontractors) and the findings' titles.")
    var brief = false
    @OptionGroup var parties: PartyOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one agreement file") }
        if format == .html && files.count > 1 { throw ValidationError("--format html writes one page per agreement: review one file at a time") }
        if redact && format != .html { throw ValidationError("--redact applies to --format html") }
        if brief && format != .terminal { throw ValidationError("--brief applies to --format terminal") }
    }

    func run() throws {
        Temporaries.installSignalHandlers(graceful: false)
        if let output { Temporaries.sweepStale(in: URL(fileURLWithPath: output).deletingLastPathComponent().path) }
        let lib = try library.loadLibrary()
        var playbook = Playbook()
        if let playbookPath {
            do { playbook = try Playbook.load(path: playbookPath) } catch { throw UserError("\(error)") }
        }
        let options = try extraction.options()
        var reviewer = Reviewer(library: lib, playbook: playbook, limits: matchLimits.limits)
        reviewer.partyOverride = parties.override
        var reports: [Report] = []
        var documents: [Document] = []
        var inputErrors = 0
        for file in files {
            switch reviewWithinBudget(file, options: options, reviewer: reviewer, keepDocument: format == .html) {
            case .finished(.success(let (report, document))):
                reports.append(report)
                if let document { documents.append(document) }
            case .finished(.failure(let error)):
                SafeIO.stderr("baa: error: \(error.description)\n")
                inputErrors += 1
            case .abandoned(let over):
                SafeIO.stderr("baa: error: \(ExtractError(path: file, over).description)\n")
                inputErrors += 1
                // The abandoned worker may still be using the old reviewer's match state.
                reviewer = Reviewer(library: lib, playbook: playbook, limits: matchLimits.limits)
                reviewer.partyOverride = parties.override
            }
        }
        var text = ""
        switch format {
        case .json:
            text = reports.count == 1 && files.count == 1 ? try JSONReporter.render(reports[0]) : try JSONReporter.render(reports)
        case .html:
            text = reports.first.map { HTMLReporter(redact: redact).render($0, document: documents.first) } ?? ""
        case .terminal:
            let r = TerminalReporter(color: !noColor && output == nil && TerminalReporter.shouldColor(), explain: explain, brief: brief,
                                     width: TerminalReporter.terminalWidth())
            text = r.render(reports)
        }
        // With no report to write, a previous report at --output stays as it was.
        if !reports.isEmpty || (format == .json && output == nil) { try emit(text, to: output, json: format == .json) }
        if inputErrors > 0 { throw ExitCode(2) }
        if let failOn, reports.contains(where: { $0.findings.contains { $0.severity >= failOn } }) { throw ExitCode(1) }
    }
}

/// Loads and reviews one file on a worker thread under its time budget (the watchdog gives up on it
/// a second after the budget, naming what was done so far).
func reviewWithinBudget(_ file: String, options: ExtractOptions, reviewer: Reviewer, keepDocument: Bool = false) -> Watchdog.Outcome<Result<(Report, Document?), ExtractError>> {
    var options = options
    let budget = options.timeBudgetSeconds.map { TimeBudget(seconds: $0) }
    options.budget = budget
    let loader = DocumentLoader(options: options)
    return Watchdog.run(budget: budget) { () -> Result<(Report, Document?), ExtractError> in
        do throws(ExtractError) {
            let document = try loader.load(path: file)
            if let budget { budget.note("\(budget.done) (the clause review did not finish)") }
            return .success((reviewer.review(document), keepDocument ? document : nil))
        } catch {
            return .failure(error)
        }
    }
}

/// Loads one file on a worker thread under its time budget.
func loadWithinBudget(_ file: String, options: ExtractOptions) -> Result<Document, ExtractError> {
    var options = options
    let budget = options.timeBudgetSeconds.map { TimeBudget(seconds: $0) }
    options.budget = budget
    let loader = DocumentLoader(options: options)
    let outcome = Watchdog.run(budget: budget) { () -> Result<Document, ExtractError> in
        do throws(ExtractError) { return .success(try loader.load(path: file)) } catch { return .failure(error) }
    }
    switch outcome {
    case .finished(let result): return result
    case .abandoned(let over): return .failure(ExtractError(path: file, over))
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
        do { try SafeIO.stdout(out) } catch { throw UserError("\(error)") }
    }
}

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extract", abstract: "Print the normalized text the review reads (for checking extraction).")
    @Argument(help: "Files to extract.") var files: [String]
    @OptionGroup var extraction: ExtractionOptions
    @Flag(name: .long, help: "Print nothing but errors (benchmarks).") var quiet = false
    @Flag(name: .long, help: "Prefix each paragraph with its page and line.") var locations = false
    @Flag(name: .long, help: "Print the outline the review reads: each paragraph's kind (heading, lead-in, item, item-heading, body, table-row), indented under its parent, with its section and page:line.") var outline = false

    func run() throws {
        let options = try extraction.options()
        var failed = false
        Temporaries.installSignalHandlers(graceful: false)
        for file in files {
            let doc: Document
            do { doc = try loadWithinBudget(file, options: options).get() } catch {
                SafeIO.stderr("baa: error: \(error.description)\n")
                failed = true
                continue
            }
            do {
                if quiet { continue }
                for w in doc.warnings { SafeIO.stderr("baa: warning: \(file): \(w)\n") }
                if outline {
                    try SafeIO.stdout(OutlineRenderer.render(doc))
                } else if locations {
                    var offset = 0
                    var out = ""
                    for line in doc.text.split(separator: "\n", omittingEmptySubsequences: false) {
                        let loc = doc.sourceMap.location(at: offset)
                        if !line.isEmpty { out += "p\(loc.page):\(loc.line)\t\(line)\n" }
                        offset += line.utf8.count + 1
                        if out.utf8.count >= 1 << 16 { try SafeIO.stdout(out); out = "" }
                    }
                    try SafeIO.stdout(out)
                } else { try SafeIO.stdout(doc.text) }
            } catch {
                // The output is lost (a full disk, a closed pipe): one line, exit 2, no use going on.
                throw UserError("\(error)")
            }
        }
        if failed { throw ExitCode(2) }
    }
}

/// --ba / --ce: who is who, when the document does not say it clearly.
struct PartyOptions: ParsableArguments {
    @Option(name: .customLong("ba"), help: ArgumentHelp("A name the business associate goes by in the agreement (repeatable), e.g. --ba Vendor --ba Acme.", valueName: "name"))
    var ba: [String] = []
    @Option(name: .customLong("ce"), help: ArgumentHelp("A name the covered entity goes by in the agreement (repeatable), e.g. --ce Practice.", valueName: "name"))
    var ce: [String] = []

    func validate() throws {
        for n in ba + ce where n.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--ba and --ce need a name") }
        if let n = ba.first(where: { b in ce.contains { $0.lowercased() == b.lowercased() } }) { throw ValidationError("'\(n)' is given as both --ba and --ce") }
    }

    /// The roles given on the command line, or nil (resolved per document).
    var override: PartyRoles? {
        ba.isEmpty && ce.isEmpty ? nil : PartyRoles.override(ba: ba.map { $0.trimmingCharacters(in: .whitespaces) }, ce: ce.map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
