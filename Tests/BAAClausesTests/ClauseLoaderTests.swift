import BAAClauses
import Foundation
import XCTest

final class ClauseLoaderTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "baa-clauses-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "version: test\nmacros:\n  phi: 'PHI|protected health information'\n".write(toFile: dir + "/_macros.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// An element file up to its rules, with a pattern that does not compile (an unclosed group) on line 7.
    static let accessHeader = """
        element: access
        title: Access
        citation: "164.504(e)(2)(ii)(E)"
        rationale: r
        recommendation: r
        patterns:
          access: '\\baccess(?:'
        rules:
        """

    func write(_ name: String, _ text: String) throws { try text.write(toFile: "\(dir!)/\(name)", atomically: true, encoding: .utf8) }

    func errors() -> [ClauseError] {
        do { _ = try ClauseLibrary(spec: ClauseLoader(requireAllElements: true).load(directory: dir)); return [] } catch { return error.errors }
    }

    func testMalformedYAMLIsReportedWithPathAndLine() throws {
        try write("access.yaml", "element: access\ntitle: Access\nrules:\n  - id: x\n    all: [a\n")
        let e = errors().first { $0.position.path.hasSuffix("access.yaml") }
        XCTAssertNotNil(e)
        XCTAssertTrue(e!.description.hasPrefix("\(dir!)/access.yaml:"), e!.description)
        XCTAssertGreaterThanOrEqual(e!.position.line, 5)
        XCTAssertTrue(e!.message.contains("invalid YAML"), e!.message)
    }

    func testUnknownKeyUnknownPatternAndBadRegexNameTheirLine() throws {
        try write("access.yaml", Self.accessHeader + "\n" + """
          - id: access.one
            all: [access, nothere]
          - id: access.two
            colour: blue
            all: [access]
        """)
        let all = errors().map(\.description)
        XCTAssertTrue(all.contains { $0.contains("access.yaml:9:") && $0.contains("nothere") }, all.joined(separator: "\n"))
        XCTAssertTrue(all.contains { $0.contains("access.yaml:12:") && $0.contains("unknown key 'colour'") }, all.joined(separator: "\n"))
    }

    func testEveryElementMustBeDefined() throws {
        let all = errors().map(\.message)
        XCTAssertTrue(all.contains { $0.contains("'breach_notification'") })
        XCTAssertEqual(all.filter { $0.hasPrefix("no clause file defines element") }.count, ElementCatalog.all.count, "one per element id of ELEMENTS.md (21 plus the 4 due-diligence terms)")
    }

    func testBadRegexIsReportedAtThePatternLine() throws {
        try write("access.yaml", Self.accessHeader + "\n" + """
          - id: access.one
            all: [access]
        """)
        let spec = try ClauseLoader(requireAllElements: false).load(directory: dir)
        do {
            _ = try ClauseLibrary(spec: spec)
            XCTFail("a pattern with an unclosed group compiled")
        } catch {
            let e = try XCTUnwrap(error.errors.first)
            XCTAssertEqual(e.position.line, 7, e.description)
            XCTAssertTrue(e.message.contains("pattern 'access' does not compile"), e.message)
        }
    }
}
