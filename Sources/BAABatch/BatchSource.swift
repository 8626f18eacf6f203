import BAAClauses
import BAAReport
import BAAReview
import BAAUtil
import Foundation

/// What the vendor table needs of a vendor, kept in memory while the full vendor report waits on disk.
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

    /// Worst first: score, then name.
    public static func worstFirst(_ a: VendorSummary, _ b: VendorSummary) -> Bool { (a.score, a.name) < (b.score, b.name) }
}

/// A batch result the printers read one vendor and one document at a time: either all in memory
/// (`BatchReport`, e.g. after `baa merge`) or spooled to disk by the runner (`SpooledBatch`).
public protocol BatchSource {
    var info: BatchInfo { get }
    /// Worst first.
    var vendorSummaries: [VendorSummary] { get }
    var errors: [BatchError] { get }
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
    public var vendorSummaries: [VendorSummary] { vendors.map(VendorSummary.init) }
    public func forEachVendor(_ body: (VendorReport) throws -> Void) throws { for v in vendors { try body(v) } }
    public func forEachDocument(_ body: (BatchDocument) throws -> Void) throws { for d in documents { try body(d) } }
}

/// Vendor reports and documents written to temporary files as they are finished, so memory holds only
/// the reviews in flight, the summaries and the errors, whatever the folder's size. Entries are pretty
/// JSON with sorted keys, ready to be copied into the output. The folder is hidden, mode 0700 (files 0600),
/// registered with `Temporaries` (a signal removes it) and swept by a later run if this one is killed.
public final class Spool {
    public let directory: String
    private let vendorFD: Int32
    private let documentFD: Int32
    private let vendorPath: String
    private let documentPath: String
    private var vendorOffset: UInt64 = 0
    private var documentOffset: UInt64 = 0
    private(set) var vendorIndex: [String: (UInt64, Int)] = [:]
    private(set) var documentIndex: [(String, UInt64, Int)] = []
    private let encoder = JSONReporter.encoder()

    public init(parent: String? = nil) throws {
        let base = parent ?? NSTemporaryDirectory()
        directory = (base as NSString).appendingPathComponent(".baa-batch-spool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(directory, 0o700) == 0 else { throw SpoolError(message: IOFailure(path: directory, action: "create the spool folder", code: errno).description) }
        vendorPath = directory + "/vendors"
        documentPath = directory + "/documents"
        Temporaries.register(vendorPath)
        Temporaries.register(documentPath)
        Temporaries.register(directory)
        let v = open(vendorPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        let d = v < 0 ? -1 : open(documentPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard v >= 0, d >= 0 else {
            let e = errno
            if v >= 0 { close(v) }
            Spool.remove(directory, vendorPath, documentPath)
            throw SpoolError(message: IOFailure(path: directory, action: "create the spool files", code: e).description)
        }
        vendorFD = v
        documentFD = d
    }

    static func remove(_ directory: String, _ files: String...) {
        for f in files { unlink(f); Temporaries.unregister(f) }
        rmdir(directory)
        Temporaries.unregister(directory)
    }

    deinit {
        close(vendorFD)
        close(documentFD)
        Spool.remove(directory, vendorPath, documentPath)
    }

    public func add(vendor v: VendorReport) throws {
        let data = try encoder.encode(v)
        do { try SafeIO.pwriteAll(vendorFD, data, at: vendorOffset, path: vendorPath) } catch { throw SpoolError(message: "\(error)") }
        vendorIndex[v.name] = (vendorOffset, data.count)
        vendorOffset += UInt64(data.count)
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

    /// The pretty JSON of a vendor, as spooled.
    public func vendorJSON(_ name: String) throws -> Data? {
        guard let (o, n) = vendorIndex[name] else { return nil }
        return try read(vendorFD, vendorPath, o, n)
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

/// The runner's result: summaries, errors and skipped paths in memory; vendors and documents in a spool.
public final class SpooledBatch: BatchSource {
    public var info: BatchInfo
    public let vendorSummaries: [VendorSummary]
    public let errors: [BatchError]
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

    init(info: BatchInfo, vendorSummaries: [VendorSummary], errors: [BatchError], skipped: [SkippedPath], spool: Spool, hasDocuments: Bool) {
        self.info = info; self.vendorSummaries = vendorSummaries; self.errors = errors; self.skipped = skipped
        self.spool = spool; self.hasDocuments = hasDocuments
    }

    public func forEachVendor(_ body: (VendorReport) throws -> Void) throws {
        let decoder = JSONDecoder()
        for s in vendorSummaries {
            guard let data = try spool.vendorJSON(s.name) else { continue }
            try body(try decoder.decode(VendorReport.self, from: data))
        }
    }

    public func forEachDocument(_ body: (BatchDocument) throws -> Void) throws {
        let decoder = JSONDecoder()
        try spool.forEachDocumentJSON { try body(try decoder.decode(BatchDocument.self, from: $0)) }
    }

    public func forEachVendorJSON(_ body: (Data) throws -> Void) throws {
        for s in vendorSummaries { if let data = try spool.vendorJSON(s.name) { try body(data) } }
    }

    public func forEachDocumentJSON(_ body: (Data) throws -> Void) throws { try spool.forEachDocumentJSON(body) }

    /// Everything in memory (tests, small folders).
    public func report() throws -> BatchReport {
        var vendors: [VendorReport] = [], documents: [BatchDocument] = []
        try forEachVendor { vendors.append($0) }
        try forEachDocument { documents.append($0) }
        return BatchReport(batch: info, vendors: vendors, documents: documents, errors: errors, skipped: skipped)
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
        let h = open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard h >= 0 else { throw SpoolError(message: IOFailure(path: path, code: errno).description) }
        Temporaries.register(t)
        tmp = t
        fd = h
    }

    deinit {
        if let tmp, !committed { close(fd); unlink(tmp); Temporaries.unregister(tmp) }
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
            unlink(tmp)
            Temporaries.unregister(tmp)
            throw SpoolError(message: IOFailure(path: path, code: e).description)
        }
        defer { Temporaries.unregister(tmp) }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw SpoolError(message: IOFailure(path: path, code: e).description)
        }
    }
}
