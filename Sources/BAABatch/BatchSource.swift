import BAAClauses
import BAAReport
import BAAReview
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

    public init(_ v: VendorReport) {
        name = v.name; loose = v.loose; score = v.score; risk = v.risk; documents = v.documents.count; errors = v.errors.count
        counts = v.counts; flags = v.flags; worstSeverity = v.worstSeverity
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
    /// Vendors worst first.
    func forEachVendor(_ body: (VendorReport) throws -> Void) throws
    /// Documents by relative path.
    func forEachDocument(_ body: (BatchDocument) throws -> Void) throws
    /// The same, as pretty JSON with sorted keys (a spool hands over what it stored).
    func forEachVendorJSON(_ body: (Data) throws -> Void) throws
    func forEachDocumentJSON(_ body: (Data) throws -> Void) throws
}

extension BatchSource {
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
/// JSON with sorted keys, ready to be copied into the output.
public final class Spool {
    public let directory: String
    private let vendorFile: FileHandle
    private let documentFile: FileHandle
    private var vendorOffset: UInt64 = 0
    private var documentOffset: UInt64 = 0
    private(set) var vendorIndex: [String: (UInt64, Int)] = [:]
    private(set) var documentIndex: [(String, UInt64, Int)] = []
    private let encoder = JSONReporter.encoder()

    public init(parent: String? = nil) throws {
        let base = parent ?? NSTemporaryDirectory()
        directory = (base as NSString).appendingPathComponent(".baa-batch-spool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["vendors", "documents"] { _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: nil) }
        guard let v = FileHandle(forUpdatingAtPath: directory + "/vendors"), let d = FileHandle(forUpdatingAtPath: directory + "/documents") else {
            throw SpoolError(message: "\(directory): cannot create the spool files")
        }
        vendorFile = v
        documentFile = d
    }

    deinit {
        try? vendorFile.close()
        try? documentFile.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func add(vendor v: VendorReport) throws {
        let data = try encoder.encode(v)
        try vendorFile.seekToEnd()
        try vendorFile.write(contentsOf: data)
        vendorIndex[v.name] = (vendorOffset, data.count)
        vendorOffset += UInt64(data.count)
    }

    public func add(document d: BatchDocument) throws {
        let data = try encoder.encode(d)
        try documentFile.seekToEnd()
        try documentFile.write(contentsOf: data)
        documentIndex.append((d.relativePath, documentOffset, data.count))
        documentOffset += UInt64(data.count)
    }

    func read(_ h: FileHandle, _ offset: UInt64, _ length: Int) throws -> Data {
        try h.seek(toOffset: offset)
        return try h.read(upToCount: length) ?? Data()
    }

    /// The pretty JSON of a vendor, as spooled.
    public func vendorJSON(_ name: String) throws -> Data? {
        guard let (o, n) = vendorIndex[name] else { return nil }
        return try read(vendorFile, o, n)
    }

    /// The pretty JSON of every document, by relative path.
    public func forEachDocumentJSON(_ body: (Data) throws -> Void) throws {
        for (_, o, n) in documentIndex.sorted(by: { $0.0 < $1.0 }) { try body(try read(documentFile, o, n)) }
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

/// Text written as it comes: to standard output, or to a temporary file renamed over the destination at
/// `commit()` (so --output is replaced atomically, whatever the size).
public final class TextSink {
    let path: String?
    let tmp: String?
    let handle: FileHandle
    private var buffer = Data()
    private var committed = false

    public init(path: String?) throws {
        self.path = path
        guard let path else { tmp = nil; handle = FileHandle.standardOutput; return }
        let url = URL(fileURLWithPath: path)
        let t = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
            throw SpoolError(message: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
        tmp = t
        handle = h
    }

    deinit { if let tmp, !committed { try? handle.close(); unlink(tmp) } }

    public func write(_ s: String) { write(Data(s.utf8)) }

    public func write(_ d: Data) {
        buffer.append(d)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        if !buffer.isEmpty { handle.write(buffer); buffer.removeAll(keepingCapacity: true) }
    }

    public func commit() throws {
        flush()
        guard let path, let tmp else { return }
        guard fsync(handle.fileDescriptor) == 0 else { throw SpoolError(message: "\(path): cannot write: \(String(cString: strerror(errno)))") }
        try? handle.close()
        committed = true
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw SpoolError(message: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
