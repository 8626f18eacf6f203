import Foundation

/// Writes whole files atomically: a temporary file in the same folder (hidden, mode 0600, registered with
/// `Temporaries` so a signal removes it), fsync, then rename, so a crash never leaves half a report.
public enum AtomicFile {
    public typealias WriteError = IOFailure

    /// `durable: false` skips the fsync before the rename (the rename is still atomic for a killed process); the
    /// caller makes the writes durable in groups (`syncFileSystem`), as the report cache does.
    public static func write(_ data: Data, to path: String, durable: Bool = true) throws {
        let tmp = Temporaries.siblingName(for: path)
        let fd = open(RawPath.cString(tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IOFailure(path: path, code: errno) }
        Temporaries.register(tmp)
        defer { Temporaries.unregister(tmp) }
        var failure: Error?
        do {
            try SafeIO.writeAll(fd, data, path: path)
            guard fchmod(fd, SafeIO.defaultFileMode) == 0, !durable || fsync(fd) == 0 else { throw IOFailure(path: path, code: errno) }
        } catch { failure = error }
        // close(2) releases the descriptor even when it fails: closed exactly once.
        if close(fd) != 0, failure == nil { failure = IOFailure(path: path, code: errno) }
        // Raw bytes of a path that is not UTF-8 go back to the same bytes (RawPath).
        if let failure {
            unlink(RawPath.cString(tmp))
            throw failure
        }
        guard rename(RawPath.cString(tmp), RawPath.cString(path)) == 0 else {
            let e = errno
            unlink(RawPath.cString(tmp))
            throw IOFailure(path: path, code: e)
        }
    }

    /// Flushes everything written to the file system that holds `directory` (syncfs(2) on Linux; fsync of the
    /// folder elsewhere): one call for a group of `durable: false` writes. False when it could not be done.
    @discardableResult
    public static func syncFileSystem(holding directory: String) -> Bool {
        let fd = open(RawPath.cString(directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        #if os(Linux)
        return baa_syncfs(fd) == 0
        #else
        return fsync(fd) == 0
        #endif
    }

    public static func write(_ string: String, to path: String) throws {
        try write(Data(string.utf8), to: path)
    }

    /// Appends one line in one `write` and fsyncs it (audit logs). A log whose last line was torn (a full disk, a
    /// crash) is cut back to its last newline first, so the new line starts on a line of its own; a write that
    /// fails is cut back off, so the log holds whole lines only. Returns the number of bytes of a torn tail
    /// removed (0 almost always).
    @discardableResult
    public static func appendLine(_ line: String, to path: String) throws -> Int {
        var tip: ChainTip?
        return try appendLine(to: path, tip: &tip) { _ in line }
    }

    /// Where a log ended after this process's last append, and the SHA-256 of its last line: when the file still
    /// ends there, the next append need not read the line back.
    public struct ChainTip: Sendable { public var end: UInt64; public var lastLineSHA256: String }

    /// The same, with the line made from the SHA-256 of the log's last whole line (nil when the log is empty),
    /// under an exclusive `flock` so that two runs appending to one log chain their records one after the other.
    @discardableResult
    /// `sync: false` leaves the fsync to a later append (the caller groups them; a crash may then lose the
    /// unsynced tail, never tear a line in the middle of the log).
    public static func appendLine(to path: String, tip: inout ChainTip?, sync: Bool = true, _ make: (_ lastLineSHA256: String?) throws -> String) throws -> Int {
        let fd = open(RawPath.cString(path), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOFailure(path: path, code: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw IOFailure(path: path, code: errno) } }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOFailure(path: path, code: errno) }
        var size = UInt64(st.st_size)
        var repaired = 0
        if size > 0, try SafeIO.preadAll(fd, length: 1, at: size - 1, path: path).first != 0x0A {
            let end = try lastNewlineEnd(fd, size: size, path: path)
            if end < size {
                guard ftruncate(fd, off_t(end)) == 0 else { throw IOFailure(path: path, code: errno) }
                repaired = Int(size - end)
                size = end
            }
        }
        var last: String?
        if let tip, tip.end == size, repaired == 0 {
            last = tip.lastLineSHA256
        } else if size > 0 {
            // The last line: from the newline before the final one (or the start) to the final newline.
            let lineStart = try lastNewlineEnd(fd, size: size - 1, path: path)
            last = SHA256.hex(try SafeIO.preadAll(fd, length: Int(size - 1 - lineStart), at: lineStart, path: path))
        }
        let line = try make(last)
        let bytes = Data((line.hasSuffix("\n") ? line : line + "\n").utf8)
        do {
            try SafeIO.writeAll(fd, bytes, path: path)
            guard !sync || fsync(fd) == 0 else { throw IOFailure(path: path, code: errno) }
        } catch {
            _ = ftruncate(fd, off_t(size))  // whole lines only
            tip = nil
            throw error
        }
        tip = ChainTip(end: size + UInt64(bytes.count), lastLineSHA256: SHA256.hex(bytes.dropLast()))
        return repaired
    }

    /// The offset just past the last newline (0 when there is none).
    static func lastNewlineEnd(_ fd: Int32, size: UInt64, path: String) throws -> UInt64 {
        var end = size
        let chunk: UInt64 = 65_536
        while end > 0 {
            let start = end > chunk ? end - chunk : 0
            let data = try SafeIO.preadAll(fd, length: Int(end - start), at: start, path: path)
            if let i = data.lastIndex(of: 0x0A) { return start + UInt64(i - data.startIndex) + 1 }
            end = start
        }
        return 0
    }
}

#if os(Linux)
/// glibc's syncfs(2), which Swift's Glibc module does not import (it is declared under _GNU_SOURCE).
@_silgen_name("syncfs") private func baa_syncfs(_ fd: Int32) -> Int32
#endif
