import BAAClauses
import BAAReview
import BAAUtil
import Foundation

/// Small records the batch keeps on disk instead of in memory, so that memory stays flat in the number of
/// files and vendors (issue 15, item 10): the vendor summaries the table is drawn from and the errors. Each
/// record is appended to a spool file as it comes; the printers read each back with one `pread` through an index
/// of offsets (16 bytes a record, plus the vendor name that orders the table). Not mapped: pages of a mapping
/// that the printers touched would count in the resident set, and grow with the folder.
final class RecordFile: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private(set) var size = 0
    /// The first read that failed (the printers cannot throw from a collection's subscript: they get an empty
    /// record, and the command checks this before it commits its output).
    private(set) var failure: IOFailure?

    init(path: String) throws {
        self.path = path
        Temporaries.register(path)
        let h = open(RawPath.cString(path), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard h >= 0 else {
            let e = errno
            Temporaries.unregister(path)
            throw SpoolError(message: IOFailure(path: path, action: "create the spool file", code: e).description)
        }
        fd = h
    }

    deinit {
        close(fd)
        unlink(RawPath.cString(path))
        Temporaries.unregister(path)
    }

    /// Appends one record; returns its offset.
    func append(_ bytes: [UInt8]) throws -> Int {
        let at = size
        do { try SafeIO.pwriteAll(fd, Data(bytes), at: UInt64(at), path: path) } catch { throw SpoolError(message: "\(error)") }
        size += bytes.count
        return at
    }

    func record(at offset: Int, length: Int) -> [UInt8] {
        do { return [UInt8](try SafeIO.preadAll(fd, length: length, at: UInt64(offset), path: path)) } catch {
            if failure == nil { failure = (error as? IOFailure) ?? IOFailure(path: path, action: "read", code: EIO) }
            return []
        }
    }
}

/// A length-prefixed binary form: fast to write and read back, no JSON on the way (the table reads every
/// summary twice).
struct RecordWriter {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int) { var x = Int64(v).littleEndian; withUnsafeBytes(of: &x) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) { let u = Array(s.utf8); int(u.count); bytes.append(contentsOf: u) }
    mutating func optional(_ s: String?) { if let s { bytes.append(1); string(s) } else { bytes.append(0) } }
    mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }
}

struct RecordReader {
    let buffer: UnsafeRawBufferPointer
    var at = 0
    /// Set when a record is shorter than its fields say (a damaged spool): the fields read as empty.
    var damaged = false
    init(_ b: UnsafeRawBufferPointer) { buffer = b }
    mutating func int() -> Int {
        guard at + 8 <= buffer.count else { damaged = true; return 0 }
        var x: Int64 = 0
        withUnsafeMutableBytes(of: &x) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[at..<(at + 8)])) }
        at += 8
        return Int(Int64(littleEndian: x))
    }
    mutating func string() -> String {
        let n = int()
        guard n >= 0, at + n <= buffer.count else { damaged = true; return "" }
        defer { at += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[at..<(at + n)]), as: UTF8.self)
    }
    mutating func byte() -> UInt8 {
        guard at < buffer.count else { damaged = true; return 0 }
        defer { at += 1 }
        return buffer[at]
    }
    mutating func optional() -> String? { byte() == 1 ? string() : nil }
    mutating func bool() -> Bool { byte() == 1 }
}

extension VendorSummary {
    static let severities: [Severity] = [.critical, .high, .medium, .low, .info]

    var record: [UInt8] {
        var w = RecordWriter()
        w.string(name); w.bool(loose); w.int(score); w.string(risk.rawValue); w.int(documents); w.int(errors)
        for s in VendorSummary.severities { w.int(counts[s.rawValue] ?? -1) }
        w.string(flags.aiTraining); w.string(flags.breachNotification); w.string(flags.subcontractors); w.optional(flags.aiVendor)
        w.optional(worstSeverity?.rawValue)
        // Rare (a folder holding two full versions of one agreement): JSON, decoded only when present.
        w.optional(superseded.isEmpty ? nil : (try? JSONEncoder().encode(superseded)).map { String(decoding: $0, as: UTF8.self) })
        return w.bytes
    }

    init(record b: UnsafeRawBufferPointer) {
        var r = RecordReader(b)
        let name = r.string(), loose = r.bool(), score = r.int(), risk = RiskLevel(rawValue: r.string()) ?? .critical
        let documents = r.int(), errors = r.int()
        var counts: [String: Int] = [:]
        for s in VendorSummary.severities { let n = r.int(); if n >= 0 { counts[s.rawValue] = n } }
        let flags = VendorFlags(aiTraining: r.string(), breachNotification: r.string(), subcontractors: r.string(), aiVendor: r.optional())
        let worst = r.optional().flatMap(Severity.init(rawValue:))
        let superseded = r.optional().flatMap { try? JSONDecoder().decode([SupersededVersion].self, from: Data($0.utf8)) } ?? []
        self.init(name: name, loose: loose, score: score, risk: risk, documents: documents, errors: errors, counts: counts, flags: flags,
                  worstSeverity: worst, superseded: superseded)
    }
}

extension BatchError {
    var record: [UInt8] {
        var w = RecordWriter()
        w.string(path); w.string(relativePath); w.string(vendor); w.string(reason)
        return w.bytes
    }

    init(record b: UnsafeRawBufferPointer) {
        var r = RecordReader(b)
        self.init(path: r.string(), relativePath: r.string(), vendor: r.string(), reason: r.string())
    }
}

/// The vendor summaries, worst first: in memory (`baa merge`, tests) or read from the spool's mapping.
public struct VendorSummaries: RandomAccessCollection {
    struct Entry {
        var name: String; var score: Int; var offset: Int; var length: Int
        /// Where the vendor's full report (JSON) sits in the spool.
        var reportOffset: UInt64 = 0; var reportLength = 0
    }
    private let memory: [VendorSummary]
    private let file: RecordFile?
    let entries: [Entry]

    public init(_ summaries: [VendorSummary]) { memory = summaries; file = nil; entries = [] }
    init(file: RecordFile, entries: [Entry]) { memory = []; self.file = file; self.entries = entries }

    public var startIndex: Int { 0 }
    public var endIndex: Int { file == nil ? memory.count : entries.count }
    public subscript(i: Int) -> VendorSummary {
        guard let file else { return memory[i] }
        return file.record(at: entries[i].offset, length: entries[i].length).withUnsafeBytes { VendorSummary(record: $0) }
    }
    /// The names in order, without decoding the summaries.
    public var names: [String] { file == nil ? memory.map(\.name) : entries.map(\.name) }
}

/// The files that could not be reviewed, in folder order: in memory or read from the spool's mapping.
public struct BatchErrors: RandomAccessCollection {
    struct Entry { var offset: Int; var length: Int }
    private let memory: [BatchError]
    private let file: RecordFile?
    private let entries: [Entry]

    public init(_ errors: [BatchError]) { memory = errors; file = nil; entries = [] }
    init(file: RecordFile, entries: [Entry]) { memory = []; self.file = file; self.entries = entries }

    public var startIndex: Int { 0 }
    public var endIndex: Int { file == nil ? memory.count : entries.count }
    public subscript(i: Int) -> BatchError {
        guard let file else { return memory[i] }
        return file.record(at: entries[i].offset, length: entries[i].length).withUnsafeBytes { BatchError(record: $0) }
    }
}
