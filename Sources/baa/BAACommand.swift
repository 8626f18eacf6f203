import ArgumentParser
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import BAAUtil
import Foundation
import PCRE2

/// An error a user can act on: printed as one line, exit code 2.
struct UserError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

struct BAACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baa",
        abstract: "Review HIPAA Business Associate Agreements: required terms, breach deadlines, AI training, subcontractors.",
        version: BAAVersion.current,
        subcommands: [ReviewCommand.self, DiffCommand.self, ExplainCommand.self, RulesCommand.self, EvalCommand.self, ExtractCommand.self, BatchCommand.self, MergeCommand.self, AuditCommand.self, BenchMatchCommand.self],
        defaultSubcommand: nil
    )

    static func mainWithExitCodes() -> Never {
        do {
            var command = try parseAsRoot(Array(RawPath.arguments().dropFirst()))  // paths byte for byte
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let e as UserError {
            SafeIO.stderr("baa: error: \(e.message)\n")
            Foundation.exit(2)
        } catch let e as IOFailure {
            SafeIO.stderr("baa: error: \(e)\n")
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            SafeIO.stderr((fullMessage(for: error) + "\n"))
            Foundation.exit(2)
        }
    }
}

/// Options shared by every command that loads the clause library.
struct LibraryOptions: ParsableArguments {
    @Option(name: .customLong("clauses"), help: "Clause library folder (default: $BAA_CLAUSES, ./Clauses, or the one installed beside baa).")
    var clausesPath: String?

    func loadLibrary() throws -> ClauseLibrary {
        guard let dir = ClauseLibrary.locate(explicit: clausesPath) else {
            throw UserError("cannot find the clause library (Clauses/ with _macros.yaml): pass --clauses DIR or set BAA_CLAUSES")
        }
        do { return try ClauseLibrary.load(directory: dir) } catch {
            // path:line:col errors, one per line.
            SafeIO.stderr((error.description + "\n"))
            throw UserError("the clause library in \(dir) has \(error.errors.count) error(s); fix them and re-run `baa rules test`")
        }
    }
}

/// Options for reading documents, with the limits that bound what one hostile file can cost
/// (docs/hostile.md). Sizes take a plain byte count or a K, M or G suffix (powers of 1,024).
struct ExtractionOptions: ParsableArguments {
    @Flag(name: .customLong("no-ocr"), help: "Do not OCR pages without a text layer.")
    var noOCR = false
    @Option(name: .customLong("tracked-changes"), help: "DOCX tracked changes: accept (keep insertions, drop deletions), reject, or both.")
    var trackedChanges: String = "accept"
    @Option(name: .customLong("password"), help: "Password for an encrypted PDF.")
    var password: String?
    @Option(name: .customLong("max-file-size"), help: ArgumentHelp("Largest input file (bytes, or with K, M, G).", valueName: "size"))
    var maxFileSize = ByteCount(ExtractOptions().maxFileBytes)
    @Option(name: .customLong("max-pages"), help: "Most pages read from one PDF.")
    var maxPages: Int = ExtractOptions().maxPages
    @Option(name: .customLong("max-text-size"), help: ArgumentHelp("Most extracted text per document, and largest text or HTML file.", valueName: "size"))
    var maxTextSize = ByteCount(ExtractOptions().maxTextBytes)
    @Option(name: .customLong("max-paragraphs"), help: "Most paragraphs in one document (the review's memory grows with them).")
    var maxParagraphs: Int = ExtractOptions().maxParagraphs
    @Option(name: .customLong("max-docx-size"), help: ArgumentHelp("Most bytes decompressed from one DOCX (zip-bomb guard).", valueName: "size"))
    var maxDOCXSize = ByteCount(ExtractOptions().maxUncompressedBytes)
    @Option(name: .customLong("max-docx-entries"), help: "Most entries in one DOCX's ZIP archive.")
    var maxDOCXEntries: Int = ExtractOptions().maxArchiveEntries
    @Option(name: .customLong("time-budget"), help: ArgumentHelp("Seconds one document may take; over it, the document is an error and the run goes on (0: no limit).", valueName: "seconds"))
    var timeBudget: Double = 300

