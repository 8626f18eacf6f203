@testable import BAAReview
import Foundation
import XCTest

/// Playbook mistakes are errors that name the key and the valid choices (issue 16), never silently ignored.
final class PlaybookStrictTests: XCTestCase {
    func load(_ yaml: String) -> String? {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("playbook-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            _ = try Playbook.load(path: url.path)
            return nil
        } catch { return "\(error)" }
    }

    func testAMisspeltKeyIsAnErrorWithTheNearestValidKey() throws {
        let message = try XCTUnwrap(load("breach_prefered: {value: 10, unit: business_days}\n"))
        XCTAssertTrue(message.contains("breach_prefered: unknown key (did you mean 'breach_preferred'?)"), message)
        XCTAssertTrue(message.contains("valid keys: name, breach_max"), message)
    }

    func testAnUnknownSeverityNameInPointsIsAnError() throws {
        let message = try XCTUnwrap(load("points: {crit: 30}\n"))
        XCTAssertTrue(message.contains("'crit' is not a severity; valid: critical, high, medium, low, info"), message)
    }

    func testABadValueNamesItsChoices() throws {
        let message = try XCTUnwrap(load("breach_preferred: {value: 10, unit: weeks}\n"))
        XCTAssertTrue(message.contains("breach_preferred.unit: 'weeks' is not one of hours, days, business_days, calendar_days"), message)
        let severity = try XCTUnwrap(load("ai_silent_severity: severe\n"))
        XCTAssertTrue(severity.contains("'severe' is not one of critical, high, medium, low, info"), severity)
    }

    func testNestedKeysAreCheckedToo() throws {
        let message = try XCTUnwrap(load("elements:\n  insurance: {mising: medium}\n"))
        XCTAssertTrue(message.contains("elements.insurance.mising: unknown key (did you mean 'missing'?)"), message)
    }

    func testAValidPlaybookStillLoads() {
        XCTAssertNil(load("name: Riverbend\nbreach_preferred: {value: 10, unit: business_days}\npoints: {critical: 30}\nelements:\n  insurance: {missing: medium, required: true}\naudit_rights: required\n"))
    }
}
