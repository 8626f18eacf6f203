import BAAClauses
import BAAExtract
import BAAReview
import Foundation
import XCTest

/// The due-diligence elements in the scorer: the AI-vendor decision and its findings, the de-identification
/// method and the playbook keys. Texts are this team's own.
final class DiligenceScoringTests: XCTestCase {
    static let aiVendorText = """
    BUSINESS ASSOCIATE AGREEMENT

    This Agreement is between Lakeside Family Medicine ("Practice") and Quillstone Health, Inc. ("Vendor").

    1. Services. Vendor provides an AI-powered ambient scribe that drafts visit notes from recorded encounters.

    2. Protected Health Information. Vendor shall use PHI only to perform the Services.

    3. De-identification. Vendor may de-identify PHI in accordance with 45 CFR 164.514(b)(2) and 164.514(b)(1).
    """

    static let plainText = """
    BUSINESS ASSOCIATE AGREEMENT

    This Agreement is between Lakeside Family Medicine ("Practice") and Ledgerline Billing LLC ("Vendor").

    1. Services. Vendor submits claims and posts payments for Practice.

    2. Protected Health Information. Vendor shall use PHI only to perform the Services. Vendor may de-identify PHI.

    3. Audit. Practice may audit Vendor's compliance with this Agreement on thirty days' written notice.
    """

    func review(_ text: String, playbook: Playbook = Playbook()) throws -> Report {
        Reviewer(library: try Paths.library(), playbook: playbook).review(Document.fromText(text, path: "<diligence>"))
    }

    func playbook(_ yaml: String) throws -> Playbook {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diligence-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Playbook.load(path: url.path)
    }

    func testAIVendorOwesTransparencyAndChangeControl() throws {
        let r = try review(Self.aiVendorText)
        let ai = try XCTUnwrap(r.aiVendor)
        XCTAssertTrue(ai.detected)
        XCTAssertTrue(ai.evidence?.text.contains("AI-powered ambient scribe") == true, "\(String(describing: ai.evidence))")
        XCTAssertEqual(r.element("ai_transparency")?.status, .weak)
        XCTAssertEqual(r.element("ai_change_control")?.status, .missing)
        XCTAssertEqual(r.findings.first { $0.element == "ai_change_control" }?.severity, .medium)
        XCTAssertEqual(r.findings.first { $0.element == "ai_transparency" }?.kind, "weak")
        // Both methods named: either.
        XCTAssertEqual(r.element("deidentification_standard")?.status, .present)
        XCTAssertEqual(r.element("deidentification_standard")?.method, .either)
    }

    func testNonAIVendorHasNoAIFindings() throws {
        let r = try review(Self.plainText)
        XCTAssertEqual(r.aiVendor?.detected, false)
        XCTAssertNil(r.aiVendor?.evidence)
        XCTAssertFalse(r.findings.contains { $0.element == "ai_transparency" || $0.element == "ai_change_control" })
        XCTAssertEqual(r.element("audit_rights")?.status, .present)
        // De-identification with no standard: weak, a medium finding, no method.
        XCTAssertEqual(r.element("deidentification_standard")?.status, .weak)
        XCTAssertEqual(r.element("deidentification_standard")?.method, DeidentificationMethod.none)
        XCTAssertEqual(r.findings.first { $0.element == "deidentification_standard" }?.severity, .medium)
    }

    func testPlaybookKeys() throws {
        let strict = try playbook("""
        name: strict
        audit_rights: required
        deidentification_standard: expert_determination
        ai_diligence_severity: high
        """)
        XCTAssertEqual(strict.auditRights, .required)
        XCTAssertEqual(strict.deidentificationStandard, .expert_determination)
        // The AI vendor names both methods: not the playbook's expert determination alone.
        let r = try review(Self.aiVendorText, playbook: strict)
        XCTAssertEqual(r.findings.first { $0.element == "deidentification_standard" }?.kind, "method")
        XCTAssertEqual(r.findings.first { $0.element == "ai_change_control" }?.severity, .high)
        XCTAssertEqual(r.findings.first { $0.element == "audit_rights" }?.severity, .medium, "required: missing audit rights is medium")
        // Per-element overrides work for the new ids too.
        let quiet = try playbook("elements:\n  audit_rights: {missing: info}\n")
        XCTAssertEqual(try review(Self.aiVendorText, playbook: quiet).findings.first { $0.element == "audit_rights" }?.severity, .info)
        let optional = try playbook("audit_rights: optional\n")
        XCTAssertFalse(try review(Self.aiVendorText, playbook: optional).findings.contains { $0.element == "audit_rights" })
        // Any method satisfies hipaa; either needs a named method.
        XCTAssertTrue(Playbook.satisfies(.hipaa, required: .hipaa))
        XCTAssertFalse(Playbook.satisfies(.hipaa, required: .either))
        XCTAssertFalse(Playbook.satisfies(.either, required: .safe_harbor))
        XCTAssertTrue(Playbook.satisfies(.safe_harbor, required: .either))
    }

    func testPlaybookRejectsBadValues() throws {
        for (yaml, key) in [("deidentification_standard: none\n", "deidentification_standard"),
                            ("deidentification_standard: anonymized\n", "deidentification_standard"),
                            ("audit_rights: sometimes\n", "audit_rights"),
                            ("ai_diligence_severity: urgent\n", "ai_diligence_severity")] {
            XCTAssertThrowsError(try playbook(yaml), yaml) { error in
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }
}
