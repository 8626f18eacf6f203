// libFuzzer target: the whole review (segmentation, every clause pattern, scoring) of arbitrary text,
// with the real clause library ($BAA_CLAUSES or ./Clauses). Built by tools/fuzz.sh.
import BAAClauses
import BAAExtract
import BAAReview
import Foundation

/// Loaded before fuzzing starts and released at exit, before LeakSanitizer's own exit check: it cannot see
/// pointers Swift keeps in enum payloads with spare bits, so a library still alive then reads as leaked.
nonisolated(unsafe) var fuzzReviewer: Reviewer?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzReviewInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    let dir = ProcessInfo.processInfo.environment["BAA_CLAUSES"] ?? "Clauses"
    do { fuzzReviewer = Reviewer(library: try ClauseLibrary.load(directory: dir)) } catch {
        fatalError("FuzzReview: cannot load the clause library in \(dir): \(error)")
    }
    atexit { fuzzReviewer = nil }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReview(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes, let reviewer = fuzzReviewer else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: size), as: UTF8.self)
    _ = reviewer.review(Document.fromText(text, path: "fuzz.md", format: .markdown))
    return 0
}
