import BAAClauses
import BAAExtract
import BAAReview
import XCTest

/// The hard cases of contract language (issue 5), each on text this team wrote for the test.
final class HardCaseTests: XCTestCase {
    func review(_ text: String, format: DocumentFormat = .text) throws -> Report {
        let preamble = "This Business Associate Agreement is between Covered Entity and Business Associate and governs Protected Health Information (\"PHI\").\n\n"
        return Reviewer(library: try Paths.library()).review(Document.fromText(preamble + text, path: "hard-case.txt", format: format))
    }

    func status(_ r: Report, _ id: String) -> String {
        let e = r.element(id)!
        return e.stance.map { $0.rawValue } ?? e.status.rawValue
    }

    func testNegationVetoesTheObligationAndSaysWhy() throws {
        let r = try review("4. Business Associate shall not be obligated to notify Covered Entity of any Breach of Unsecured PHI within thirty (30) days or at any other time.")
        XCTAssertEqual(status(r, "breach_notification"), "missing")
        XCTAssertFalse(r.element("breach_notification")!.vetoed.isEmpty, "the vetoed hit is kept for --explain")
    }

    func testExceptionForLawDoesNotFlipAProhibition() throws {
        let r = try review("2.2 Business Associate shall not use or disclose PHI other than as permitted by this Agreement, except as required by law.")
        XCTAssertEqual(status(r, "no_other_use"), "present")
    }

    func testConsentGatedAIProhibitionIsStillAProhibition() throws {
        let r = try review("7. Business Associate will not use PHI to train or fine-tune any machine learning model unless Covered Entity consents in writing.")
        XCTAssertEqual(status(r, "ai_training"), "prohibited")
    }

    func testATermOnlyDefinedIsNotImposed() throws {
        let r = try review("""
        1.2 "Breach" means the acquisition, access, use or disclosure of PHI in a manner not permitted by the Privacy Rule, and notification of it within ten (10) days is addressed by the parties' other agreements.
        2. Business Associate shall use appropriate safeguards to protect PHI.
        """)
        XCTAssertEqual(status(r, "breach_notification"), "missing")
    }

    func testObligationRunningTheWrongWayDoesNotCount() throws {
        let r = try review("5. Covered Entity shall notify Business Associate of any Breach of Unsecured PHI within ten (10) days of discovery.")
        XCTAssertEqual(status(r, "breach_notification"), "missing")
    }

    func testRecitalsTableOfContentsAndHeadingsImposeNothing() throws {
        let r = try review("""
        TABLE OF CONTENTS
        3. Subcontractors Agree to the Same Restrictions .......... 4
        WHEREAS, Business Associate shall ensure that its subcontractors agree to the same restrictions and conditions that apply to Business Associate with respect to PHI;
        SUBCONTRACTORS
        3. Business Associate shall use appropriate safeguards.
        """)
        XCTAssertEqual(status(r, "subcontractors"), "missing")
    }

    func testMayIsNotShall() throws {
        let shall = try review("6. At termination Business Associate shall return or destroy all PHI. If return or destruction is infeasible, Business Associate shall extend the protections of this Agreement to that PHI.")
        let may = try review("6. At termination Business Associate may, at its option, keep PHI in its archives for as long as it sees fit.")
        XCTAssertEqual(status(shall, "return_destroy"), "present")
        XCTAssertEqual(status(may, "return_destroy"), "missing")
    }

    func testExhibitThatOverridesTheBodyWins() throws {
        let r = try review("""
        3.3 Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within sixty (60) calendar days after discovery.
        EXHIBIT B - SPECIAL TERMS
        Notwithstanding Section 3.3, Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within five (5) business days after discovery.
        """)
        let d = try XCTUnwrap(r.element("breach_notification")?.deadline)
        XCTAssertEqual(d.value, 5)
        XCTAssertEqual(d.unit, .business_days)
    }

    func testDeadlineDefinedOnceAndUsedByReference() throws {
        let r = try review("""
        1.9 "Notice Period" means five (5) business days.
        4.1 Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within the Notice Period.
        """)
        let d = try XCTUnwrap(r.element("breach_notification")?.deadline)
        XCTAssertEqual(d.value, 5)
        XCTAssertEqual(d.unit, .business_days)
        XCTAssertEqual(r.element("breach_notification")?.status, .present)
    }

