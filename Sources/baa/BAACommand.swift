import ArgumentParser
import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import Foundation

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
        subcommands: [ReviewCommand.self, ExplainCommand.self, RulesCommand.self, EvalCommand.self, ExtractCommand.self, BatchCommand.self, MergeCommand.self],
        defaultSubcommand: nil
    )

    static func mainWithExitCodes() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let e as UserError {
            FileHandle.standardError.write(Data("baa: error: \(e.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
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
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw UserError("the clause library in \(dir) has \(error.errors.count) error(s); fix them and re-run `baa rules test`")
        }
    }
}

/// Options for reading documents.
struct ExtractionOptions: ParsableArguments {
    @Flag(name: .customLong("no-ocr"), help: "Do not OCR pages without a text layer.")
    var noOCR = false
    @Option(name: .customLong("tracked-changes"), help: "DOCX tracked changes: accept (keep insertions, drop deletions), reject, or both.")
    var trackedChanges: String = "accept"
    @Option(name: .customLong("password"), help: "Password for an encrypted PDF.")
    var password: String?
    @Option(name: .customLong("max-file-size"), help: "Largest input file in bytes.")
    var maxFileSize: Int = 100 * 1024 * 1024
    @Option(name: .customLong("max-pages"), help: "Most pages read from one document.")
    var maxPages: Int = 2000

    func options() throws -> ExtractOptions {
        var o = ExtractOptions()
        o.ocr = !noOCR
        guard let tc = ExtractOptions.TrackedChanges(rawValue: trackedChanges) else {
            throw ValidationError("--tracked-changes takes accept, reject or both (got '\(trackedChanges)')")
        }
        o.trackedChanges = tc
        o.password = password
        o.maxFileBytes = maxFileSize
        o.maxPages = maxPages
        return o
    }
}

extension Severity: ExpressibleByArgument {}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}

/// Writes output to stdout or atomically to --output.
func emit(_ text: String, to path: String?) throws {
    if let path {
        do { try AtomicFile.write(text, to: path) } catch { throw UserError("\(error)") }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
