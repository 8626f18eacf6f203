import BAABatch
import BAAClauses
import BAAReview
import Foundation
import XCTest

/// The vendor view on hand-made reports (independent of the clause library's wording).
final class VendorMergeUnitTests: XCTestCase {
    func evidence(_ text: String) -> [String: Any] {
        ["text": text, "page": 1, "line": 3, "start": 0, "end": 10, "rule": "r"]
    }

    func element(_ id: String, _ status: String, stance: String? = nil, deadline: Int? = nil, ev: String? = nil) -> [String: Any] {
        var e: [String: Any] = ["id": id, "title": id, "kind": "required", "status": status, "severity": "info", "citation": "164",
                                "evidence": ev.map { [evidence($0)] } ?? [], "rules_fired": [String](), "vetoed": [Any]()]
        if let stance { e["stance"] = stance }
        if let deadline { e["deadline"] = ["value": deadline, "unit": "calendar_days", "text": "\(deadline) days"] }
        return e
    }

    func finding(_ path: String, _ element: String, _ kind: String, _ severity: String) -> [String: Any] {
        ["fingerprint": Finding.fingerprint(path: path, element: element, kind: kind), "element": element, "kind": kind, "severity": severity,
         "title": "\(element) \(kind)", "detail": "d", "citation": "164", "recommendation": "r", "evidence": [Any]()]
    }

    func document(_ path: String, date: String?, amending: Bool, elements: [[String: Any]], findings: [[String: Any]] = []) throws -> BatchDocument {
        let report: [String: Any] = [
            "schema_version": 1, "tool": ["name": "baa", "version": "0", "clause_library": ["version": "t", "sha256": "x"]],
            "document": ["path": path, "sha256": "s", "format": "text", "pages": 1, "ocr_pages": [Int](), "warnings": [String]()],
            "score": 100, "risk": "low", "elements": elements, "findings": findings,
            "scoring": ["base": 100, "contributions": [Any](), "playbook": "p", "bands": [Any]()],
        ]
        let doc: [String: Any] = ["path": path, "relative_path": path, "vendor": "v", "cached": false,
                                  "dating": ["date": date as Any, "amending": amending], "report": report]
        return try JSONDecoder().decode(BatchDocument.self, from: JSONSerialization.data(withJSONObject: doc))
    }

    let view = VendorView(library: nil, playbook: Playbook())

    func testLaterAmendmentWinsAndShowsBothEvidences() throws {
        let baa = try document("v/baa.md", date: "2024-01-10", amending: false,
                               elements: [element("breach_notification", "weak", deadline: 90, ev: "within ninety (90) days")],
                               findings: [finding("v/baa.md", "breach_notification", "too_late", "critical")])
        let amendment = try document("v/amendment.md", date: "2025-03-01", amending: true,
                                     elements: [element("breach_notification", "present", deadline: 30, ev: "within thirty (30) calendar days")])
        // Order of input does not matter: the dates do.
        let v = view.build(name: "v", loose: false, documents: [amendment, baa], errors: [])
        let e = try XCTUnwrap(v.elements.first)
        XCTAssertEqual(e.status, .present)
        XCTAssertEqual(e.deadline?.value, 30)
        XCTAssertEqual(e.evidence.map(\.file), ["v/amendment.md", "v/baa.md"])
        XCTAssertEqual(e.evidence.map(\.text), ["within thirty (30) calendar days", "within ninety (90) days"])
        XCTAssertTrue(v.findings.isEmpty)
        XCTAssertEqual(v.score, 100)
        XCTAssertEqual(v.supersessions.map(\.element), ["breach_notification"])
        XCTAssertEqual(v.supersessions.first?.winner, "v/amendment.md")
        XCTAssertEqual(v.supersessions.first?.replaced, ["v/baa.md"])
    }

    func testAmendmentThatWeakensATermStillReplacesIt() throws {
        let baa = try document("v/baa.md", date: "2024-01-10", amending: false, elements: [element("subcontractors", "present", ev: "same restrictions")])
        let amendment = try document("v/amendment.md", date: "2025-03-01", amending: true,
                                     elements: [element("subcontractors", "weak", ev: "substantially similar")],
                                     findings: [finding("v/amendment.md", "subcontractors", "weak", "medium")])
        let v = view.build(name: "v", loose: false, documents: [baa, amendment], errors: [])
        XCTAssertEqual(v.elements.first?.status, .weak)
        XCTAssertEqual(v.findings.map(\.kind), ["weak"])
        XCTAssertEqual(v.findings.first?.fingerprint, Finding.fingerprint(path: "vendor/v", element: "subcontractors", kind: "weak"))
        XCTAssertEqual(v.findings.first?.evidence.first?.file, nil, "the finding had no evidence of its own")
        XCTAssertEqual(v.score, 95)
        XCTAssertEqual(v.counts["medium"], 1)
    }

    func testTermInAnyOriginalCountsAndUndatedAmendmentStillWins() throws {
        let baa = try document("v/baa.md", date: nil, amending: false, elements: [element("access", "missing")],
                               findings: [finding("v/baa.md", "access", "missing", "high")])
        let msa = try document("v/msa.md", date: "2024-02-01", amending: false, elements: [element("access", "present", ev: "shall provide access")])
        var v = view.build(name: "v", loose: false, documents: [baa, msa], errors: [])
        XCTAssertEqual(v.elements.first?.status, .present)
        XCTAssertEqual(v.elements.first?.evidence.first?.file, "v/msa.md")
        XCTAssertTrue(v.findings.isEmpty)

        let undated = try document("v/amend.md", date: nil, amending: true, elements: [element("access", "weak", ev: "may provide access")],
                                   findings: [finding("v/amend.md", "access", "weak", "medium")])
        v = view.build(name: "v", loose: false, documents: [baa, msa, undated], errors: [])
        XCTAssertEqual(v.elements.first?.status, .weak, "an amending document replaces originals whatever its date")
    }

    func testStanceTakesThePermissionHiddenInTheMSA() throws {
        let baa = try document("v/baa.md", date: "2024-03-03", amending: false, elements: [element("ai_training", "missing", stance: "silent")],
                               findings: [finding("v/baa.md", "ai_training", "ai_silent", "high")])
        let msa = try document("v/msa.md", date: "2024-03-03", amending: false, elements: [element("ai_training", "present", stance: "permitted", ev: "improve the Services")],
                               findings: [finding("v/msa.md", "ai_training", "ai_permitted", "high")])
        var v = view.build(name: "v", loose: false, documents: [baa, msa], errors: [])
        XCTAssertEqual(v.flags.aiTraining, "permitted")
        XCTAssertEqual(v.findings.map(\.kind), ["ai_permitted"])

        let addendum = try document("v/ai-addendum.md", date: "2025-09-01", amending: true,
                                    elements: [element("ai_training", "present", stance: "prohibited", ev: "shall not train")])
        v = view.build(name: "v", loose: false, documents: [baa, msa, addendum], errors: [])
        XCTAssertEqual(v.flags.aiTraining, "prohibited")
        XCTAssertTrue(v.findings.isEmpty)
        XCTAssertEqual(v.supersessions.first?.replaced, ["v/msa.md"])
    }
}