    func testDeadlineBeyondSixtyDaysIsANonComplianceFinding() throws {
        let r = try review("4. Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within ninety (90) days after discovery.")
        XCTAssertEqual(r.element("breach_notification")?.deadline?.value, 90)
        XCTAssertEqual(r.element("breach_notification")?.status, .weak)
        XCTAssertTrue(r.findings.contains { $0.element == "breach_notification" && $0.kind == "too_late" && $0.severity == .critical })
    }

    func testSentenceSplitAcrossAPageBreakWithRunningFooter() throws {
        let page1 = (1...6).map { "\($0 + 1). Business Associate shall keep record number \($0) of its safeguards." }.joined(separator: "\n")
        let text = """
        Lumen Notes BAA - Confidential
        \(page1)
        9. Business Associate shall notify Covered Entity of any Breach of Unsecured PHI within ten
        Page 1 of 2
        \u{0C}Lumen Notes BAA - Confidential
        (10) business days after discovery of the Breach.
        10. Business Associate shall use appropriate safeguards.
        Page 2 of 2
        """
        let r = try review(text)
        let d = try XCTUnwrap(r.element("breach_notification")?.deadline, "the sentence must be rejoined across the page break")
        XCTAssertEqual(d.value, 10)
        XCTAssertEqual(d.unit, .business_days)
        XCTAssertEqual(r.element("breach_notification")?.evidence.first?.page, 1)
    }

    // Issue 13: defined events, security incidents, cross-references (team text).

    func testADefinedEventThatIncludesABreachCarriesTheBreachDeadline() throws {
        let r = try review("""
        1.4 "Notifiable Incident" means a Breach of Unsecured PHI, a Security Incident, or a use or disclosure of PHI that this Agreement does not permit.

        3.2 Business Associate shall report any Notifiable Incident to Covered Entity within twelve (12) business days after discovery.
        """)
        XCTAssertEqual(status(r, "breach_notification"), "present")
        XCTAssertEqual(r.element("breach_notification")?.deadline?.value, 12)
        XCTAssertEqual(r.element("breach_notification")?.deadline?.unit, .business_days)
    }

    func testAnEventNotDefinedAsABreachCarriesNoBreachDeadline() throws {
        let r = try review("""
        1.4 "Service Event" means an outage of the platform lasting more than an hour.

        3.2 Business Associate shall report any Service Event to Covered Entity within two (2) days.
        """)
        XCTAssertEqual(status(r, "breach_notification"), "missing")
        XCTAssertTrue(r.element("breach_notification")!.vetoed.contains { $0.guardName == "defined_event" }, "the vetoed hit says why, for --explain")
    }

    func testASecurityIncidentClauseIsNotBreachNotification() throws {
        let r = try review("3.2 Business Associate shall report to Covered Entity any Security Incident of which it becomes aware within five (5) days.")
        XCTAssertEqual(status(r, "breach_notification"), "missing", "164.410 must reach breaches of unsecured PHI (LABELING.md)")
        XCTAssertNotEqual(status(r, "report_disclosures"), "missing", "it still counts for report_disclosures")
    }

    func testADutyStatedByReferenceIsAsStrongAsTheSectionItNames() throws {
        let r = try review("""
        4.4 Return of PHI. Upon termination, Business Associate shall return or destroy all PHI received from Covered Entity, if feasible.

        9.3 Effect of Termination. Upon termination, Business Associate shall return or destroy all PHI as specified in Section 4.4.
        """)
        XCTAssertEqual(status(r, "return_destroy"), "weak")
        XCTAssertTrue(r.element("return_destroy")!.vetoed.contains { $0.guardName == "cross_reference" })
    }

    func testASentenceThatOnlyDeclaresThePartiesDoesNotMakeADocumentAboutPHI() throws {
        let text = """
        This Agreement is between Harbor Pediatrics, P.C. ("Harbor"), a covered entity, and Zephyr Analytics LLC ("Zephyr"), its business associate.

        1. Zephyr shall process Personal Data only on Harbor's documented instructions.
        """
        let analysis = Reviewer(library: try Paths.library()).analyze(Document.fromText(text, path: "declared.txt"))
        XCTAssertFalse(analysis.hasHIPAAContext, "the role words name the parties; nothing here is about PHI")
        let withPHI = Reviewer(library: try Paths.library()).analyze(Document.fromText(text + "\n\n2. Zephyr shall protect PHI.", path: "phi.txt"))
        XCTAssertTrue(withPHI.hasHIPAAContext)
    }
}
