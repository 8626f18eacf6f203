import BAAClauses
import BAAReview
import Foundation

/// Builds a vendor's verdicts from its documents' reports, as if they were one agreement in date order,
/// except that amending documents replace terms:
///
/// 1. Documents are ordered by date (undated first), originals before amending documents of the same
///    date, then by path.
/// 2. If an amending document (Amendment/Addendum, see `DocumentDating`) addresses an element (a stance
///    other than silent; a status other than missing), the latest such document's verdict wins, and the
///    evidence of the earlier documents that addressed it is kept after the winner's, each with its file.
/// 3. Otherwise the verdict is the best across documents: for stance elements the first stance in the
///    element's precedence that any document takes; for others the best status (present > weak > missing),
///    the earliest document on a tie.
/// 4. The element's findings are the winning document's findings for it, with a vendor fingerprint
///    (`Finding.fingerprint(path: "vendor/<name>", ...)`) so tickets de-duplicate per vendor.
/// 5. Score and risk: 100 minus the playbook's points per finding, floored at 0; risk from its bands.
///
/// Before all this, a full agreement that a later full version of the same agreement replaces (`versions`) is set
/// aside: its verdicts no longer count, and the vendor's `superseded` says which file replaced which. The later
/// version also replaces, element by element, the terms of amending documents dated before it (an amendment of
/// the old version) where it addresses the same element.
public struct VendorView {
    public var library: ClauseLibrary?
    public var playbook: Playbook

    public init(library: ClauseLibrary?, playbook: Playbook) { self.library = library; self.playbook = playbook }

    public static func order(_ docs: [BatchDocument]) -> [BatchDocument] {
        docs.sorted { a, b in
            (a.dating.date ?? "", a.dating.amending ? 1 : 0, a.relativePath) < (b.dating.date ?? "", b.dating.amending ? 1 : 0, b.relativePath)
        }
    }

    static func addresses(_ e: ElementResult) -> Bool {
        if ElementCatalog.stanceElements.contains(e.id) { return (e.stance ?? .silent) != .silent }
        return e.status != .missing
    }

    public static func fingerprintPath(vendor: String) -> String { "vendor/\(vendor)" }

    /// Full agreements replaced by later full versions of the same agreement: for each document set aside, the
    /// latest version that replaces it (in `order`), with what `baa diff` finds between the two. Two documents are
    /// versions of one agreement when neither is amending and `ReportDiff.sameAgreement` says so (both full BAAs,
    /// the same covered entity and business associate where both name them).
    public static func versions(_ ordered: [BatchDocument]) -> [SupersededVersion] {
        let full = ordered.filter { !$0.dating.amending && ReportDiff.isFullAgreement($0.report) }
        var out: [SupersededVersion] = []
        for (i, older) in full.enumerated() {
            guard let newer = full[(i + 1)...].last(where: { ReportDiff.sameAgreement(older.report, $0.report).same }) else { continue }
            let diff = ReportDiff.compare(old: older.report, new: newer.report)
            out.append(SupersededVersion(file: older.path, by: newer.path, fileDate: older.dating.date, byDate: newer.dating.date,
                                         reason: ReportDiff.sameAgreement(older.report, newer.report).reason,
                                         changed: diff.changed.map(\.id), regressions: diff.regressions, scoreDelta: diff.scoreDelta))
        }
        return out
    }

