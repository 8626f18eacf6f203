import BAAClauses
import BAAReport
import BAAReview
import BAAUtil
import Foundation

/// What the vendor table needs of a vendor. The runner spools it (SpooledRecords.swift) beside the full vendor
/// report, so neither stays in memory.
public struct VendorSummary: Sendable, Equatable {
    public var name: String
    public var loose: Bool
    public var score: Int
    public var risk: RiskLevel
    public var documents: Int
    public var errors: Int
    public var counts: [String: Int]
    public var flags: VendorFlags
    public var worstSeverity: Severity?
    /// Earlier full versions replaced by later ones.
    public var superseded: [SupersededVersion]

    public init(_ v: VendorReport) {
        name = v.name; loose = v.loose; score = v.score; risk = v.risk; documents = v.documents.count; errors = v.errors.count
        counts = v.counts; flags = v.flags; worstSeverity = v.worstSeverity; superseded = v.superseded ?? []
    }

    init(name: String, loose: Bool, score: Int, risk: RiskLevel, documents: Int, errors: Int, counts: [String: Int],
         flags: VendorFlags, worstSeverity: Severity?, superseded: [SupersededVersion]) {
        self.name = name; self.loose = loose; self.score = score; self.risk = risk; self.documents = documents
        self.errors = errors; self.counts = counts; self.flags = flags; self.worstSeverity = worstSeverity
        self.superseded = superseded
    }

    /// Worst first: score, then name.
    public static func worstFirst(_ a: VendorSummary, _ b: VendorSummary) -> Bool { (a.score, a.name) < (b.score, b.name) }
}

/// A batch result the printers read one vendor and one document at a time: either all in memory
/// (`BatchReport`, e.g. after `baa merge`) or spooled to disk by the runner (`SpooledBatch`).
public protocol BatchSource {
    var info: BatchInfo { get }
    /// Worst first.
    var vendorSummaries: VendorSummaries { get }
    /// The files that could not be reviewed, in folder order.
    var errorList: BatchErrors { get }
    var skipped: [SkippedPath] { get }
    /// Rule errors met while reviewing (a clause pattern that hit a PCRE2 resource limit), for the table.
    var ruleWarnings: [RuleWarning] { get }
    /// Vendors worst first.
    func forEachVendor(_ body: (VendorReport) throws -> Void) throws
    /// Documents by relative path.
    func forEachDocument(_ body: (BatchDocument) throws -> Void) throws
    /// The same, as pretty JSON with sorted keys (a spool hands over what it stored).
    func forEachVendorJSON(_ body: (Data) throws -> Void) throws
    func forEachDocumentJSON(_ body: (Data) throws -> Void) throws
}

/// A rule that could not finish on a document: the verdicts it decides may be missing there.
public struct RuleWarning: Sendable, Equatable {
    public var path: String
    public var message: String
}

extension BatchSource {
    public var ruleWarnings: [RuleWarning] { [] }
    public func forEachVendorJSON(_ body: (Data) throws -> Void) throws {
        let enc = JSONReporter.encoder()
        try forEachVendor { try body(try enc.encode($0)) }
    }

    public func forEachDocumentJSON(_ body: (Data) throws -> Void) throws {
        let enc = JSONReporter.encoder()
        try forEachDocument { try body(try enc.encode($0)) }
    }
}

extension BatchReport: BatchSource {
    public var info: BatchInfo { batch }
    public var vendorSummaries: VendorSummaries { VendorSummaries(vendors.map(VendorSummary.init)) }
    public var errorList: BatchErrors { BatchErrors(errors) }
    public func forEachVendor(_ body: (VendorReport) throws -> Void) throws { for v in vendors { try body(v) } }
    public func forEachDocument(_ body: (BatchDocument) throws -> Void) throws { for d in documents { try body(d) } }
}

/// Vendor reports and documents written to temporary files as they are finished, so memory holds only
/// the reviews in flight and small indexes, whatever the folder's size. Vendor reports and documents are
/// pretty JSON with sorted keys, ready to be copied into the output; vendor summaries and errors are compact
/// records (SpooledRecords.swift). The folder is hidden, mode 0700 (files 0600), registered with `Temporaries`
/// (a signal removes it) and swept by a later run if this one is killed.
public final class Spool {
    public let directory: String
    private let vendorFD: Int32
    private let documentFD: Int32
    private let vendorPath: String
    private let documentPath: String
    private var vendorOffset: UInt64 = 0
    private var documentOffset: UInt64 = 0
    private(set) var documentIndex: [(String, UInt64, Int)] = []
    let summaryRecords: RecordFile
    let errorRecords: RecordFile
    private var summaryEntries: [VendorSummaries.Entry] = []
    /// Errors by their file's place in the walk.
    private var errorEntries: [(order: Int, entry: BatchErrors.Entry)] = []
    private let encoder = JSONReporter.encoder()

