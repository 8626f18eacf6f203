import CCrypto
import Foundation

/// SHA-256 for document and clause-library fingerprints: OpenSSL's libcrypto (EVP_Digest, its assembly
/// implementations with SHA-NI/AVX2 where the CPU has them), as Foundation on Linux has none. The bytes are
/// read in place; nothing is copied to pad them.
public enum SHA256 {
    /// libcrypto set up once, with no atexit cleanup (see baa_crypto_init).
    private static let initialized: Bool = baa_crypto_init() == 1

    public static func digest(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBufferPointer { digest($0) }
    }

    public static func digest(_ message: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        precondition(initialized, "libcrypto could not be initialized")
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // A zero-length buffer may have a nil base address; libcrypto wants a valid pointer even for no bytes.
        let ok = out.withUnsafeMutableBufferPointer { o -> Int32 in
            if let base = message.baseAddress {
                return EVP_Digest(base, message.count, o.baseAddress, &length, EVP_sha256(), nil)
            }
            var empty: UInt8 = 0
            return EVP_Digest(&empty, 0, o.baseAddress, &length, EVP_sha256(), nil)
        }
        // EVP_Digest fails only on allocation failure or a missing provider: nothing a fingerprint can go on without.
        precondition(ok == 1 && length == 32, "libcrypto EVP_Digest(SHA-256) failed")
        return out
    }

    /// The hex digest of a file, read 64 KiB at a time (a large file is never held whole); nil when it cannot
    /// be opened or read. `path` may carry raw bytes (RawPath).
    public static func hex(ofFileAt path: String) -> String? {
        precondition(initialized, "libcrypto could not be initialized")
        let fd = open(RawPath.cString(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else { return nil }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            guard chunk.withUnsafeBytes({ EVP_DigestUpdate(ctx, $0.baseAddress, n) }) == 1 else { return nil }
        }
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard out.withUnsafeMutableBufferPointer({ EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) }) == 1, length == 32 else { return nil }
        return hexString(out)
    }

    /// The hex digest of a file's bytes, read in place.
    public static func hex(_ data: Data) -> String {
        hexString(data.withUnsafeBytes { digest($0.bindMemory(to: UInt8.self)) })
    }

    public static func hex(_ message: [UInt8]) -> String {
        hexString(digest(message))
    }

    static func hexString(_ digest: [UInt8]) -> String {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(digest.count * 2)
        for b in digest { bytes.append(hexDigits[Int(b >> 4)]); bytes.append(hexDigits[Int(b & 0xf)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
