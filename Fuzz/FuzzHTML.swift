// libFuzzer target: the HTML extractor (libxml2's HTML parser and the tree walk). Built by tools/fuzz.sh.
import BAAExtract
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTML(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { return 0 }
    var options = ExtractOptions()
    options.timeBudgetSeconds = 10
    let data = Data(bytes: bytes, count: size)
    if let raw = try? HTMLExtractor().extract(data: data, path: "fuzz.html", options: options) {
        _ = Normalizer().normalize(raw, path: "fuzz.html", sha256: "")
    }
    return 0
}
