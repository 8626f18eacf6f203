import BAAReview
import BAAUtil
import Foundation

/// Reports keyed by the file's SHA-256 and everything else that decides a review: the clause library's
/// sha256, the playbook, the tool version and the extraction options. Entries are JSON written atomically
/// (`<dir>/<key[0..2]>/<key>.json`); a corrupt or unreadable entry is a miss, never an error. A hit refreshes the
/// entry's modification time, so `prune` removes only what no run has used for a while (entries of an older clause
/// library, playbook or tool are never hit again).
public struct ReportCache: Sendable {
    public struct Entry: Codable, Sendable {
        public var key: String
        public var dating: DocumentDating
        public var report: Report
    }

    public let directory: String
    /// Everything but the file's hash, hashed once.
    public let context: String

    public init(directory: String, librarySHA256: String, playbookSHA256: String, toolVersion: String, extraction: String) {
        self.directory = directory
        self.context = SHA256.hex(Array("\(librarySHA256)\u{1F}\(playbookSHA256)\u{1F}\(toolVersion)\u{1F}\(extraction)".utf8))
    }

    public func key(fileSHA256: String) -> String { SHA256.hex(Array("\(fileSHA256)\u{1F}\(context)".utf8)) }

    func path(for key: String) -> String { "\(directory)/\(key.prefix(2))/\(key).json" }

    public func load(fileSHA256: String) -> Entry? {
        let k = key(fileSHA256: fileSHA256)
        let p = path(for: k)
        guard let data = FileManager.default.contents(atPath: p),
              let e = try? JSONDecoder().decode(Entry.self, from: data), e.key == k else { return nil }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: p)
        return e
    }

    /// Removes the entries not used (read or written) in the last `maxAge` seconds: only files named like an entry
    /// (`<2 hex>/<64 hex>.json`) in this cache's folder. Returns how many were removed.
    public static func prune(directory: String, maxAge: TimeInterval, now: Date = Date()) -> Int {
        let fm = FileManager.default
        func isHex(_ s: Substring) -> Bool { s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } }
        var removed = 0
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
            try AtomicFile.write(enc.encode(Entry(key: k, dating: dating, report: report)), to: p)
        } catch {
            // A cache that cannot be written only costs time on the next run.
        }
    }
}
