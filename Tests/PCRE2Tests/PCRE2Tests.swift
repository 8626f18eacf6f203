import PCRE2
import XCTest

final class PCRE2Tests: XCTestCase {
    func testOffsetsAreUTF8BytesAfterMultibyteCharacters() throws {
        // "§" is 2 bytes, the curly quote 3, the emoji 4: a UTF-16 or Character offset would be wrong.
        let text = "§ 4.2 \u{201C}Breach\u{201D} 📝 subcontractors agree"
        let subject = Subject(text)
        let regex = try Regex(#"\bsubcontractors?\b"#)
        let m = try XCTUnwrap(try Matcher().firstMatch(regex, in: subject))
        let expectedStart = text.utf8.distance(from: text.utf8.startIndex, to: text.range(of: "subcontractors")!.lowerBound.samePosition(in: text.utf8)!)
        XCTAssertEqual(m.range.lowerBound, expectedStart)
        XCTAssertEqual(subject.text(m.range), "subcontractors")
    }

    func testCompileErrorCarriesOffset() {
        XCTAssertThrowsError(try Regex("abc(def")) { error in
            let e = error as! PCRE2Error
            XCTAssertEqual(e.offset, 7)
            XCTAssertTrue(e.message.contains("missing closing parenthesis"), e.message)
        }
    }

    func testNamedGroupsAndCaseless() throws {
        let regex = try Regex(#"within\s+(?<value>\w+(?:\s*\(\d+\))?)\s+(?<unit>business\s+days|days|hours)"#)
        XCTAssertEqual(regex.groupNames["value"], 1)
        XCTAssertEqual(regex.groupNames["unit"], 2)
        let subject = Subject("Notice WITHIN ten (10) Business Days of discovery.")
        let m = try XCTUnwrap(try Matcher().firstMatch(regex, in: subject))
        XCTAssertEqual(m.group(1).map(subject.text), "ten (10)")
        XCTAssertEqual(m.group(2).map(subject.text), "Business Days")
    }

    func testCatastrophicPatternHitsTheMatchLimitInsteadOfHanging() throws {
        let regex = try Regex("(a+)+$")
        let subject = Subject(String(repeating: "a", count: 40) + "!")
        let start = Date()
        XCTAssertThrowsError(try Matcher(limits: MatchLimits(matchLimit: 100_000)).firstMatch(regex, in: subject)) { error in
            XCTAssertTrue((error as! PCRE2Error).isResourceLimit, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "a limit that does not stop the match is no limit")
    }

    func testAllMatchesRespectsTheEndBoundary() throws {
        let subject = Subject("PHI here. PHI there. PHI everywhere.")
        let regex = try Regex(#"\bPHI\b"#)
        let all = try Matcher().allMatches(regex, in: subject)
        XCTAssertEqual(all.map(\.range.lowerBound), [0, 10, 21])
        let bounded = try Matcher().allMatches(regex, in: subject, from: 1, to: 20)
        XCTAssertEqual(bounded.map(\.range.lowerBound), [10])
    }

    /// Anchored attempts at candidate starts give the find-all result when every match starts at a candidate:
    /// overlapping candidates are skipped after a match, look-behinds still see the text before the candidate.
    func testAnchoredAttemptsAtCandidateStartsEqualFindAll() throws {
        let subject = Subject("notify notification; we notify, renotify and notify-notify.")
        let regex = try Regex(#"(?<![\w-])notify(?:\w*|-notify)"#)
        let matcher = Matcher()
        let all = try matcher.allMatches(regex, in: subject)
        var candidates: [Int] = []
        let bytes = Array("notify notification; we notify, renotify and notify-notify.".utf8)
        for i in 0..<(bytes.count - 5) where Array(bytes[i..<(i + 6)]) == Array("notify".utf8) { candidates.append(i) }
        let anchored = try matcher.allMatches(regex, in: subject, startingAt: candidates, to: subject.count)
        XCTAssertEqual(anchored.map(\.range), all.map(\.range))
        XCTAssertEqual(all.map(\.range.lowerBound), [0, 24, 45], "renotify is excluded by the look-behind, notify-notify is one match")
        XCTAssertEqual(try matcher.allMatches(regex, in: subject, startingAt: [], to: subject.count).count, 0)
        XCTAssertNotNil(regex.anchored)
        XCTAssertTrue(regex.anchored === regex.anchored, "the anchored variant is compiled once")
    }

    func testEmptyMatchesStepOverWholeCharacters() throws {
        let subject = Subject("é§x")
        let all = try Matcher().allMatches(try Regex(#"(?=x)|\b"#), in: subject)
        for m in all { XCTAssertNotNil(String(validating: Array(subject.text(m.range).utf8), as: UTF8.self)) }
        XCTAssertFalse(all.isEmpty)
    }

    func testInvalidUTF8IsRejectedOnce() {
        XCTAssertNil(Subject(bytes: [0x41, 0xC3, 0x28]))
        XCTAssertNotNil(Subject(bytes: Array("ok é".utf8)))
    }

    func testDeepPatternUsesTheLargerJITStack() throws {
        // Nested groups over a long subject overflow the JIT's default 32 KB stack.
        let regex = try Regex(#"^(?:(a)|b)*$"#, jitThreshold: 0)
        XCTAssertTrue(regex.isJIT)
        let subject = Subject(String(repeating: "ab", count: 50_000))
        XCTAssertNotNil(try Matcher().firstMatch(regex, in: subject))
        // The interpreter on the same input stops at the depth limit with an error instead of overflowing.
        let interpreted = try Regex(#"^(?:(a)|b)*$"#, jit: false)
        XCTAssertThrowsError(try Matcher().firstMatch(interpreted, in: subject)) { XCTAssertTrue(($0 as! PCRE2Error).isResourceLimit) }
    }

    func testPatternsAreJITCompiledLazilyAfterAFewUses() throws {
        let regex = try Regex(#"\bbreach\b"#, jitThreshold: 3)
        let subject = Subject("notify of any breach")
        let matcher = Matcher()
        for _ in 0..<3 { XCTAssertNotNil(try matcher.firstMatch(regex, in: subject)) }
        XCTAssertFalse(regex.isJIT, "a pattern used only a few times is never JIT-compiled")
        for _ in 0..<3 { XCTAssertEqual(try matcher.firstMatch(regex, in: subject)?.range, 14..<20) }
        XCTAssertTrue(regex.isJIT)
    }
}
