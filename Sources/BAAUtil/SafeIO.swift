import Foundation

/// A write, read or create that failed, with the errno's own words: one line, naming the path.
public struct IOFailure: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let action: String
    public let code: Int32
    public init(path: String, action: String = "write", code: Int32) { self.path = path; self.action = action; self.code = code }
    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "\(SafeIO.displayPath(path)): cannot \(action): \(reason)" }
}

/// Checked writes on raw descriptors: every byte written or an `IOFailure` naming the path and errno
/// (ENOSPC, EPIPE, EROFS, EIO ...). Never a trap: `FileHandle.write(_:)` without `contentsOf` traps on
/// any error, so it is not used on an I/O path.
public enum SafeIO {
    /// Writes every byte (retrying short writes and EINTR), or throws with the errno of the failing write.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOFailure(path: path, code: errno)
            }
            if n == 0 { throw IOFailure(path: path, code: EIO) }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    public static func writeAll(_ fd: Int32, _ string: String, path: String) throws {
        var s = string
        try s.withUTF8 { try writeAll(fd, UnsafeRawBufferPointer($0), path: path) }
    }

    /// The name standard output is given in messages.
    public static let standardOutputName = "standard output"

    /// Text to standard output, checked: a full disk or a closed pipe is an `IOFailure` ("standard output: cannot
    /// write: No space left on device").
    public static func stdout(_ text: String) throws { try writeAll(STDOUT_FILENO, RawPath.display(text), path: standardOutputName) }

    /// A message to standard error; a failure there has nowhere to be reported, so it is dropped (never a trap).
    public static func stderr(_ text: String) { try? writeAll(STDERR_FILENO, text, path: "standard error") }

    /// Writes at an offset (spools), every byte or an `IOFailure`.
    public static func pwriteAll(_ fd: Int32, _ data: Data, at offset: UInt64, path: String) throws {
        try data.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return }
            var done = 0
            while done < buf.count {
                let n = pwrite(fd, base + done, buf.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IOFailure(path: path, code: errno)
                }
                if n == 0 { throw IOFailure(path: path, code: EIO) }
                done += n
            }
        }
    }

    /// Reads `length` bytes at an offset, or throws.
    public static func preadAll(_ fd: Int32, length: Int, at offset: UInt64, path: String) throws -> Data {
        var data = Data(count: length)
        try data.withUnsafeMutableBytes { buf in
            guard let base = buf.baseAddress else { return }
            var done = 0
            while done < length {
                let n = pread(fd, base + done, length - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IOFailure(path: path, action: "read", code: errno)
                }
                if n == 0 { throw IOFailure(path: path, action: "read", code: EIO) }
                done += n
            }
        }
        return data
    }

    /// The mode a new file would get from `open(..., 0666)` under this process's umask (read from
    /// /proc/self/status: calling umask() to read it would change it for a moment under other threads).
    public static let defaultFileMode: mode_t = {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
           let mask = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) {
            return 0o666 & ~mask
        }
        return 0o644
    }()

    /// The path with control characters (and the Unicode line and paragraph separators) escaped ("\\n", "\\t",
    /// "\\u{1B}"), so a message stays one line; bytes that are not UTF-8 shown as \\xFF.
    public static func displayPath(_ path: String) -> String {
        let path = RawPath.display(path)
        func escaped(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || s.value == 0x7F || s == "\u{2028}" || s == "\u{2029}" }
        guard path.unicodeScalars.contains(where: escaped) else { return path }
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if escaped(scalar) { out += "\\u{" + String(scalar.value, radix: 16) + "}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// Temporary files and folders a run has made (output written before its rename, batch spools): hidden, mode
/// 0600, in the output's folder. They are removed when the run ends, on SIGTERM, SIGHUP, SIGINT and a closed pipe
/// (the signal handler unlinks every registered path, with async-signal-safe calls only), and, since SIGKILL
/// cannot be handled, swept by the next run (`sweepStale`): a temporary whose process no longer runs.
public enum Temporaries {
    static let slots = 256
    /// strdup'd paths; read by the signal handler without a lock (a slot is written before it is used and
    /// cleared before it is freed).
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let t = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slots)
        t.initialize(repeating: nil, count: slots)
        return t
    }()
    static let lock = NSLock()

    /// The first signal asking the run to stop (SIGINT, SIGTERM, SIGHUP), 0 when none: commands that can stop
    /// cleanly (batch) poll it between files.
    nonisolated(unsafe) public static var stopSignal: Int32 = 0

    /// Registers a path (a file, or an empty-once-cleaned folder registered after its files) for removal on a
    /// signal. Returns the slot, for `unregister`.
    @discardableResult
    public static func register(_ path: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<slots where table[i] == nil {
            // The path's own bytes (RawPath): a name that is not UTF-8 is removed by its real name.
            table[i] = RawPath.cString(path).withUnsafeBufferPointer { b in b.baseAddress.flatMap { strdup($0) } }
            return i
        }
        return -1
    }

    public static func unregister(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        let bytes = RawPath.cString(path)
        for i in 0..<slots {
            if let p = table[i], strcmp(p, bytes) == 0 {
                table[i] = nil
                free(p)
            }
        }
    }

    /// Removes every registered path (files, then folders): async-signal-safe.
    public static func removeAll() {
        for i in 0..<slots { if let p = table[i] { unlink(p) } }
        for i in 0..<slots { if let p = table[i] { rmdir(p) } }
    }

    /// SIGTERM, SIGHUP and SIGINT remove the temporaries and end the process with the signal's own status;
    /// SIGPIPE is ignored, so a closed pipe is a write that fails with EPIPE (reported, temporaries removed).
    /// With `graceful`, the first SIGINT/SIGTERM/SIGHUP only sets `stopSignal` (the run stops taking work and
    /// writes what is complete) and a second one ends it at once.
    public static func installSignalHandlers(graceful: Bool) {
        signal(SIGPIPE, SIG_IGN)
        stopSignal = 0
        for s in [SIGINT, SIGTERM, SIGHUP] {
            if graceful {
                signal(s) { sig in
                    if Temporaries.stopSignal == 0 {
                        Temporaries.stopSignal = sig
                    } else {
                        Temporaries.removeAll()
                        signal(sig, SIG_DFL)
                        raise(sig)
                    }
                }
            } else {
                signal(s) { sig in
                    Temporaries.removeAll()
                    signal(sig, SIG_DFL)
                    raise(sig)
                }
            }
        }
    }

    /// The name of a temporary for `path`: `.NAME.tmp-PID-RANDOM` in the same folder.
    public static func siblingName(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// Whether a name is one of ours (`.X.tmp-PID-N` or `.baa-batch-spool-PID-N`), and the PID that made it.
    public static func ownerPID(ofTemporaryNamed name: String) -> pid_t? {
        guard name.hasPrefix(".") else { return nil }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let random = parts.last, !random.isEmpty, random.allSatisfy(\.isNumber),
              let pid = pid_t(parts[parts.count - 2]) else { return nil }
        let head = parts.dropLast(2).joined(separator: "-")
        guard head.hasSuffix(".tmp") || head == ".baa-batch-spool" else { return nil }
        return pid
    }

    /// Removes temporaries left in `directory` by earlier runs that were killed (SIGKILL, a power cut): names
    /// of our pattern, owned by this user, whose process no longer runs. Returns how many were removed.
    @discardableResult
    /// `spoolsOnly`: only batch spools (in a shared temporary folder, where other programs keep their own files).
    public static func sweepStale(in directory: String, spoolsOnly: Bool = false) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names {
            if spoolsOnly && !name.hasPrefix(".baa-batch-spool-") { continue }
            guard let pid = ownerPID(ofTemporaryNamed: name), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            var st = stat()
            guard lstat(path, &st) == 0, st.st_uid == getuid() else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }
}
