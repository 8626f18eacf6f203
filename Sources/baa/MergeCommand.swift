import ArgumentParser
import BAABatch
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the JSON reports of `baa batch --shard K/N` runs into one batch report.",
        discussion: "The shards must come from the same baa, clause library and playbook, and must not share a vendor. Exit codes as for `baa batch`."
    )

    @Argument(help: "Shard reports (`baa batch --format json` output).") var files: [String]
    @Option(name: .long, help: "Output: terminal, json, jsonl, tickets or html (a vendor dashboard, the reports beside it).") var format: BatchFormat = .json
    @Option(name: .long, help: "Write the output here (atomically) instead of standard output.") var output: String?
    @OptionGroup var trackerOptions: TrackerOptions
    @Flag(name: .long, help: "Leave excerpts out of the output.") var redact = false
    @Option(name: .customLong("fail-on"), help: "Exit 1 when a vendor finding is at or above this severity.") var failOn: Severity?
    @Flag(name: .customLong("fail-on-error"), help: "Exit 2 when a file could not be reviewed.") var failOnError = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one shard report") }
        _ = try trackerOptions.config()
    }

    func run() throws {
        let merged: BatchReport
        do { merged = try BatchMerger.merge(try files.map { ($0, try BatchMerger.load(path: $0)) }) } catch let e as BatchMerger.MergeError {
            throw UserError(e.message)
        }
        let shown = redact ? merged.redacted() : merged
        switch format {
        case .terminal: try emit(BatchRenderer.table(shown, color: output == nil && TerminalReporter.shouldColor()), to: output)
        case .jsonl: try emit(try shown.documents.map { try BatchRenderer.jsonLines($0, redact: false) }.joined(), to: output)
        case .html:
            guard let output else { throw UserError("--format html needs --output: the documents' reports are written beside the dashboard") }
            try emit(try DashboardHTML.render(shown, dashboardPath: output, redact: redact) { path in try? DocumentLoader().load(path: path) }, to: output)
        case .json, .tickets:
            do {
                let sink = try TextSink(path: output)
                if format == .json { try BatchRenderer.writeJSON(shown, to: sink) } else { try BatchRenderer.writeTickets(shown, redact: redact, tracker: try trackerOptions.config(), to: sink) }
                try sink.commit()
            } catch let e as SpoolError { throw UserError(e.description) }
        }
        if failOnError && merged.batch.counts.errors > 0 { throw ExitCode(2) }
        if let failOn, merged.vendors.contains(where: { $0.findings.contains { $0.severity >= failOn } }) { throw ExitCode(1) }
    }
}
