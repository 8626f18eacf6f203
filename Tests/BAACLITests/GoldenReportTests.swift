import Foundation
import XCTest

/// The JSON report is a contract with ticketing systems: it is compared whole with a golden file (sorted keys),
/// and checked against schema/report.schema.json. After an intended change, regenerate with
/// `BAA_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests` and review the diff.
final class GoldenReportTests: XCTestCase {
    static let golden = CLI.fixtures.appendingPathComponent("golden/complete-baa.report.json")

    /// The clause library's version and hash change with every rule edit; the golden file pins everything else.
    func normalized(_ json: String) throws -> String {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var tool = try XCTUnwrap(object["tool"] as? [String: Any])
        tool["version"] = "<tool version>"
        tool["clause_library"] = ["version": "<library version>", "sha256": "<library sha256>"]
        object["tool"] = tool
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func testJSONReportMatchesTheGoldenFile() throws {
        let r = try CLI.run(["review", "--format", "json", "complete-baa.md"], cwd: CLI.fixtures)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Keys come out sorted: re-encoding with sorted keys changes nothing but whitespace.
        XCTAssertTrue(r.stdout.contains("\"schema_version\" : 1"), r.stdout)
        let got = try normalized(r.stdout)
        if ProcessInfo.processInfo.environment["BAA_UPDATE_GOLDEN"] == "1" {
            try got.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let want = try String(contentsOf: Self.golden, encoding: .utf8)
        if got != want {
            let gotLines = got.split(separator: "\n", omittingEmptySubsequences: false)
            let wantLines = want.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(gotLines, wantLines).enumerated().first { $0.element.0 != $0.element.1 }
            XCTFail("report differs from \(Self.golden.lastPathComponent) at line \((first?.offset ?? min(gotLines.count, wantLines.count)) + 1): got \(first.map { "\($0.element.0)" } ?? "end of file"), want \(first.map { "\($0.element.1)" } ?? "end of file"); regenerate with BAA_UPDATE_GOLDEN=1 if intended")
        }
    }

    func testReportValidatesAgainstTheSchema() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import jsonschema"]
        check.standardError = FileHandle.nullDevice
        try? check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { throw XCTSkip("python3 with jsonschema is not installed: schema validation skipped") }
        let dir = try CLI.tempDir()
        for (name, file) in [("complete", "complete-baa.md"), ("thin", "thin-vendor-addendum.txt")] {
            let out = dir.appendingPathComponent("\(name).json")
            XCTAssertEqual(try CLI.run(["review", "--format", "json", "--output", out.path, file], cwd: CLI.fixtures).status, 0)
            let validate = Process()
            validate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            validate.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); report = json.load(open(sys.argv[2]))
            jsonschema.Draft202012Validator(schema).validate(report)
            """, CLI.root.appendingPathComponent("schema/report.schema.json").path, out.path]
            let err = Pipe()
            validate.standardError = err
            try validate.run()
            validate.waitUntilExit()
            XCTAssertEqual(validate.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }
}
