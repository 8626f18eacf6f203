import BAAClauses
import BAAExtract
@testable import BAAReview
import XCTest

/// Role resolution and the canonical text, on this team's own sentences (never text from ../shared/corpus-real).
final class PartyRolesTests: XCTestCase {
    func resolve(_ text: String) -> PartyRoles {
        RoleResolver().resolve(Document.fromText(text).text)
    }

    func has(_ names: [String], _ name: String) -> Bool { names.contains { $0.lowercased() == name.lowercased() } }

    // MARK: - Resolution

    func testQuotedNamesWithRoleDescriptions() {
        let r = resolve("""
        This Agreement is made between Lakeview Family Medicine, P.C. ("Lakeview"), a covered entity, and Brightline Data LLC ("Brightline"), its business associate.

        1. Brightline shall notify Lakeview of any Breach within ten (10) days.
        """)
        XCTAssertTrue(has(r.ba, "Brightline"), "\(r)")
        XCTAssertTrue(has(r.ce, "Lakeview"), "\(r)")
        XCTAssertFalse(has(r.ba, "Lakeview"))
        XCTAssertEqual(r.source, .preamble)
        XCTAssertEqual(r.offset, 0)
        XCTAssertTrue(r.decidedBy?.hasPrefix("This Agreement is made between Lakeview") == true, r.decidedBy ?? "nil")
    }

    func testHereinafterRoleWords() {
        let r = resolve("""
        This Business Associate Addendum is entered into by and between Northgate Orthopedics (hereinafter "Client") and Quillsoft Inc. (hereinafter "Vendor").
        """)
        XCTAssertTrue(has(r.ba, "Vendor"), "\(r)")
        XCTAssertTrue(has(r.ce, "Client"), "\(r)")
        XCTAssertTrue(has(r.ba, "Quillsoft Inc"), "the company named before the defined name: \(r.ba)")
    }

    func testWeAndYouInClickThroughTerms() {
        let r = resolve("""
        These terms form a binding agreement between Tallow Health, Inc. ("Tallow", "we", "us" or "our") and you, the practice that accepts them ("you" or "your").
        """)
        for n in ["Tallow", "we", "us", "our"] { XCTAssertTrue(has(r.ba, n), "\(n) in \(r.ba)") }
        for n in ["you", "your"] { XCTAssertTrue(has(r.ce, n), "\(n) in \(r.ce)") }
    }

    func testPronounsDefinedInThePreambleAndCoverPageRows() {
        let r = resolve("""
        # Pebble Notes: Business Associate Terms

        These terms form part of the Pebble subscription. "We", "us" and "our" mean Kiln Street Software, Inc. "You" and "your" mean the clinic that accepts these terms.

        ## 1. What we do

        We transcribe visits for you.
        """)
        XCTAssertTrue(has(r.ba, "we") && has(r.ba, "Kiln Street Software, Inc"), "\(r)")
        XCTAssertTrue(has(r.ce, "you"), "\(r)")
        // In a definitions list of general site terms (after the first section) they do not name the parties.
        let late = resolve("""
        Terms of Use

        A. Definitions

        1. "We" and "us" refer to Skylark Web, Inc.
        """)
        XCTAssertTrue(late.ba.isEmpty, "\(late)")
        let table = resolve("""
        | Field | Entry |
        |---|---|
        | Practice | Tamarind Spine Group, LLP |
        | Vendor | Corbel Health, Inc. |
        """)
        XCTAssertTrue(has(table.ce, "Practice") && has(table.ce, "Tamarind Spine Group, LLP"), "\(table)")
        XCTAssertTrue(has(table.ba, "Vendor") && has(table.ba, "Corbel Health"), "\(table)")
    }

    func testYouAsTheHeadOfADeclaration() {
        let r = resolve("""
        This Agreement is made between YOU (hereinafter known as "Covered Entity") and Saltmarsh Records LLC (hereinafter known as "Business Associate").
        """)
        XCTAssertTrue(has(r.ce, "you") && has(r.ce, "your"), "\(r.ce)")
        XCTAssertTrue(has(r.ba, "Saltmarsh Records LLC"), "\(r.ba)")
    }

