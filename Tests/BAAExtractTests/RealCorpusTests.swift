import Foundation
import XCTest
@testable import BAAExtract

/// End-to-end extraction of the real agreements in ../shared/corpus-real (read only, never copied).
/// For each original PDF and DOCX, the normalized text must contain the long words and the word
/// sequences of the matching plain-text conversion in docs/.
final class RealCorpusTests: XCTestCase {
    static let corpus = repoRoot.appendingPathComponent("../shared/corpus-real").standardizedFileURL

    /// Lower-case words of letters and digits, after the same character normalization as documents.
    static func words(_ s: String) -> [String] {
        Normalizer.normalizeCharacters(s).lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// The docs/ text that goes with an original: same stem, or the stem before the first '.'.
    static func reference(for original: URL) -> URL? {
        let docs = corpus.appendingPathComponent("docs")
        let name = original.deletingPathExtension().lastPathComponent
        for stem in [name, String(name.split(separator: ".").first ?? "")] {
            let url = docs.appendingPathComponent(stem + ".txt")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    func testEveryRealPDFAndDOCXExtractsWithItsKeyPhrases() throws {
        let orig = Self.corpus.appendingPathComponent("orig")
        guard let files = try? FileManager.default.contentsOfDirectory(at: orig, includingPropertiesForKeys: nil) else {
            print("SKIP: \(orig.path) not found: real-corpus extraction checks skipped")
            throw XCTSkip("\(orig.path) not found")
        }
        let originals = files.filter { ["pdf", "docx"].contains($0.pathExtension.lowercased()) }.sorted { $0.path < $1.path }
        XCTAssertFalse(originals.isEmpty)
        for file in originals {
            let doc: Document
            do { doc = try DocumentLoader().load(path: file.path) } catch {
                XCTFail("\(error)"); continue
            }
            XCTAssertTrue(doc.ocrPages.isEmpty, "\(file.lastPathComponent): unexpected OCR")
            guard let refURL = Self.reference(for: file), let ref = try? String(contentsOf: refURL, encoding: .utf8) else {
                print("no docs/ text for \(file.lastPathComponent): checked extraction only")
                continue
            }
            let got = Self.words(doc.text)
            let gotSet = Set(got)
            let refWords = Self.words(ref)
            // Long words: each distinct word of 10+ letters in the reference.
            let long = Array(Set(refWords.filter { $0.count >= 10 && $0.allSatisfy(\.isLetter) })).sorted()
            let missingLong = long.filter { !gotSet.contains($0) }
            // Sentences: every 40th run of 8 consecutive words in the reference, found in order-free form.
            let gotJoined = " " + got.joined(separator: " ") + " "
            var runs: [String] = []
            var i = 0
            while i + 8 <= refWords.count { runs.append(" " + refWords[i..<(i + 8)].joined(separator: " ") + " "); i += 40 }
            let missingRuns = runs.filter { !gotJoined.contains($0) }
            let isCoverPage = file.lastPathComponent.contains("cover-page")
            let longShare = long.isEmpty ? 1 : Double(long.count - missingLong.count) / Double(long.count)
            let runShare = runs.isEmpty ? 1 : Double(runs.count - missingRuns.count) / Double(runs.count)
            if let dump = ProcessInfo.processInfo.environment["BAA_DUMP_DIR"] {
                try? doc.text.write(toFile: dump + "/" + file.lastPathComponent + ".txt", atomically: true, encoding: .utf8)
                print("missing runs:", missingRuns)
            }
            print("\(file.lastPathComponent): pages \(doc.pageCount), long words \(Int(longShare * 100))% of \(long.count), 8-word runs \(Int(runShare * 100))% of \(runs.count)")
            if isCoverPage {
                // A cover-page example carries only the variables, not the standard terms the docs/ text holds.
                XCTAssertGreaterThan(got.count, 100, file.lastPathComponent)
                continue
            }
            XCTAssertGreaterThanOrEqual(longShare, 0.97, "\(file.lastPathComponent) missing long words: \(missingLong.prefix(20))")
            XCTAssertGreaterThanOrEqual(runShare, 0.90, "\(file.lastPathComponent) missing runs: \(missingRuns.prefix(5))")
        }
    }
}
