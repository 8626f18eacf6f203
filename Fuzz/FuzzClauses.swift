// libFuzzer target: the clause-file loader (Yams, validation, macro expansion, PCRE2 compile).
// The input is one element file beside the real _macros.yaml. Built by tools/fuzz.sh.
import BAAClauses
import Foundation

let fuzzClauseDir: String = {
    let dir = NSTemporaryDirectory() + "baa-fuzz-clauses-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let macros = (ProcessInfo.processInfo.environment["BAA_CLAUSES"] ?? "Clauses") + "/_macros.yaml"
    try? FileManager.default.removeItem(atPath: dir + "/_macros.yaml")
    try? FileManager.default.copyItem(atPath: macros, toPath: dir + "/_macros.yaml")
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClauses(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { return 0 }
    let file = fuzzClauseDir + "/fuzz.yaml"
    guard FileManager.default.createFile(atPath: file, contents: Data(bytes: bytes, count: size)) else { return 0 }
    if let spec = try? ClauseLoader(requireAllElements: false).load(directory: fuzzClauseDir) {
        _ = try? ClauseLibrary(spec: spec)
    }
    return 0
}