    func testSubcontractorAgreementSwapsTheRoles() {
        let text = Document.fromText("""
        This Subcontractor Business Associate Agreement is entered into between Corvid Billing LLC ("Business Associate") and Fernleaf Cloud Inc. ("Subcontractor").

        Subcontractor shall notify Business Associate of any Breach within five (5) days.
        """).text
        let r = RoleResolver().resolve(text)
        XCTAssertTrue(r.subcontractorAgreement, "\(r)")
        XCTAssertTrue(has(r.ba, "Subcontractor"), "\(r.ba)")
        XCTAssertTrue(has(r.ce, "Business Associate"), "\(r.ce)")
        // The declaring sentence stays as written; the rest reads the roles.
        let lines = r.canonicalize(text)?.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines?.first, "This Subcontractor Business Associate Agreement is entered into between Corvid Billing LLC (\"Business Associate\") and Fernleaf Cloud Inc. (\"Subcontractor\").")
        XCTAssertEqual(lines?.last, "Business Associate shall notify Covered Entity of any Breach within five (5) days.")
    }

    func testUnquotedTradeNameAndThePractice() {
        let text = Document.fromText("""
        This HIPAA Agreement is entered into by and between Meridian Systems Inc. (Meridia) and the clinic signing below ("the Practice").

        Meridia shall make PHI available to THE Practice.
        """).text
        let r = RoleResolver().resolve(text)
        XCTAssertTrue(has(r.ce, "Practice"), "\(r)")
        XCTAssertTrue(has(r.ba, "Meridia"), "the other party of the sentence: \(r)")
        XCTAssertEqual(r.canonicalize(text)?.text.split(separator: "\n").last.map(String.init),
                       "Business Associate shall make PHI available to Covered Entity.")
    }

    func testTradeNameBesideTheRoleName() {
        let r = resolve("Kestrel Labs, Inc. (Kestrel or Business Associate) hosts the service its customers use.")
        XCTAssertTrue(has(r.ba, "Kestrel"), "\(r)")
    }

    func testPartyLinesAndSignatureBlocks() {
        let r = resolve("""
        BUSINESS ASSOCIATE AGREEMENT

        Covered Entity: Hillcrest Pediatrics (a professional corporation)
        Business Associate: Orbital Scribe
        Effective Date: [DATE]

        1. Orbital Scribe shall use appropriate safeguards.
        """)
        XCTAssertTrue(has(r.ba, "Orbital Scribe"), "\(r)")
        XCTAssertTrue(has(r.ce, "Hillcrest Pediatrics"), "\(r)")
        // A blank stays a blank.
        let blank = resolve("COVERED ENTITY: ____________________\nBUSINESS ASSOCIATE: [Vendor Name]\n")
        XCTAssertTrue(blank.ba.isEmpty && blank.ce.isEmpty, "\(blank)")
    }

    func testDefinitionNamesTheParty() {
        let r = resolve("""
        1. Definitions
        "Business Associate" means Pinecone Analytics, Inc., which hosts the platform.
        "Covered Entity" means the physician group that signs this Agreement.
        """)
        XCTAssertTrue(has(r.ba, "Pinecone Analytics, Inc") || has(r.ba, "Pinecone Analytics"), "\(r)")
        XCTAssertTrue(has(r.ba, "Pinecone Analytics"), "the short form too: \(r.ba)")
        XCTAssertEqual(r.source, .definition)
    }

    func testRecitalsDecideNamedParties() {
        let r = resolve("""
        This Agreement is made between Marlow Orthopedics, LLC ("Marlow") and Petrel Cloud Inc. ("Petrel").

        WHEREAS, Marlow is a covered entity under HIPAA; and

        WHEREAS, Petrel hosts Marlow's scheduling system and is a business associate.

        1. Petrel shall not use or disclose PHI other than as this Agreement permits.
        """)
        XCTAssertTrue(has(r.ce, "Marlow"), "\(r)")
        XCTAssertTrue(has(r.ba, "Petrel"), "\(r)")
        let r2 = resolve("""
        This Agreement is made between Marlow Orthopedics, LLC ("Marlow") and Petrel Cloud Inc. ("Petrel").

        Petrel provides hosting to Marlow and in doing so acts as Marlow's business associate.
        """)
        XCTAssertTrue(has(r2.ce, "Marlow") && has(r2.ba, "Petrel"), "\(r2)")
    }

    func testMarkdownPartiesLineAndRepresentatives() {
        let r = resolve("""
        # Business Associate Agreement

        **Parties.** Gullwing Eye Associates, PLLC ("**Covered Entity**") and Lanternfish Imaging, Inc. ("**Business Associate**").

        **Covered Entity:** Gullwing Eye Associates
        """)
        XCTAssertTrue(has(r.ce, "Gullwing Eye Associates, PLLC") && has(r.ba, "Lanternfish Imaging, Inc"), "\(r)")
        let r2 = resolve("""
        Parties: Sorrel Home Care, Inc. (the "Agency") and Tidepool Routing Co. (the "Contractor").

        Covered Entity: Sorrel Home Care, represented by Dana Whitlock ("Covered Entity"); and
        """)
        XCTAssertTrue(has(r2.ba, "Contractor") && has(r2.ce, "Agency"), "\(r2)")
        XCTAssertFalse(has(r2.ce, "Dana Whitlock"), "a representative is not the party: \(r2)")
    }

    func testBetweenTheRoleNameAndADefinedWord() {
        let r = resolve("These standard terms are entered into between Business Associate and Subscriber by signing an Order.")
        XCTAssertTrue(has(r.ce, "Subscriber"), "\(r)")
    }

    func testOtherDefinedTermsAreNotParties() {
        let r = resolve("""
        Business Associate will report any Breach to Covered Entity ("Breach Report") within five days.
        Business Associate may engage agents (each a "Subcontractor") that agree to the same restrictions.
        Northwind Health ("Northwind") shall receive the report within the Response Period ("Response Period").
        """)
        XCTAssertFalse(has(r.ba, "Breach Report") || has(r.ce, "Breach Report"), "\(r)")
        XCTAssertFalse(r.subcontractorAgreement, "\(r)")
        XCTAssertFalse(has(r.ba, "Subcontractor"), "\(r)")
        XCTAssertFalse(has(r.ba, "Northwind") || has(r.ce, "Northwind"), "no role said for Northwind: \(r)")
    }

    func testNothingToResolve() {
        let r = resolve("The parties agree that the services will be provided as described in the order.")
        XCTAssertEqual(r.source, .none)
        XCTAssertTrue(r.ba.isEmpty && r.ce.isEmpty)
    }

    // MARK: - Canonical text

    func testDocumentThatAlreadySaysTheRolesIsUnchanged() throws {
        let text = Document.fromText("""
        This Agreement is between Ashford Clinic ("Covered Entity") and Tern Systems ("Business Associate").
        Business Associate shall notify Covered Entity of any Breach within five (5) days.
        """).text
        let r = RoleResolver().resolve(text)
        XCTAssertTrue(has(r.ba, "Tern Systems") && has(r.ce, "Ashford Clinic"), "the company names are reported: \(r)")
        // They appear only in the sentence that declares them, which stays as written: nothing changes.
        XCTAssertNil(r.canonicalize(text), "a no-op map")
        let report = Reviewer(library: try Paths.library()).review(Document.fromText(text))
        XCTAssertEqual(report.parties?.canonicalized, false)
    }

    func testPronounsPossessivesAndUS() throws {
        let r = PartyRoles(ba: ["we", "us", "our"], ce: ["you", "your"], source: .preamble)
        let text = "We will notify you of a Breach; our subcontractors store your PHI only in the US. You'll get notice; we're liable to us."
        let c = try XCTUnwrap(r.canonicalize(text))
        // Possessives stay as written (PartyRoles.possessivesAsRoles); "US" is the United States, never "us".
        XCTAssertEqual(c.text, "Business Associate will notify Covered Entity of a Breach; our subcontractors store your PHI only in the US. Covered Entity will get notice; Business Associate is liable to Business Associate.")
    }

    func testDataAndAgreementCompoundsKeepTheirWords() {
        let r = PartyRoles(ba: ["Vendor"], ce: ["Customer"], source: .preamble)
        let text = "Vendor shall protect Customer Data under the Vendor Agreement and notify the Customer."
        XCTAssertEqual(r.canonicalize(text)?.text, "Business Associate shall protect Customer Data under the Vendor Agreement and notify Covered Entity.")
        // Only whole words in their own case: "Vendors", "vendor" and "Customer-facing" are not the names.
        XCTAssertNil(r.canonicalize("Vendors and any vendor of Customer-facing tools."))
        // Capitals stay capitals (headings, signature blocks).
        XCTAssertEqual(r.canonicalize("ARTICLE 2. OBLIGATIONS OF VENDOR")?.text, "ARTICLE 2. OBLIGATIONS OF BUSINESS ASSOCIATE")
    }

    func testOffsetMapPointsBackToTheOriginal() throws {
        let r = PartyRoles(ba: ["Brightline", "we"], ce: ["the Practice", "Practice"], source: .preamble)
        let original = "é Brightline shall notify the Practice; we report to Practice's officer within 5 days."
        let c = try XCTUnwrap(r.canonicalize(original))
        XCTAssertEqual(c.text, "é Business Associate shall notify Covered Entity; Business Associate report to Covered Entity's officer within 5 days.")
        let o = Array(original.utf8), t = Array(c.text.utf8)
        func slice(_ b: [UInt8], _ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func find(_ s: String, in b: [UInt8]) -> Range<Int> {
            let n = Array(s.utf8)
            for i in 0...(b.count - n.count) where Array(b[i..<(i + n.count)]) == n { return i..<(i + n.count) }
            return 0..<0
        }
        // A replaced name maps to the original name; a span across names maps to the original words.
        XCTAssertEqual(slice(o, c.map.range(find("Business Associate shall", in: t))), "Brightline shall")
        XCTAssertEqual(slice(o, c.map.range(find("notify Covered Entity;", in: t))), "notify the Practice;")
        XCTAssertEqual(slice(o, c.map.range(find("Covered Entity's officer within 5 days.", in: t))), "Practice's officer within 5 days.")
        XCTAssertEqual(slice(o, c.map.range(find("é", in: t))), "é")
        // A position inside a replacement maps to the whole original name.
        let inside = find("Associate", in: t)
        XCTAssertEqual(slice(o, c.map.range(inside)), "Brightline")
        XCTAssertEqual(c.map.range(t.count..<t.count), o.count..<o.count)
    }

    /// Random drafts from party-ish pieces (quotes, parentheses, role words, pronouns, multi-byte letters): resolution
    /// and the canonical text never trap, and the map keeps every unchanged byte and points each name back to itself.
    func testRandomDraftsKeepTheMapConsistent() throws {
        let pieces = ["This Agreement is made between ", "Acme Health, Inc. ", "(\"Acme\")", ", a covered entity, and ", "Zeta LLC ",
                      "(\"Vendor\")", "(hereinafter \"Client\")", " (\"we\", \"us\" or \"our\")", "you ", "(\"you\")", "Business Associate: Orrin Co.",
                      "\n", "\n\n", "WHEREAS, Acme is a covered entity; ", "Vendor shall notify the Client ", "our ", "US ", "Ünïcødé ",
                      "\"Covered Entity\" means Kappa Clinic, ", "Subcontractor ", "(\"Subcontractor\")", "(\"Business Associate\")", "THE CLIENT ",
                      "Customer Data ", "(", ")", "\"", ". ", "Inc. ", "Zeta's business associate ", "€ ", "🙂"]
        // Seeded (SplitMix64), so a failure reproduces.
        struct Seeded: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
        var rng = Seeded(state: 13)
        var changed = 0
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &rng) { text += pieces.randomElement(using: &rng) ?? "" }
            let doc = Document.fromText(text).text
            let roles = RoleResolver().resolve(doc)
            guard let c = roles.canonicalize(doc) else { continue }
            changed += 1
            let o = Array(doc.utf8), t = Array(c.text.utf8)
            XCTAssertEqual(c.map.range(0..<t.count), 0..<o.count)
            XCTAssertEqual(o.filter { $0 == 10 }.count, t.filter { $0 == 10 }.count, "paragraphs are kept")
            for (canonical, original) in zip(c.map.canonical, c.map.original) {
                XCTAssertEqual(c.map.range(canonical), original)
                let role = String(decoding: t[canonical], as: UTF8.self)
                XCTAssertTrue(["Business Associate", "Covered Entity", "Business Associate's", "Covered Entity's"].contains(role)
                              || role.hasPrefix("Business Associate ") || role.hasPrefix("Covered Entity ") || role == role.uppercased(), role)
            }
        }
        XCTAssertGreaterThan(changed, 10, "drafts that read their parties as roles")
    }

    // MARK: - Review

    func library() throws -> ClauseLibrary { try Paths.library() }

    func testEvidenceAndDeadlineReferToTheOriginalText() throws {
        let text = """
        BUSINESS ASSOCIATE AGREEMENT

        This Agreement is entered into by and between Alder Creek Dental, P.C. ("Practice") and Wrenfield Software LLC ("Vendor").

        1. Reporting

        1.1 Vendor shall notify the Practice of any Breach of Unsecured PHI without unreasonable delay and in no case later than ten (10) business days after discovery.
        """
        let doc = Document.fromText(text, path: "roles.md", format: .markdown)
        let report = Reviewer(library: try library()).review(doc)
        let parties = try XCTUnwrap(report.parties)
        XCTAssertTrue(parties.canonicalized)
        XCTAssertTrue(has(parties.ba, "Vendor") && has(parties.ce, "Practice"), "\(parties)")
        XCTAssertEqual(parties.page, 1)
        XCTAssertEqual(parties.line, 3)
        let breach = try XCTUnwrap(report.element("breach_notification"))
        XCTAssertEqual(breach.status, .present)
        XCTAssertEqual(breach.deadline?.value, 10)
        XCTAssertEqual(breach.deadline?.unit, .business_days)
        let e = try XCTUnwrap(breach.evidence.first)
        XCTAssertTrue(e.text.hasPrefix("1.1 Vendor shall notify the Practice"), e.text)
        let bytes = Array(doc.text.utf8)
        let quoted = String(decoding: bytes[e.start..<e.end], as: UTF8.self)
        XCTAssertTrue(e.text.contains(quoted), "span \(quoted) inside \(e.text)")
        XCTAssertFalse(quoted.contains("Business Associate") || quoted.contains("Covered Entity"), quoted)
        XCTAssertEqual(e.section, "1.1")
        XCTAssertEqual(e.line, 7)
    }

    func testIndemnityDirectionFollowsTheRoles() throws {
        let lib = try library()
        func status(_ text: String) -> ElementStatus? {
            Reviewer(library: lib).review(Document.fromText(text)).element("indemnification")?.status
        }
        let preamble = "This Agreement is made between Harbor Pediatrics, P.C. (\"Harbor\"), a covered entity, and Zephyr Analytics LLC (\"Zephyr\"), its business associate.\n\n"
        // The covered entity indemnifying the business associate is not the element (ELEMENTS.md).
        XCTAssertEqual(status(preamble + "7. Harbor shall indemnify, defend and hold harmless Zephyr from any claims arising from Harbor's breach of this Agreement involving PHI."), .missing)
        XCTAssertEqual(status(preamble + "7. Zephyr shall indemnify, defend and hold harmless Harbor from any claims arising from Zephyr's breach of this Agreement involving PHI."), .present)
    }

    func testOverrideFromTheCommandLine() throws {
        let text = "Provider shall notify Company of any Breach of Unsecured PHI within five (5) days after discovery."
        let reviewer = Reviewer(library: try library())
        reviewer.partyOverride = PartyRoles.override(ba: ["Provider"], ce: ["Company"])
        let report = reviewer.review(Document.fromText(text))
        XCTAssertEqual(report.parties?.source, .override)
        XCTAssertEqual(report.parties?.canonicalized, true)
        XCTAssertEqual(report.element("breach_notification")?.deadline?.value, 5)
        XCTAssertTrue(report.element("breach_notification")?.evidence.first?.text.hasPrefix("Provider shall notify Company") == true)
    }

    func testTeamAgreementRenamedKeepsItsVerdicts() throws {
        // A short agreement in the standard form, and the same with the parties given names.
        let body = """
        1. Permitted Uses. Business Associate may use and disclose PHI only to perform the Services for Covered Entity and as Required by Law.
        2. Safeguards. Business Associate shall implement administrative, physical and technical safeguards and comply with Subpart C of 45 CFR Part 164.
        3. Reporting. Business Associate shall report to Covered Entity any use or disclosure not provided for by this Agreement and any Security Incident, and shall notify Covered Entity of a Breach of Unsecured PHI within five (5) business days after discovery.
        4. Subcontractors. Business Associate shall ensure that any subcontractor agrees to the same restrictions and conditions that apply to Business Associate.
        5. Termination. Covered Entity may terminate this Agreement if Business Associate has violated a material term and has not cured it within thirty (30) days.
        6. Indemnity. Business Associate shall indemnify Covered Entity against claims arising from Business Associate's breach of this Agreement.
        """
        let original = "This Business Associate Agreement is entered into between Covered Entity and Business Associate.\n\n" + body
        let renamed = "This Agreement is between Harbor Pediatrics, P.C. (\"Harbor\"), a covered entity, and Zephyr Analytics LLC (\"Zephyr\"), its business associate.\n\n"
            + original.replacingOccurrences(of: "Business Associate Agreement", with: "\u{1}")
                .replacingOccurrences(of: "Business Associate", with: "Zephyr").replacingOccurrences(of: "Covered Entity", with: "Harbor")
                .replacingOccurrences(of: "\u{1}", with: "Business Associate Agreement")
        let reviewer = Reviewer(library: try library())
        let a = reviewer.review(Document.fromText(original)), b = reviewer.review(Document.fromText(renamed))
        XCTAssertEqual(b.parties?.canonicalized, true)
        for e in a.elements {
            let r = try XCTUnwrap(b.element(e.id))
            XCTAssertEqual(e.status, r.status, e.id)
            XCTAssertEqual(e.stance, r.stance, e.id)
            XCTAssertEqual(e.deadline?.value, r.deadline?.value, e.id)
        }
        XCTAssertEqual(a.element("indemnification")?.status, .present)
        XCTAssertEqual(a.element("breach_notification")?.deadline?.value, 5)
    }
}