    public init(parent: String? = nil) throws {
        let base = parent ?? NSTemporaryDirectory()
        directory = (base as NSString).appendingPathComponent(".baa-batch-spool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(RawPath.cString(directory), 0o700) == 0 else { throw SpoolError(message: IOFailure(path: directory, action: "create the spool folder", code: errno).description) }
        vendorPath = directory + "/vendors"
        documentPath = directory + "/documents"
        Temporaries.register(vendorPath)
        Temporaries.register(documentPath)
        Temporaries.register(directory)
        let v = open(RawPath.cString(vendorPath), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        let d = v < 0 ? -1 : open(RawPath.cString(documentPath), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard v >= 0, d >= 0 else {
            let e = errno
            if v >= 0 { close(v) }
            Spool.remove(directory, vendorPath, documentPath)
            throw SpoolError(message: IOFailure(path: directory, action: "create the spool files", code: e).description)
        }
        vendorFD = v
        documentFD = d
        do {
            summaryRecords = try RecordFile(path: directory + "/summaries")
            do { errorRecords = try RecordFile(path: directory + "/errors") } catch {
                // summaryRecords is not yet a stored property of a finished init: remove its file by hand.
                unlink(RawPath.cString(directory + "/summaries")); Temporaries.unregister(directory + "/summaries")
                throw error
            }
        } catch {
            close(v); close(d)
            Spool.remove(directory, vendorPath, documentPath)
            throw error
        }
    }

    static func remove(_ directory: String, _ files: String...) {
        for f in files { unlink(RawPath.cString(f)); Temporaries.unregister(f) }
        rmdir(RawPath.cString(directory))
        Temporaries.unregister(directory)
    }

    deinit {
        close(vendorFD)
        close(documentFD)
        // The record files remove themselves (RecordFile.deinit) before the folder can go: remove it last.
        unlink(RawPath.cString(vendorPath)); Temporaries.unregister(vendorPath)
        unlink(RawPath.cString(documentPath)); Temporaries.unregister(documentPath)
        unlink(RawPath.cString(summaryRecords.path)); unlink(RawPath.cString(errorRecords.path))
        rmdir(RawPath.cString(directory))
        Temporaries.unregister(directory)
    }

    /// Spools a finished vendor: its report (JSON) and its summary (a record).
    public func add(vendor v: VendorReport) throws {
        let data = try encoder.encode(v)
        do { try SafeIO.pwriteAll(vendorFD, data, at: vendorOffset, path: vendorPath) } catch { throw SpoolError(message: "\(error)") }
        let summary = VendorSummary(v), record = summary.record
        let at = try summaryRecords.append(record)
        summaryEntries.append(.init(name: v.name, score: v.score, offset: at, length: record.count,
                                    reportOffset: vendorOffset, reportLength: data.count))
        vendorOffset += UInt64(data.count)
    }

    /// Spools an error; `order` is its file's place in the walk (errors are listed in folder order).
    func add(error e: BatchError, order: Int) throws {
        let record = e.record
        let at = try errorRecords.append(record)
        errorEntries.append((order, .init(offset: at, length: record.count)))
    }

    public func add(document d: BatchDocument) throws {
        let data = try encoder.encode(d)
        do { try SafeIO.pwriteAll(documentFD, data, at: documentOffset, path: documentPath) } catch { throw SpoolError(message: "\(error)") }
        documentIndex.append((d.relativePath, documentOffset, data.count))
        documentOffset += UInt64(data.count)
    }

    func read(_ fd: Int32, _ path: String, _ offset: UInt64, _ length: Int) throws -> Data {
        do { return try SafeIO.preadAll(fd, length: length, at: offset, path: path) } catch { throw SpoolError(message: "\(error)") }
    }

    /// The summaries worst first and the errors in folder order, read back from the record files.
    func finish() -> (VendorSummaries, BatchErrors) {
        let summaries = summaryEntries.sorted { ($0.score, $0.name) < ($1.score, $1.name) }
        let errors = errorEntries.sorted { $0.order < $1.order }.map(\.entry)
        summaryEntries = []; errorEntries = []
        return (VendorSummaries(file: summaryRecords, entries: summaries), BatchErrors(file: errorRecords, entries: errors))
    }

    /// The pretty JSON of a vendor, as spooled.
    func vendorJSON(_ entry: VendorSummaries.Entry) throws -> Data {
        try read(vendorFD, vendorPath, entry.reportOffset, entry.reportLength)
    }

    /// The pretty JSON of every document, by relative path.
    public func forEachDocumentJSON(_ body: (Data) throws -> Void) throws {
        for (_, o, n) in documentIndex.sorted(by: { $0.0 < $1.0 }) { try body(try read(documentFD, documentPath, o, n)) }
    }
}

public struct SpoolError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The runner's result: the skipped paths in memory; vendors, summaries, errors and documents in a spool.
public final class SpooledBatch: BatchSource {
    public var info: BatchInfo
    public let vendorSummaries: VendorSummaries
    public let errorList: BatchErrors
    public let skipped: [SkippedPath]
    public let spool: Spool
    /// Documents were spooled (only when an output needs them).
    public let hasDocuments: Bool
    /// Cache entries removed after the run for being unused (`BatchOptions.cacheMaxAgeDays`).
    public internal(set) var cacheEntriesPruned = 0
    public internal(set) var ruleWarnings: [RuleWarning] = []
    /// Rule warnings beyond the first `BatchRunner.maxRuleWarnings` (counted, not kept).
    public internal(set) var ruleWarningsDropped = 0
    /// Cache entries that failed their integrity check (edited or damaged) and were reviewed again, and the first one.
    public internal(set) var cacheEntriesRejected: (count: Int, first: String)?

    init(info: BatchInfo, skipped: [SkippedPath], spool: Spool, hasDocuments: Bool) {
        self.info = info; self.skipped = skipped
        self.spool = spool; self.hasDocuments = hasDocuments
        (vendorSummaries, errorList) = spool.finish()
    }

    /// A spooled summary or error that could not be read back: what was printed from it is wrong, so the
    /// command reports this instead of committing its output.
    public var spoolFailure: IOFailure? { spool.summaryRecords.failure ?? spool.errorRecords.failure }

    public func forEachVendor(_ body: (VendorReport) throws -> Void) throws {
        let decoder = JSONDecoder()
        try forEachVendorJSON { try body(try decoder.decode(VendorReport.self, from: $0)) }
    }

    public func forEachDocument(_ body: (BatchDocument) throws -> Void) throws {
        let decoder = JSONDecoder()
        try spool.forEachDocumentJSON { try body(try decoder.decode(BatchDocument.self, from: $0)) }
    }

    public func forEachVendorJSON(_ body: (Data) throws -> Void) throws {
        for entry in vendorSummaries.entries { try body(try spool.vendorJSON(entry)) }
    }

    public func forEachDocumentJSON(_ body: (Data) throws -> Void) throws { try spool.forEachDocumentJSON(body) }

    /// Everything in memory (tests, small folders).
    public func report() throws -> BatchReport {
        var vendors: [VendorReport] = [], documents: [BatchDocument] = []
        try forEachVendor { vendors.append($0) }
        try forEachDocument { documents.append($0) }
        return BatchReport(batch: info, vendors: vendors, documents: documents, errors: Array(errorList), skipped: skipped)
    }
}

/// Text written as it comes: to standard output, or to a temporary file (hidden, 0600, registered with
/// `Temporaries`) renamed over the destination at `commit()` (so --output is replaced atomically, whatever the
/// size). Every write is checked: the first failure (a full disk, a closed pipe) is kept, later writes are
/// dropped, `failure` says so at once and `commit()` throws it (one line naming the path and the errno's words).
public final class TextSink {
    let path: String?
    let tmp: String?
    let fd: Int32
    private var buffer = Data()
    private var committed = false
    public private(set) var failure: IOFailure?
    /// Raw path bytes are shown as `\\xFF` (JSON) rather than `\xFF`.
    public var json = false

    public init(path: String?) throws {
        self.path = path
        guard let path else { tmp = nil; fd = STDOUT_FILENO; return }
        let t = Temporaries.siblingName(for: path)
        let h = open(RawPath.cString(t), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard h >= 0 else { throw SpoolError(message: IOFailure(path: path, code: errno).description) }
        Temporaries.register(t)
        tmp = t
        fd = h
    }

    deinit {
        if let tmp, !committed { close(fd); unlink(RawPath.cString(tmp)); Temporaries.unregister(tmp) }
    }

    var displayName: String { path ?? SafeIO.standardOutputName }

    public func write(_ s: String) { write(Data(s.utf8)) }

    public func write(_ d: Data) {
        guard failure == nil else { return }
        buffer.append(RawPath.display(d, json: json))
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        do { try SafeIO.writeAll(fd, buffer, path: displayName) } catch let e as IOFailure { failure = e } catch {}
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws {
        flush()
        if let failure { throw SpoolError(message: failure.description) }
        guard let path, let tmp else { return }
        guard fchmod(fd, SafeIO.defaultFileMode) == 0, fsync(fd) == 0 else {
            throw SpoolError(message: IOFailure(path: path, code: errno).description)
        }
        committed = true  // from here the descriptor is closed here, not in deinit
        guard close(fd) == 0 else {
            let e = errno
            unlink(RawPath.cString(tmp))
            Temporaries.unregister(tmp)
            throw SpoolError(message: IOFailure(path: path, code: e).description)
        }
        defer { Temporaries.unregister(tmp) }
        guard rename(RawPath.cString(tmp), RawPath.cString(path)) == 0 else {
            let e = errno
            unlink(RawPath.cString(tmp))
            throw SpoolError(message: IOFailure(path: path, code: e).description)
        }
    }
}
