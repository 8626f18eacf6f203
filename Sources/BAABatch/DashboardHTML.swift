import BAAClauses
import BAAExtract
import BAAReport
import BAAReview
import Foundation

/// `baa batch --format html -o dashboard.html`: a vendor table (worst first; sortable with script, readable
/// without) with the three terms, each vendor linking to its documents' HTML reports, written beside the page in
/// `<dashboard name>-reports/`. Self-contained like the single report: inline CSS and script, nothing fetched.
public enum DashboardHTML {
    /// The folder beside the dashboard that holds the per-document reports.
    public static func reportsFolder(for dashboard: String) -> String {
        let url = URL(fileURLWithPath: dashboard)
        return url.deletingLastPathComponent().appendingPathComponent(url.deletingPathExtension().lastPathComponent + "-reports").path
    }

    /// A report's file name: the document's path relative to the batch root, made one safe file name.
    public static func reportName(relativePath: String) -> String {
        let safe = relativePath.unicodeScalars.map { c -> String in
            if c == "/" { return "__" }
            return (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "-" || c == "_")) ? String(c) : "_"
        }
        return safe.joined() + ".html"
    }

    static func short(_ e: ElementResult?) -> String {
        guard let e else { return "-" }
        switch e.id {
        case "ai_training":
            switch e.stance ?? .silent {
            case .prohibited: return "prohibited"
            case .permitted: return "permitted"
            case .silent: return "not addressed"
            }
        case "breach_notification":
            if let d = e.deadline {
                return d.calendarDays > 60 ? "\(d.description): beyond HIPAA's 60 days" : "\(d.description): within 60 days"
            }
            return e.status == .missing ? "not addressed" : "no deadline stated"
        default:
            switch e.status {
            case .present: return "strong (same terms)"
            case .weak: return "weak"
            case .missing: return "not addressed"
            }
        }
    }

    /// Writes each reviewed document's report into `reportsFolder` (loading its text again with `load`; nil for a
    /// document that can no longer be read, which then gets a redacted report) and returns the dashboard page.
    public static func render(_ b: BatchSource, dashboardPath: String, redact: Bool, load: (String) -> Document?) throws -> String {
        let folder = reportsFolder(for: dashboardPath)
        let folderName = URL(fileURLWithPath: folder).lastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var links: [String: (name: String, file: String)] = [:]
        try b.forEachDocument { d in
            let file = reportName(relativePath: d.relativePath)
            let doc = redact ? nil : load(d.path)
            let html = HTMLReporter(redact: redact || doc == nil).render(d.report, document: doc)
            try Data(html.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent(file), options: .atomic)
            links[d.path] = (URL(fileURLWithPath: d.relativePath).lastPathComponent, folderName + "/" + file)
        }

        var rows: [HTMLNode] = []
        try b.forEachVendor { v in
            let tone = { (id: String) in v.elements.first { $0.id == id }.map { HTMLReporter.tone(of: $0, findings: v.findings) } ?? "neutral" }
            func flagCell(_ id: String) -> HTMLNode {
                let words = short(v.elements.first { $0.id == id })
                let t = tone(id)
                return el("td", ["data-sort": "\(["bad": 0, "warn": 1, "neutral": 2, "good": 3][t]!) \(words)"],
                          el("span", ["class": "badge \(t)"], txt(HTMLReporter.toneWords[t]!)), txt(" " + words))
            }
            let docs = v.documents.map { p -> HTMLNode in
                // An earlier version replaced by a later one: its verdicts no longer count (docs/batch.md).
                let note: [HTMLNode] = (v.superseded ?? []).first { $0.file == p }.map {
                    [el("span", ["class": "none"], txt(" (superseded by \(URL(fileURLWithPath: $0.by).lastPathComponent))"))]
                } ?? []
                if let l = links[p] { return el("li", children: [el("a", ["href": l.file], txt(l.name))] + note) }
                return el("li", children: [txt(URL(fileURLWithPath: p).lastPathComponent)] + note)
            } + v.errors.map { el("li", ["class": "none"], txt("\(URL(fileURLWithPath: $0).lastPathComponent) (could not be reviewed)")) }
            let counts = [Severity.critical, .high, .medium, .low].map { "\(v.counts[$0.rawValue] ?? 0)" }
            let worst = (v.worstSeverity?.rank ?? -1)
            let ai = v.aiVendor?.detected == true
            rows.append(el("tr", children: [
                el("th", ["scope": "row", "data-sort": v.name], txt(v.name + (v.loose ? " (loose file)" : ""))),
                el("td", ["data-sort": "\(v.score)", "class": "num"], txt("\(v.score)")),
                el("td", ["data-sort": "\(["low": 3, "medium": 2, "high": 1, "critical": 0][v.risk.rawValue]!)"],
                   el("span", ["class": "badge risk-\(v.risk.rawValue)"], txt(v.risk.rawValue.uppercased()))),
                el("td", ["data-sort": "\(10 - worst)", "class": "num"], txt(counts.joined(separator: " / "))),
                flagCell("ai_training"), flagCell("breach_notification"), flagCell("subcontractors"),
                el("td", ["data-sort": ai ? "0" : "1"], txt(ai ? (v.flags.aiVendor ?? "yes") : "no")),
                el("td", el("ul", ["class": "docs"], children: docs)),
            ]))
        }
        let info = b.info
        let cols: [(String, Bool)] = [("Vendor", true), ("Score", true), ("Risk", true), ("Findings crit / high / med / low", true),
                                      ("AI training", true), ("Breach notice", true), ("Subcontractors", true), ("AI vendor", true), ("Reports", false)]
        let head = el("tr", children: cols.map { c in
            c.1 ? el("th", ["scope": "col", "data-sortable": "1"], txt(c.0)) : el("th", ["scope": "col"], txt(c.0))
        })
        var errors: [HTMLNode] = []
        if !b.errorList.isEmpty {
            errors = [el("h2", txt("Files that could not be reviewed")),
                      el("ul", children: b.errorList.map { el("li", txt("\($0.relativePath): \($0.reason)")) })]
        }
        let page = el("html", ["lang": "en"],
            el("head",
                el("meta", ["charset": "utf-8"]),
                el("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
                el("title", txt("BAA vendor dashboard: \(info.root)")),
                el("style", .trusted(HTMLReporter.css + css))),
            el("body",
                el("a", ["class": "skip", "href": "#main"], txt("Skip to the vendor table")),
                el("header", ["class": "top"],
                    el("h1", txt("Business Associate Agreements: vendors")),
                    el("p", ["class": "doc"], txt(info.root))),
                el("main", attrs: [("id", "main")], [
                    el("p", ["class": "legend"], txt("\(info.counts.vendors) vendors, \(info.counts.reviewed) documents reviewed\(info.counts.errors > 0 ? ", \(info.counts.errors) could not be" : "") · worst first. Each vendor's verdicts are taken across its documents (a later amendment replaces the terms it addresses). Select a column heading to sort; select a document for its full report.")),
                    el("table", ["class": "elements dashboard"], children: [
                        el("caption", txt("Vendors and the three terms to check first")),
                        el("thead", head), el("tbody", children: rows)]),
                ] + errors),
                el("footer", el("p", txt("baa · run \(info.runID) · \(info.started) · This dashboard flags terms for a human reviewer; it is not legal advice."))),
                el("script", .trusted(script))))
        return "<!DOCTYPE html>\n" + page.rendered + "\n"
    }

    static let css = """
    table.dashboard td,table.dashboard th{vertical-align:top}
    table.dashboard td.num{text-align:right;font-variant-numeric:tabular-nums}
    table.dashboard tbody th{width:auto;font-weight:600}
    ul.docs{margin:0;padding-left:1.1rem;font-size:.9rem}
    th button::after{content:" \\2195";color:var(--muted)}
    th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
    """

    /// Sorting only: each sortable heading becomes a button; the rows are reordered by the cells' data-sort.
    static let script = """
    (function(){
      var table=document.querySelector('table.dashboard'); if(!table) return;
      var heads=table.querySelectorAll('thead th');
      heads.forEach(function(th,i){
        if(!th.hasAttribute('data-sortable')) return;
        var b=document.createElement('button'); b.type='button'; b.textContent=th.textContent; th.textContent=''; th.appendChild(b);
        b.addEventListener('click',function(){
          var asc=th.getAttribute('aria-sort')!=='ascending';
          heads.forEach(function(h){h.removeAttribute('aria-sort')});
          th.setAttribute('aria-sort',asc?'ascending':'descending');
          var body=table.tBodies[0], rows=Array.prototype.slice.call(body.rows);
          rows.sort(function(a,b){
            var x=a.cells[i].getAttribute('data-sort')||'', y=b.cells[i].getAttribute('data-sort')||'';
            var nx=parseFloat(x), ny=parseFloat(y);
            var c=(!isNaN(nx)&&!isNaN(ny)&&nx!==ny)?nx-ny:x.localeCompare(y);
            return asc?c:-c;
          });
          rows.forEach(function(r){body.appendChild(r)});
        });
      });
    })();
    """
}
