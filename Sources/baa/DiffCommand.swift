import ArgumentParser
import BAAExtract
import BAAReport
import BAAReview
import BAAUtil
import Foundation

/// `baa diff OLD NEW`: what changed between two versions of an agreement, element by element.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two versions of an agreement element by element: status, stance, deadline, evidence (word diff) and score.",
        discussion: """
        Both files are reviewed as `baa review` would (same clause library, playbook and limits); an element \
        is listed when its verdict, its findings or its evidence text changed, the others are counted as \
        unchanged. An element is worse when its findings cost more points in NEW (or, at equal points, its \
        status fell or its deadline got longer). Exit codes: 0 compared; 1 with --fail-on-regression when an \
        element got worse; 2 a usage or input error (the message names the file).
        """
    )

    @Argument(help: "The earlier version.")
    var old: String
    @Argument(help: "The later version.")
    var new: String
    @OptionGroup var library: LibraryOptions
    @OptionGroup var extraction: ExtractionOptions
    @OptionGroup var matchLimits: MatchLimitOptions
    @Option(name: .long, help: "Output format: terminal, json or html (one self-contained page).")
    var format: ReviewFormat = .terminal
    @Option(name: [.long, .customShort("o")], help: "Write the comparison here (atomically) instead of standard output.")
    var output: String?
    @Option(name: .customLong("playbook"), help: "A YAML playbook with the practice's positions (default: HIPAA baseline).")
    var playbookPath: String?
    @Flag(name: .customLong("fail-on-regression"), help: "Exit 1 when an element got worse in the later version.")
    var failOnRegression = false
    @Flag(name: .customLong("no-color"), help: "No colours (also off when NO_COLOR is set or output is not a terminal).")
    var noColor = false
    @OptionGroup var parties: PartyOptions

    func run() throws {
        Temporaries.installSignalHandlers(graceful: false)
        if let output { Temporaries.sweepStale(in: URL(fileURLWithPath: output).deletingLastPathComponent().path) }
        let lib = try library.loadLibrary()
        var playbook = Playbook()
        if let playbookPath {
            do { playbook = try Playbook.load(path: playbookPath) } catch { throw UserError("\(error)") }
        }
        let options = try extraction.options()
        var reports: [Report] = []
        for file in [old, new] {
            let reviewer = Reviewer(library: lib, playbook: playbook, limits: matchLimits.limits)
            reviewer.partyOverride = parties.override
            switch reviewWithinBudget(file, options: options, reviewer: reviewer) {
            case .finished(.success(let (report, _))): reports.append(report)
            case .finished(.failure(let error)): throw UserError(error.description)
            case .abandoned(let over): throw UserError(ExtractError(path: file, over).description)
            }
        }
        let diff = ReportDiff.compare(old: reports[0], new: reports[1])
        let text: String
        switch format {
        case .json: text = try DiffReporter.json(diff)
        case .html: text = DiffReporter.html(diff)
        case .terminal:
            text = DiffReporter(color: !noColor && output == nil && TerminalReporter.shouldColor(), width: TerminalReporter.terminalWidth()).terminal(diff)
        }
        try emit(text, to: output, json: format == .json)
        if failOnRegression && !diff.regressions.isEmpty { throw ExitCode(1) }
    }
}
