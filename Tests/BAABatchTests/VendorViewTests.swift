import BAABatch
import Foundation
import XCTest

/// The vendor view: terms across documents, later amendments replacing earlier terms.
final class VendorViewTests: XCTestCase {
    func vendor(_ report: [String: Any], _ name: String) throws -> [String: Any] {
        try XCTUnwrap((report["vendors"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name })
    }

    func element(_ vendor: [String: Any], _ id: String) throws -> [String: Any] {
        try XCTUnwrap((vendor["elements"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id })
    }

    func testLaterAmendmentReplacesTheBreachWindowAndBothEvidencesAreShown() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let r = try BatchCLI.json(BatchCLI.run(["batch", vendors.path, "--format", "json", "--no-cache"]).stdout)
        let northwind = try vendor(r, "northwind")
        let breach = try element(northwind, "breach_notification")
        // The BAA says 90 days (beyond HIPAA's 60); Amendment No. 1 (later) says 30.
        XCTAssertEqual((breach["deadline"] as? [String: Any])?["value"] as? Int, 30)
        let files = (breach["evidence"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        XCTAssertTrue(files.first?.hasSuffix("c028-northwind-amendment-30-days.md") ?? false, "\(files)")
        XCTAssertTrue(files.contains { $0.hasSuffix("c011-northwind-billing-baa-90-days.md") }, "the replaced term is shown too")
        let findings = northwind["findings"] as? [[String: Any]] ?? []
        XCTAssertFalse(findings.contains { $0["element"] as? String == "breach_notification" && $0["kind"] as? String == "too_late" })
        let supersessions = northwind["supersessions"] as? [[String: Any]] ?? []
        XCTAssertTrue(supersessions.contains { $0["element"] as? String == "breach_notification" })

        // The same BAA reviewed alone is too late.
        let alone = (r["documents"] as? [[String: Any]] ?? []).first { ($0["path"] as? String)?.hasSuffix("c011-northwind-billing-baa-90-days.md") ?? false }
        let aloneFindings = ((alone?["report"] as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        XCTAssertTrue(aloneFindings.contains { $0["kind"] as? String == "too_late" })
    }

    func testTermInAnotherDocumentCountsAndAddendumWinsOverMSA() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let r = try BatchCLI.json(BatchCLI.run(["batch", vendors.path, "--format", "json", "--no-cache"]).stdout)
        let acme = try vendor(r, "acme")
        let ai = try element(acme, "ai_training")
        // The MSA permits using de-identified/usage data to improve the service; the later AI addendum prohibits training.
        XCTAssertEqual(ai["stance"] as? String, "prohibited")
        let files = (ai["evidence"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        XCTAssertTrue(files.first?.hasSuffix("c026-acme-ai-addendum.md") ?? false, "\(files)")
        XCTAssertEqual(((acme["flags"] as? [String: Any])?["ai_training"]) as? String, "prohibited")
        // Vendor findings carry vendor fingerprints, distinct from any document's.
        let docFingerprints = Set((r["documents"] as? [[String: Any]] ?? []).flatMap {
            (($0["report"] as? [String: Any])?["findings"] as? [[String: Any]] ?? []).map { $0["fingerprint"] as! String }
        })
        for v in r["vendors"] as? [[String: Any]] ?? [] {
            for f in v["findings"] as? [[String: Any]] ?? [] { XCTAssertFalse(docFingerprints.contains(f["fingerprint"] as! String)) }
        }
    }

    func testDocumentDating() {
        XCTAssertEqual(DocumentDating.firstDate(in: "Effective date of this amendment: January 15, 2026"), "2026-01-15")
        XCTAssertEqual(DocumentDating.firstDate(in: "made this 3rd day of March, 2024 between"), "2024-03-03")
        XCTAssertEqual(DocumentDating.firstDate(in: "Effective: 2025-09-01"), "2025-09-01")
        XCTAssertEqual(DocumentDating.firstDate(in: "dated 03/01/2025"), "2025-03-01")
        XCTAssertEqual(DocumentDating.firstDate(in: "Sept. 9, 2025"), "2025-09-09")
        XCTAssertNil(DocumentDating.firstDate(in: "within thirty (30) days of March"))
        XCTAssertEqual(DocumentDating.firstDate(in: "13/45/2025, then June 2, 2024"), "2024-06-02", "first valid date only")
        let amendment = DocumentDating.of(text: "AMENDMENT NO. 1 TO THE BUSINESS ASSOCIATE AGREEMENT\nEffective January 15, 2026\n", path: "x/a.txt")
        XCTAssertEqual(amendment, DocumentDating(date: "2026-01-15", amending: true))
        let baa = DocumentDating.of(text: "Business Associate Agreement\nThis Agreement may be amended in writing.\n", path: "x/baa.md")
        XCTAssertEqual(baa, DocumentDating(date: nil, amending: false))
        XCTAssertEqual(DocumentDating.of(text: "Terms\n", path: "v/2024-05-01-amendment.md"), DocumentDating(date: "2024-05-01", amending: true))
        // A "HIPAA Addendum" is the agreement itself; an AI addendum supplements it.
        XCTAssertEqual(DocumentDating.of(text: "# Harborview Cloud — HIPAA Addendum\n*Version 3.2 — last updated January 2025*\n", path: "v/2025-01-hipaa-addendum-v3.2.md"),
                       DocumentDating(date: "2025-01-01", amending: false))
        XCTAssertTrue(DocumentDating.of(text: "# ACME — ARTIFICIAL INTELLIGENCE DATA USE ADDENDUM\n", path: "v/x.md").amending)
        XCTAssertTrue(DocumentDating.of(text: "# First Amendment to HIPAA Addendum\n", path: "v/x.md").amending)
        XCTAssertTrue(DocumentDating.of(text: "Terms\n", path: "v/amended-and-restated.pdf").amending)
    }
}

/// The sample vendor folder (Corpus/vendors, see its README): the batch reads each vendor as a whole.
final class CorpusVendorsTests: XCTestCase {
    func testSampleVendorFolder() throws {
        let folder = BatchCLI.root.appendingPathComponent("Corpus/vendors")
        guard FileManager.default.fileExists(atPath: folder.path) else { throw XCTSkip("Corpus/vendors is not there yet") }
        let table = try BatchCLI.run(["batch", folder.path, "--no-cache"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.hasPrefix("VENDOR"))
        XCTAssertFalse(table.stdout.contains("README"), "the folder's README is not a vendor")
        XCTAssertEqual(try BatchCLI.run(["batch", folder.path, "--no-cache", "--fail-on-error"]).status, 2, "broken.pdf and empty.txt")

        let r = try BatchCLI.json(BatchCLI.run(["batch", folder.path, "--no-cache", "--format", "json"]).stdout)
        XCTAssertEqual(BatchCLI.counts(r)["errors"], 2)
        func element(_ vendor: String, _ id: String) -> [String: Any]? {
            let v = (r["vendors"] as? [[String: Any]] ?? []).first { $0["name"] as? String == vendor }
            return (v?["elements"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id }
        }
        // Amendment No. 1 (2026) sets ten calendar days over the BAA's "promptly"; the AI addendum prohibits training.
        XCTAssertEqual((element("acme-scribe-ai", "breach_notification")?["deadline"] as? [String: Any])?["value"] as? Int, 10)
        XCTAssertEqual(element("acme-scribe-ai", "subcontractors")?["status"] as? String, "present")
        XCTAssertEqual(element("acme-scribe-ai", "ai_training")?["stance"] as? String, "prohibited")
        // Northwind's amendment replaces 90 days with 30.
        XCTAssertEqual((element("northwind-billing", "breach_notification")?["deadline"] as? [String: Any])?["value"] as? Int, 30)
        // Harborview's first amendment fixes the flow-down.
        XCTAssertEqual(element("harborview-cloud", "subcontractors")?["status"] as? String, "present")
    }
}