    func validate() throws {
        if maxPages < 1 { throw ValidationError("--max-pages must be at least 1") }
        if maxParagraphs < 1 { throw ValidationError("--max-paragraphs must be at least 1") }
        if maxDOCXEntries < 1 { throw ValidationError("--max-docx-entries must be at least 1") }
        if !(timeBudget >= 0) || !timeBudget.isFinite { throw ValidationError("--time-budget takes seconds, 0 or more (0: no limit)") }
    }

    func options() throws -> ExtractOptions {
        var o = ExtractOptions()
        o.ocr = !noOCR
        guard let tc = ExtractOptions.TrackedChanges(rawValue: trackedChanges) else {
            throw ValidationError("--tracked-changes takes accept, reject or both (got '\(trackedChanges)')")
        }
        o.trackedChanges = tc
        o.password = password
        o.maxFileBytes = maxFileSize.bytes
        o.maxPages = maxPages
        o.maxTextBytes = maxTextSize.bytes
        o.maxParagraphs = maxParagraphs
        o.maxUncompressedBytes = maxDOCXSize.bytes
        o.maxArchiveEntries = maxDOCXEntries
        o.timeBudgetSeconds = timeBudget > 0 ? timeBudget : nil
        return o
    }
}

/// A size on the command line: "1048576", "512K", "100M", "2G".
struct ByteCount: ExpressibleByArgument, CustomStringConvertible {
    let bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }
    init?(argument: String) {
        let s = argument.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = Substring(s)
        var scale = 1
        if let last = s.last, let i = ["K", "M", "G"].firstIndex(of: String(last)) {
            scale = 1 << (10 * (i + 1))
            digits = digits.dropLast()
            if digits.hasSuffix("I") { digits = digits.dropLast() }  // "10Mi"
        } else if s.hasSuffix("B"), let k = s.dropLast().last, let i = ["K", "M", "G"].firstIndex(of: String(k)) {
            scale = 1 << (10 * (i + 1))  // "10MB"
            digits = digits.dropLast(2)
        }
        guard let n = Int(digits), n >= 1, n <= Int.max / scale else { return nil }
        bytes = n * scale
    }
    var description: String {
        for (suffix, shift) in [("G", 30), ("M", 20), ("K", 10)] where bytes % (1 << shift) == 0 { return "\(bytes >> shift)\(suffix)" }
        return "\(bytes)"
    }
    var defaultValueDescription: String { description }
}

/// PCRE2 resource limits applied to every clause pattern on every paragraph.
struct MatchLimitOptions: ParsableArguments {
    @Option(name: .customLong("match-limit"), help: "PCRE2 match limit per pattern match (backtracking steps).")
    var matchLimit: UInt32 = MatchLimits.default.matchLimit
    @Option(name: .customLong("depth-limit"), help: "PCRE2 depth limit per pattern match (interpreter only; the JIT uses a 4 MB stack).")
    var depthLimit: UInt32 = MatchLimits.default.depthLimit
    @Option(name: .customLong("heap-limit"), help: ArgumentHelp("PCRE2 heap limit per pattern match, in KiB.", valueName: "KiB"))
    var heapLimit: UInt32 = MatchLimits.default.heapLimitKiB

    var limits: MatchLimits { MatchLimits(matchLimit: matchLimit, depthLimit: depthLimit, heapLimitKiB: heapLimit) }

    func validate() throws {
        if matchLimit < 1 || depthLimit < 1 || heapLimit < 1 { throw ValidationError("--match-limit, --depth-limit and --heap-limit must be at least 1") }
    }
}

/// `--fail-on High` and `--fail-on high` alike: values are read without regard to case.
extension Severity: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}

/// Writes output to stdout or atomically to --output.
func emit(_ text: String, to path: String?, json: Bool = false) throws {
    let text = RawPath.display(text, json: json)  // raw path bytes as \xFF
    if let path {
        do { try AtomicFile.write(text, to: path) } catch { throw UserError("\(error)") }
    } else {
        do { try SafeIO.stdout(text) } catch { throw UserError("\(error)") }
    }
}
