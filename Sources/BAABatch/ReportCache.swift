import BAAReview
import BAAUtil
import Foundation

/// Reports keyed by the file's SHA-256 and everything else that decides a review: the clause library's
/// sha256, the playbook, the tool version and the extraction options. Entries are JSON written atomically
/// (`<dir>/<key[0..2]>/<key>.json`); a corrupt or unreadable entry is a miss, never an error. A hit refreshes the
/// entry's modification time, so `prune` removes only what no run has used for a while (entries of an older clause
/// library, playbook or tool are never hit again).
///
/// Entries are authenticated: each file is a header line `baa-cache-v2 <HMAC-SHA256 hex>` then the JSON, the HMAC
/// taken over the entry's key and its JSON with a per-cache secret (`<dir>/secret`, 32 random bytes, mode 0600,
/// made on first use). An entry edited by hand (a score set to 100, a finding removed), damaged, written for
/// another key or by another cache is a miss: the file is reviewed again, the entry rewritten, and the run warns
/// once (`rejected`). Whoever can read the secret can forge an entry: it guards against edits and damage, not
/// against someone with the cache owner's rights.
public struct ReportCache: Sendable {
    public struct Entry: Codable, Sendable {
        public var key: String
        public var dating: DocumentDating
        public var report: Report
    }

    public let directory: String
    /// Everything but the file's hash, hashed once.
    public let context: String
    /// The per-cache secret; nil when the cache folder cannot be used (then nothing is read or written).
    let secret: [UInt8]?
    /// Entries that failed their check this run.
    public let rejected = Rejections()

    static let magic = "baa-cache-v2 "

    /// Entries are renamed into place without an fsync each (that cost 11% of a batch's CPU and 16% of its wall
    /// time, issue 17); every `syncEvery` entries, and at the end of a run (`sync()`), one syncfs makes the group
    /// durable. A process killed mid-run leaves whole entries or none (the rename is atomic); a power loss can lose
    /// the last group or leave an entry empty or torn, which its HMAC rejects: a miss, reviewed again.
    public static let syncEvery = 64
    /// Entries written since the last sync.
    let unsynced = Unsynced()

    public final class Unsynced: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        /// Counts one entry; true when the group is full (the counter is reset: the caller syncs).
        func add(every: Int) -> Bool { lock.lock(); defer { lock.unlock() }; n += 1; if n >= every { n = 0; return true }; return false }
        func take() -> Bool { lock.lock(); defer { lock.unlock() }; let any = n > 0; n = 0; return any }
    }

    /// Makes the entries written since the last sync durable (the end of a run).
    public func sync() {
        if unsynced.take() { AtomicFile.syncFileSystem(holding: directory) }
    }

    /// A thread-safe tally of entries that failed their check, with the first one's path.
    public final class Rejections: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        private var firstPath: String?
        func add(_ path: String) { lock.lock(); n += 1; if firstPath == nil { firstPath = path }; lock.unlock() }
        public var count: Int { lock.lock(); defer { lock.unlock() }; return n }
        public var first: String? { lock.lock(); defer { lock.unlock() }; return firstPath }
    }

    public init(directory: String, librarySHA256: String, playbookSHA256: String, toolVersion: String, extraction: String) {
        self.directory = directory
        self.context = SHA256.hex(Array("\(librarySHA256)\u{1F}\(playbookSHA256)\u{1F}\(toolVersion)\u{1F}\(extraction)".utf8))
        self.secret = ReportCache.secret(in: directory)
    }

    /// Reads the cache's secret, making it (O_EXCL, 0600) when there is none yet.
    static func secret(in directory: String) -> [UInt8]? {
        let path = directory + "/secret"
        func read() -> [UInt8]? {
            guard let d = FileManager.default.contents(atPath: path), d.count == 32 else { return nil }
            return [UInt8](d)
        }
        if let s = read() { return s }
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let tmp = Temporaries.siblingName(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        let ok = (try? SafeIO.writeAll(fd, Data(bytes), path: tmp)) != nil && fsync(fd) == 0
        close(fd)
        // link(2) fails if another run made the secret first: then that one is used.
        if ok { _ = link(tmp, path) }
        unlink(tmp)
        return read()
    }

    /// HMAC-SHA256 (RFC 2104) of the entry's key and JSON.
    static func mac(secret: [UInt8], key: String, body: Data) -> String {
        var k = secret + [UInt8](repeating: 0, count: 64 - secret.count)
        let inner = SHA256.digest(k.map { $0 ^ 0x36 } + Array(key.utf8) + [0x0A] + [UInt8](body))
        k = k.map { $0 ^ 0x5C }
        return SHA256.hex(k + inner)
    }

    public func key(fileSHA256: String) -> String { SHA256.hex(Array("\(fileSHA256)\u{1F}\(context)".utf8)) }

    func path(for key: String) -> String { "\(directory)/\(key.prefix(2))/\(key).json" }

    public func load(fileSHA256: String) -> Entry? {
        guard let secret else { return nil }
        let k = key(fileSHA256: fileSHA256)
        let p = path(for: k)
        guard let data = FileManager.default.contents(atPath: p) else { return nil }
        if data.first == UInt8(ascii: "{") { return nil }  // an entry of the unauthenticated format: a plain miss
        // Header line, then the JSON; the MAC must match before a byte of the JSON is trusted.
        guard let nl = data.firstIndex(of: 0x0A),
              let header = String(data: data[data.startIndex..<nl], encoding: .utf8), header.hasPrefix(ReportCache.magic),
              header.dropFirst(ReportCache.magic.count) == ReportCache.mac(secret: secret, key: k, body: data[(nl + 1)...]),
              let e = try? JSONDecoder().decode(Entry.self, from: data[(nl + 1)...]), e.key == k else {
            rejected.add(p)
            return nil
        }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: p)
        return e
    }

    /// Removes the entries not used (read or written) in the last `maxAge` seconds: only files named like an entry
    /// (`<2 hex>/<64 hex>.json`) in this cache's folder. Returns how many were removed.
    public static func prune(directory: String, maxAge: TimeInterval, now: Date = Date()) -> Int {
        let fm = FileManager.default
        func isHex(_ s: Substring) -> Bool { s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } }
        var removed = Temporaries.sweepStale(in: directory)
        for sub in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where sub.utf8.count == 2 && isHex(sub[...]) {
            let folder = directory + "/" + sub
            removed += Temporaries.sweepStale(in: folder)  // a write killed between its temporary and the rename
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] {
                guard name.hasSuffix(".json"), name.utf8.count == 69, name.hasPrefix(sub), isHex(name.dropLast(5)) else { continue }
                let file = folder + "/" + name
                guard let modified = (try? fm.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                      now.timeIntervalSince(modified) > maxAge else { continue }
                if (try? fm.removeItem(atPath: file)) != nil { removed += 1 }
            }
        }
        return removed
    }

    public func store(fileSHA256: String, dating: DocumentDating, report: Report) {
        let k = key(fileSHA256: fileSHA256)
        let p = path(for: k)
        do {
            try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            guard let secret else { return }
            let body = try enc.encode(Entry(key: k, dating: dating, report: report))
            try AtomicFile.write(Data((ReportCache.magic + ReportCache.mac(secret: secret, key: k, body: body) + "\n").utf8) + body, to: p,
                                 durable: false)
            if unsynced.add(every: ReportCache.syncEvery) { AtomicFile.syncFileSystem(holding: directory) }
        } catch {
            // A cache that cannot be written only costs time on the next run.
        }
    }
}
