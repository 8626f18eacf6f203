import BAAUtil
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One file the walk found, with the vendor it belongs to.
public struct BatchFile: Sendable, Equatable {
    /// The path as given (root joined with the relative path): used in messages and reports.
    public var path: String
    /// Relative to the batch root, "/"-separated.
    public var relativePath: String
    /// The vendor key: the first `vendorDepth` folders of the relative path, or the file itself for loose files.
    public var vendor: String
    /// True for a file with fewer folders above it than the vendor depth (reviewed on its own).
    public var loose: Bool
    /// Set when the walk already knows the file cannot be read (not a regular file, broken link, link loop).
    public var problem: String?
}

/// Something the walk passed over on purpose, with the reason (hidden, already visited through a link).
public struct SkippedPath: Codable, Sendable, Equatable {
    public var path: String
    public var reason: String
}

/// Walks a folder recursively: sorted, deterministic, hidden entries skipped, symbolic links followed
/// once (a folder reached again through a link is skipped, so link loops end), special files and broken
/// links recorded as files with a problem rather than dropped.
public struct FolderWalker {
    public var vendorDepth: Int = 1
    public var include: [String] = []
    public var exclude: [String] = []
    public var includeHidden = false
    /// Names never reviewed unless --no-default-excludes: notes that sit beside the agreements.
    public static let defaultExcludes = ["README", "README.*", "Readme.*", "readme.*"]
    /// Absolute paths the batch itself writes (output, audit log, ticket state): never reviewed.
    public var ownFiles: Set<String> = []

    public init(vendorDepth: Int = 1, include: [String] = [], exclude: [String] = [], includeHidden: Bool = false) {
        self.vendorDepth = vendorDepth; self.include = include; self.exclude = exclude; self.includeHidden = includeHidden
    }

    public struct Result: Sendable {
        public var files: [BatchFile] = []
        public var skipped: [SkippedPath] = []
        /// Files left out by --include/--exclude (not reviewed, not errors).
        public var excluded = 0
    }

    struct DirID: Hashable { let dev: UInt64; let ino: UInt64 }

    /// Walks `root`. Throws only when the root itself cannot be read.
    public func walk(root: String) throws -> Result {
        var st = stat()
        guard RawPath.statPath(root, &st) == 0 else { throw WalkError(path: root, reason: String(cString: strerror(errno))) }
        var result = Result()
        if (st.st_mode & S_IFMT) != S_IFDIR {
            let name = (root as NSString).lastPathComponent
            result.files.append(BatchFile(path: root, relativePath: name, vendor: name, loose: true, problem: FolderWalker.problem(mode: st.st_mode)))
            return result
        }
        var visited: Set<DirID> = [DirID(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))]
        visit(dir: root, relative: [], visited: &visited, into: &result)
        return result
    }

    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    func join(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }

    private func visit(dir: String, relative: [String], visited: inout Set<DirID>, into result: inout Result) {
        let names: [String]
        if let listed = RawPath.listDirectory(dir) { names = listed.sorted() } else {
            let rel = relative.joined(separator: "/")
            result.files.append(BatchFile(path: dir, relativePath: rel, vendor: vendorKey(relative + [""]), loose: false,
                                          problem: "cannot list the folder: \(String(cString: strerror(errno)))"))
            return
        }
        for name in names {
            let path = join(dir, name)
            let relParts = relative + [name]
            let rel = relParts.joined(separator: "/")
            if ownFiles.contains(FolderWalker.absolute(path)) {
                result.skipped.append(SkippedPath(path: path, reason: "written by this batch"))
                continue
            }
            if name.hasPrefix(".") && !includeHidden {
                result.skipped.append(SkippedPath(path: path, reason: "hidden"))
                continue
            }
            var lst = stat()
            guard RawPath.lstatPath(path, &lst) == 0 else {
                result.files.append(file(path, relParts, problem: "cannot stat: \(String(cString: strerror(errno)))"))
                continue
            }
            var st = lst
            if (lst.st_mode & S_IFMT) == S_IFLNK {
                if RawPath.statPath(path, &st) != 0 {
                    let e = errno
                    if matches(rel, name, exclude) { result.excluded += 1; continue }
                    result.files.append(file(path, relParts, problem: e == ELOOP ? "symbolic link loop" : "broken symbolic link (\(String(cString: strerror(e))))"))
                    continue
                }
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                if matches(rel, name, exclude) { result.excluded += 1; continue }
                let id = DirID(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))
                if visited.contains(id) {
                    result.skipped.append(SkippedPath(path: path, reason: "folder already visited (symbolic link loop or second link)"))
                    continue
                }
                visited.insert(id)
                visit(dir: path, relative: relParts, visited: &visited, into: &result)
                continue
            }
            if matches(rel, name, exclude) || (!include.isEmpty && !matches(rel, name, include)) { result.excluded += 1; continue }
            result.files.append(file(path, relParts, problem: FolderWalker.problem(mode: st.st_mode)))
        }
    }

    private func file(_ path: String, _ rel: [String], problem: String?) -> BatchFile {
        let loose = rel.count <= vendorDepth
        return BatchFile(path: path, relativePath: rel.joined(separator: "/"), vendor: loose ? rel.joined(separator: "/") : vendorKey(rel),
                         loose: loose, problem: problem)
    }

    private func vendorKey(_ rel: [String]) -> String { rel.prefix(vendorDepth).joined(separator: "/") }

    static func problem(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "not a regular file (named pipe)"
        case S_IFSOCK: return "not a regular file (socket)"
        case S_IFCHR, S_IFBLK: return "not a regular file (device)"
        default: return "not a regular file"
        }
    }

    /// A pattern with a "/" matches the relative path ("*" crosses folders), one without matches the name.
    func matches(_ rel: String, _ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { p in
            if p.contains("/") { return fnmatch(p.replacingOccurrences(of: "**", with: "*"), rel, 0) == 0 }
            return fnmatch(p, name, 0) == 0
        }
    }
}

public struct WalkError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot read the folder: \(reason)" }
}

/// Deterministic work split for `--shard K/N`: a vendor's documents always land in the same shard
/// (the vendor view needs all of them), chosen by FNV-1a of the vendor key.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int  // 1-based
    public var count: Int
    public init(index: Int, count: Int) { self.index = index; self.count = count }

    /// Parses "K/N" with 1 <= K <= N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        index = k; count = n
    }

    public var description: String { "\(index)/\(count)" }

    public static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
        return h
    }

    public func contains(vendor: String) -> Bool { Int(Shard.hash(vendor) % UInt64(count)) == index - 1 }
}
