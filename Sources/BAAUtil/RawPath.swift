import Foundation

/// Paths as the kernel has them: bytes, not necessarily UTF-8. A path from `argv` or `readdir` is decoded with
/// every byte that is not part of valid UTF-8 kept as a scalar of its own (U+10FF80 + byte - 0x80, at the very
/// end of plane 16, which real names do not use; a name that does is escaped the same way, byte by byte), so
/// `cString(_:)` gives back the exact bytes for `open`, `stat` and `opendir`, and `display(_:)` shows them
/// escaped (`a\xFF.txt`, the way ripgrep prints them).
public enum RawPath {
    static let base: UInt32 = 0x10FF00

    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let b = Array(bytes)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < b.count {
            let lead = b[i]
            if lead < 0x80 { out.append(Unicode.Scalar(lead)); i += 1; continue }
            var len = 0, cp: UInt32 = 0, minimum: UInt32 = 0
            if lead & 0xE0 == 0xC0 { len = 2; cp = UInt32(lead & 0x1F); minimum = 0x80 }
            else if lead & 0xF0 == 0xE0 { len = 3; cp = UInt32(lead & 0x0F); minimum = 0x800 }
            else if lead & 0xF8 == 0xF0 { len = 4; cp = UInt32(lead & 0x07); minimum = 0x10000 }
            var ok = len > 0 && i + len <= b.count
            if ok {
                for k in 1..<len {
                    let c = b[i + k]
                    if c & 0xC0 != 0x80 { ok = false; break }
                    cp = cp << 6 | UInt32(c & 0x3F)
                }
            }
            if ok, cp >= minimum, cp < base + 0x80, !(0xD800...0xDFFF).contains(cp), let s = Unicode.Scalar(cp) {
                out.append(s)
                i += len
            } else {
                out.append(Unicode.Scalar(base + UInt32(lead))!)
                i += 1
            }
        }
        return String(out)
    }

    /// Whether a scalar stands for a raw byte.
    public static func isRawByte(_ s: Unicode.Scalar) -> Bool { s.value >= base + 0x80 }

    /// The path's bytes, NUL-terminated, for the C calls.
    public static func cString(_ path: String) -> [CChar] {
        var out: [CChar] = []
        out.reserveCapacity(path.utf8.count + 1)
        for s in path.unicodeScalars {
            if isRawByte(s) { out.append(CChar(bitPattern: UInt8(s.value - base))); continue }
            for u in String(s).utf8 { out.append(CChar(bitPattern: u)) }
        }
        out.append(0)
        return out
    }

    /// The arguments as given, byte for byte (CommandLine.arguments replaces invalid UTF-8 with U+FFFD).
    public static func arguments() -> [String] {
        (0..<Int(CommandLine.argc)).map { i in
            guard let p = CommandLine.unsafeArgv[i] else { return "" }
            return decode(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        }
    }

    /// `\xFF` for each raw byte (in a JSON string, `\\xFF`, which reads back as `\xFF`).
    public static func display(_ path: String, json: Bool = false) -> String {
        guard path.unicodeScalars.contains(where: isRawByte) else { return path }
        var out = ""
        for s in path.unicodeScalars {
            if isRawByte(s) { out += (json ? "\\\\x" : "\\x") + String(format: "%02X", s.value - base) } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    /// The same over UTF-8 bytes (output about to be written); the bytes unchanged when there is no raw byte.
    public static func display(_ data: Data, json: Bool) -> Data {
        guard data.contains(0xF4) else { return data }
        let s = String(decoding: data, as: UTF8.self)
        guard s.unicodeScalars.contains(where: isRawByte) else { return data }
        return Data(display(s, json: json).utf8)
    }

    public static func statPath(_ path: String, _ st: inout stat) -> Int32 { stat(cString(path), &st) }
    public static func lstatPath(_ path: String, _ st: inout stat) -> Int32 { lstat(cString(path), &st) }
    public static func openPath(_ path: String, _ flags: Int32) -> Int32 { open(cString(path), flags) }

    /// The names in a folder (not `.` and `..`), decoded byte-exactly; nil with errno set when it cannot be read.
    public static func listDirectory(_ path: String) -> [String]? {
        guard let d = opendir(cString(path)) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        errno = 0
        while let e = readdir(d) {
            let name: String = withUnsafePointer(to: &e.pointee.d_name) { p in
                p.withMemoryRebound(to: UInt8.self, capacity: 256) { decode(UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)))) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        if errno != 0 { return nil }
        return names
    }

    /// Reads a whole regular file, at most `limit` + 1 bytes; errors carry the errno.
    public static func read(_ path: String, limit: Int) throws -> Data {
        let fd = open(cString(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure(path: path, action: "read", code: errno) }
        defer { close(fd) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while data.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit + 1 - data.count)) }
            if n < 0 { if errno == EINTR { continue }; throw IOFailure(path: path, action: "read", code: errno) }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return data
    }
}
