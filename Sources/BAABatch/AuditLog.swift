import BAAUtil
import Foundation

/// Append-only JSON lines: a `run_start` line (who, when, which tool and clause library), one `file` line per
/// file (path, SHA-256, verdict or error), and a `run_end` line with the counts. `run_start` and `run_end` are
/// fsynced at once; `file` lines in groups (every `syncEvery` records or `syncSeconds`, whichever comes first:
/// an fsync per record cost 0.7-3 ms, 70-300 s for 100,000 files), so a crash can lose at most the last group,
/// never a line inside the log, and a run whose `run_end` is missing did not finish.
/// Every line carries the run id, so runs that share a log stay apart, and `prev_sha256`, the SHA-256 of the line
/// before it (null for a log's first line): an edited, removed or reordered record breaks the chain, which
/// `baa audit verify FILE` checks (`AuditLog.verify`).
public final class AuditLog {
    public let path: String
    public let runID: String

    private var tip: AtomicFile.ChainTip?
    private let encoder: JSONEncoder = {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return enc
    }()

    public init(path: String, runID: String) { self.path = path; self.runID = runID }

    public static let syncEvery = 256
    public static let syncSeconds = 1.0
    private var unsynced = 0
    private var lastSync = Date()

    /// One line; keys sorted; `event` and `run_id` always present.
    public func append(_ event: String, _ fields: [String: AuditValue]) throws {
        var all = fields
        all["event"] = .string(event)
        all["run_id"] = .string(runID)
        let now = Date()
        all["time"] = .string(BatchClock.iso(now))
        let enc = encoder
        let sync = event != "file" || unsynced + 1 >= AuditLog.syncEvery || now.timeIntervalSince(lastSync) >= AuditLog.syncSeconds
        if sync { unsynced = 0; lastSync = now } else { unsynced += 1 }
        try AtomicFile.appendLine(to: path, tip: &tip, sync: sync) { last in
            all["prev_sha256"] = last.map { .string($0) } ?? .null
            return String(decoding: try enc.encode(all), as: UTF8.self)
        }
    }

    /// What `verify` found.
    public struct Verification: Sendable {
        public var records = 0
        /// Lines before the first chained record (written before the chain existed).
        public var unchained = 0
        /// "line N: why", in order; empty when the chain holds.
        public var breaks: [String] = []
    }

    /// Checks every record's `prev_sha256` against the line before it. An edited record breaks the link after it
    /// (and fails to parse or changes its own hash), a removed or reordered one the link where it was. The last
    /// record cut off the end cannot be told from a log that ended there: compare `run_end` lines with what ran.
    public static func verify(path: String) throws -> Verification {
        let data = try RawPath.read(path, limit: Int.max - 1)
        var v = Verification()
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() } else if !lines.isEmpty { v.breaks.append("line \(lines.count): torn (no newline at the end)") }
        var previous: Data?
        var chained = false
        for (i, raw) in lines.enumerated() {
            let line = Data(raw)
            v.records += 1
            defer { previous = line }
            guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                v.breaks.append("line \(i + 1): not a JSON record")
                continue
            }
            guard object.keys.contains("prev_sha256") else {
                if chained { v.breaks.append("line \(i + 1): no prev_sha256 inside the chain") } else { v.unchained += 1 }
                continue
            }
            chained = true
            let expected = previous.map { SHA256.hex($0) }
            let got = object["prev_sha256"] as? String
            if got != expected {
                v.breaks.append("line \(i + 1): prev_sha256 does not match line \(i)" + (i == 0 ? " (the first line must have null)" : "") + ": a record before it was edited, removed or reordered")
            }
        }
        return v
    }
}

/// A JSON value for audit lines.
public enum AuditValue: Encodable, Sendable, Equatable {
    case string(String), int(Int), double(Double), bool(Bool), null
    case object([String: AuditValue])

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .object(let o): try c.encode(o)
        }
    }

    public static func opt(_ s: String?) -> AuditValue { s.map { .string($0) } ?? .null }
}

public enum BatchClock {
    nonisolated(unsafe) private static let isoFormatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    private static let isoLock = NSLock()

    public static func iso(_ d: Date) -> String {
        isoLock.lock(); defer { isoLock.unlock() }
        return isoFormatter.string(from: d)
    }

    /// The login name: $USER, $LOGNAME, else the uid.
    public static func user() -> String {
        let env = ProcessInfo.processInfo.environment
        if let u = env["USER"], !u.isEmpty { return u }
        if let u = env["LOGNAME"], !u.isEmpty { return u }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    /// A fresh run id: time plus random bits (sortable by time).
    public static func runID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(f.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }
}
