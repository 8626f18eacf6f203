import BAAUtil
import Foundation
import XCTest

/// Known-answer tests of `SHA256`, now libcrypto's (EVP_Digest) behind the same API as the hand-written one it replaced.
final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 vectors, and lengths around the one- and two-block padding boundaries.
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testDataAndArrayAgreeAtEveryPaddingBoundary() {
        for n in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<n).map { UInt8($0 % 251) }
            XCTAssertEqual(SHA256.hex(Data(bytes)), SHA256.hex(bytes), "length \(n)")
        }
    }

    /// An empty Data (its buffer may have no base address) and a slice that starts mid-buffer.
    func testEmptyDataAndSlices() {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let d = Data("xxabc".utf8).dropFirst(2)
        XCTAssertEqual(SHA256.hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// A file is hashed in 64 KiB chunks: the digest equals the one of its bytes at sizes across chunk
    /// boundaries, the FIPS 180 vector included; a missing file is nil.
    func testAFileIsHashedInChunksToTheSameDigest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in [0, 1, 65_535, 65_536, 65_537, 200_000] {
            let bytes = (0..<n).map { UInt8(($0 * 7) % 253) }
            let f = dir.appendingPathComponent("f\(n)")
            try Data(bytes).write(to: f)
            XCTAssertEqual(SHA256.hex(ofFileAt: f.path), SHA256.hex(bytes), "size \(n)")
        }
        let million = dir.appendingPathComponent("a")
        try Data(repeating: 0x61, count: 1_000_000).write(to: million)
        XCTAssertEqual(SHA256.hex(ofFileAt: million.path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertNil(SHA256.hex(ofFileAt: dir.appendingPathComponent("missing").path))
    }
}
