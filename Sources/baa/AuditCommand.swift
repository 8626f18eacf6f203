import ArgumentParser
import BAABatch
import BAAUtil
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check an audit log written by `baa batch --audit-log`.",
        subcommands: [AuditVerifyCommand.self]
    )
}

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chain: each record's prev_sha256 is the SHA-256 of the line before it.",
        discussion: "Exit codes: 0 the chain holds; 1 it breaks (each break printed as FILE:LINE: why); 2 the file cannot be read."
    )

    @Argument(help: "The audit log (JSON lines).") var file: String

    func run() throws {
        let v: AuditLog.Verification
        do { v = try AuditLog.verify(path: file) } catch { throw UserError("\(error)") }
        let name = SafeIO.displayPath(file)
        var out = ""
        for b in v.breaks { out += "\(name):\(b.dropFirst(5))\n" }
        let note = v.unchained > 0 ? " (\(v.unchained) earlier line\(v.unchained == 1 ? "" : "s") written before the chain, not checked)" : ""
        out += v.breaks.isEmpty ? "\(name): \(v.records) records, chain intact\(note)\n" : "\(name): \(v.records) records, chain broken in \(v.breaks.count) place\(v.breaks.count == 1 ? "" : "s")\(note)\n"
        do { try SafeIO.stdout(out) } catch { throw UserError("\(error)") }
        if !v.breaks.isEmpty { throw ExitCode(1) }
    }
}