    public func build(name: String, loose: Bool, documents: [BatchDocument], errors: [BatchError]) -> VendorReport {
        let all = VendorView.order(documents)
        let superseded = VendorView.versions(all)
        let setAside = Set(superseded.map(\.file))
        let replacing = Set(superseded.map(\.by))
        let docs = all.filter { !setAside.contains($0.path) }
        var elements: [ElementResult] = []
        var findings: [Finding] = []
        var supersessions: [Supersession] = []
        var ids: [String] = []
        for d in docs { for e in d.report.elements where !ids.contains(e.id) { ids.append(e.id) } }
        let fpPath = VendorView.fingerprintPath(vendor: name)

        for id in ids {
            var results = docs.compactMap { d in d.report.element(id).map { (doc: d, element: $0) } }
            // A later full version that addresses the element replaces the terms of amendments dated before it.
            var overridden: [(doc: BatchDocument, element: ElementResult)] = []
            if let version = results.last(where: { replacing.contains($0.doc.path) && VendorView.addresses($0.element) }), let vDate = version.doc.dating.date {
                overridden = results.filter { r in
                    r.doc.dating.amending && VendorView.addresses(r.element) && (r.doc.dating.date.map { $0 < vDate } ?? false)
                }
                let gone = Set(overridden.map(\.doc.path))
                results.removeAll { gone.contains($0.doc.path) }
            }
            guard let first = results.first else { continue }
            let addressing = results.filter { VendorView.addresses($0.element) }
            var winner = first
            var replaced: [(doc: BatchDocument, element: ElementResult)] = []
            if let last = addressing.last(where: { $0.doc.dating.amending }) {
                winner = last
                replaced = addressing.filter { $0.doc.path != last.doc.path }
            } else if ElementCatalog.stanceElements.contains(id) {
                let precedence = library?.spec.element(id)?.precedence.map(\.rawValue) ?? ["permitted", "prohibited"]
                if let v = precedence.first(where: { v in results.contains { $0.element.stance?.rawValue == v } }),
                   let w = results.first(where: { $0.element.stance?.rawValue == v }) {
                    winner = w
                } else if let w = results.first(where: { $0.element.status == .weak }) {
                    winner = w
                }
            } else if let best = results.map(\.element.status).max(), let w = results.first(where: { $0.element.status == best }) {
                winner = w
                // AI transparency and change control are owed by an AI vendor: on a tie, the verdict (and its
                // findings) of a document that says AI processes the data.
                if ElementCatalog.aiVendorElements.contains(id),
                   let ai = results.first(where: { $0.element.status == best && $0.doc.report.aiVendor?.detected == true }) {
                    winner = ai
                }
            }
            var element = winner.element
            element.evidence = element.evidence.map { var e = $0; e.file = winner.doc.path; return e }
            for r in replaced {
                element.evidence += r.element.evidence.prefix(1).map { var e = $0; e.file = r.doc.path; return e }
            }
            if !overridden.isEmpty && replacing.contains(winner.doc.path) { replaced += overridden }
            if !replaced.isEmpty {
                supersessions.append(Supersession(element: id, winner: winner.doc.path, replaced: replaced.map(\.doc.path)))
            }
            for f in winner.doc.report.findings where f.element == id {
                var v = f
                v.fingerprint = Finding.fingerprint(path: fpPath, element: f.element, kind: f.kind)
                v.evidence = f.evidence.map { var e = $0; e.file = winner.doc.path; return e }
                if !replaced.isEmpty {
                    v.detail += " (From \(winner.doc.relativePath), which replaces \(replaced.map(\.doc.relativePath).joined(separator: ", ")).)"
                }
                findings.append(v)
            }
            elements.append(element)
        }
        findings.sort { ($0.severity.rank, $1.element, $1.kind) > ($1.severity.rank, $0.element, $0.kind) }
        var contributions: [Contribution] = []
        var total = 0
        var counts: [String: Int] = [:]
        for s in Severity.allCases { counts[s.rawValue] = 0 }
        for f in findings {
            let pts = playbook.points(for: f.severity)
            total += pts
            counts[f.severity.rawValue, default: 0] += 1
            contributions.append(.make(fingerprint: f.fingerprint, element: f.element, severity: f.severity, points: pts))
        }
        let score = max(0, 100 - total)
        func flag(_ id: String) -> String {
            guard let e = elements.first(where: { $0.id == id }) else { return "-" }
            if let s = e.stance { return s.rawValue }
            if let d = e.deadline, e.status != .missing { return "\(e.status.rawValue) (\(d.description))" }
            return e.status.rawValue
        }
        // An AI vendor if any of its documents says AI processes the data; the evidence of the first that does.
        var aiVendor = AIVendor(detected: false, evidence: nil)
        if let d = docs.first(where: { $0.report.aiVendor?.detected == true }), let ai = d.report.aiVendor {
            aiVendor = AIVendor(detected: true, evidence: ai.evidence.map { var e = $0; e.file = d.path; return e })
        }
        func aiColumn() -> String {
            guard aiVendor.detected else { return "no" }
            return "yes (disclosure \(flag("ai_transparency")), change notice \(flag("ai_change_control")))"
        }
        return VendorReport(
            name: name, loose: loose, score: docs.isEmpty ? 0 : score, risk: docs.isEmpty ? .critical : playbook.risk(for: score),
            documents: all.map(\.path), errors: errors.map(\.path), counts: counts,
            flags: VendorFlags(aiTraining: flag("ai_training"), breachNotification: flag("breach_notification"), subcontractors: flag("subcontractors"),
                               aiVendor: aiColumn()),
            aiVendor: aiVendor,
            elements: elements, findings: findings, supersessions: supersessions, superseded: superseded,
            scoring: .make(contributions: contributions, playbook: playbook))
    }
}
