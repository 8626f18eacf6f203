// libFuzzer target: text decoding (BOMs, UTF-8, UTF-16, Windows-1252), format detection and the
// normalizer, through the loader as a .txt and as a .md. Built by tools/fuzz.sh.
import BAAExtract
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: size)
    var options = ExtractOptions()
    options.timeBudgetSeconds = 10
    let loader = DocumentLoader(options: options)
    if let doc = try? loader.load(data: data, path: "fuzz.txt") {
        // Every byte of the text maps back to a location.
        _ = doc.sourceMap.location(at: doc.text.utf8.count / 2)
    }
    _ = try? loader.load(data: data, path: "fuzz.md")
    _ = try? TextExtractor.decode(data, path: "fuzz")
    return 0
}
