@testable import BAAReview
import XCTest

final class DeadlineParserTests: XCTestCase {
    func testWordsAndDigits() {
        let cases: [(String, String, Int, Deadline.Unit)] = [
            ("ten (10)", "business days", 10, .business_days),
            ("24", "hours", 24, .hours),
            ("sixty (60)", "calendar days", 60, .calendar_days),
            ("twenty-four", "hours", 24, .hours),
            ("five", "working days", 5, .business_days),
            ("thirty (30)", "calender days", 30, .calendar_days),
            ("thirty", "days", 30, .days),
            ("two", "weeks", 14, .days),
            ("one hundred twenty", "days", 120, .days),
        ]
        for (value, unit, n, u) in cases {
            let d = DeadlineParser.parse(value: value, unit: unit, text: "\(value) \(unit)")
            XCTAssertEqual(d?.value, n, "\(value) \(unit)")
            XCTAssertEqual(d?.unit, u, "\(value) \(unit)")
        }
        XCTAssertNil(DeadlineParser.parse(value: "promptly", unit: "days", text: ""))
    }

    func testCalendarDayEquivalents() {
        XCTAssertEqual(Deadline(value: 10, unit: .business_days, text: "").calendarDays, 14)
        XCTAssertEqual(Deadline(value: 48, unit: .hours, text: "").calendarDays, 2)
        XCTAssertGreaterThan(Deadline(value: 45, unit: .business_days, text: "").calendarDays, 60)
    }
}
