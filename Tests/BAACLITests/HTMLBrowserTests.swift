import BAATestSupport
import Foundation
import XCTest

/// `baa review --format html` opened in a real browser: Debian's chromium, headless. The Makefile installs it
/// (TOOL_DEBS); the test installs it itself when run as root without it, and skips, saying so, only when it cannot.
final class HTMLBrowserTests: XCTestCase {
    static let agreement = "Corpus/agreements/c006-imaging-ai-baa-halcyon.txt"

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func chromium() throws -> String {
        if let p = which("chromium") ?? which("chromium-browser") { return p }
        if getuid() == 0, let apt = which("apt-get") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: apt)
            p.arguments = ["install", "-y", "-qq", "--no-install-recommends", "chromium"]
            p.environment = ["DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try? p.run()
            p.waitUntilExit()
            if let c = which("chromium") { return c }
        }
        throw XCTSkip("chromium is not installed and could not be installed (`make test` installs it with apt-get: TOOL_DEBS in the Makefile)")
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String; var netlog: URL }

    /// Headless chromium with its own background traffic off, every host name unresolvable (nothing leaves the
    /// machine), and a NetLog of every request it attempts.
    static func browse(_ url: String, extra: [String], dir: URL) throws -> Run {
        let netlog = dir.appendingPathComponent("netlog-\(UUID().uuidString).json")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try chromium())
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                       "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                       "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--log-net-log=\(netlog.path)", "--net-log-capture-mode=Everything",
                       "--enable-logging=stderr", "--v=0"] + extra + [url]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let collected = BAATestBinary.collect(out, err)
        let deadline = DispatchTime.now() + 120
        DispatchQueue.global().asyncAfter(deadline: deadline) { if p.isRunning { p.terminate() } }
        let (stdout, stderr) = collected()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: stdout, stderr: stderr, netlog: netlog)
    }

    /// The URLs the page itself asked for: requests whose network isolation key is the file:// page
    /// (chromium's own background requests have another key).
    static func pageRequests(_ netlog: URL) throws -> [String] {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: netlog)) as? [String: Any])
        let constants = try XCTUnwrap(json["constants"] as? [String: Any])
        let types = try XCTUnwrap(constants["logEventTypes"] as? [String: Int])
        let start = try XCTUnwrap(types["URL_REQUEST_START_JOB"])
        let events = try XCTUnwrap(json["events"] as? [[String: Any]])
        return events.compactMap { e -> String? in
            guard e["type"] as? Int == start, let params = e["params"] as? [String: Any],
                  (params["network_isolation_key"] as? String ?? "").hasPrefix("file://") else { return nil }
            return params["url"] as? String
        }
    }

    func testReportLoadsInChromiumWithItsHighlightsAndNoNetworkRequest() throws {
        _ = try Self.chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        let review = try CLI.run(["review", "--format", "html", Self.agreement, "-o", page.path])
        XCTAssertEqual(review.status, 0, review.stderr)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertNil(html.range(of: "https?://", options: .regularExpression), "the file names no http(s) URL")
        let highlights = Set(html.components(separatedBy: "id=\"ev-").dropFirst().map { $0.prefix { $0.isNumber } })

        // Positive control: a page that fetches is caught by the same NetLog check.
        let probe = dir.appendingPathComponent("probe.html")
        try "<!DOCTYPE html><img src=\"http://198.51.100.7/x.png\" alt=\"\">".write(to: probe, atomically: true, encoding: .utf8)
        let probeRun = try Self.browse(probe.absoluteString, extra: ["--dump-dom"], dir: dir)
        XCTAssertEqual(try Self.pageRequests(probeRun.netlog), ["http://198.51.100.7/x.png"], "the NetLog check sees a page's request")

        // The report, opened at its first highlight's anchor as a link in the element table would.
        let run = try Self.browse(page.absoluteString + "#ev-1", extra: ["--dump-dom"], dir: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let dom = run.stdout
        XCTAssertEqual(try Self.pageRequests(run.netlog), [], "the report made no network request")
        XCTAssertNil(dom.range(of: "https?://", options: .regularExpression), "no http(s) URL in the rendered DOM")
        XCTAssertFalse(run.stderr.contains("Uncaught"), "a script error: \(run.stderr)")
        XCTAssertFalse(run.stderr.contains(":CONSOLE("), "console output: \(run.stderr)")

        // The DOM chromium built: the summary card first, the element table, the highlights.
        XCTAssertTrue(dom.contains("<section id=\"summary\" class=\"card\""))
        for term in ["AI training", "Breach notice", "Subcontractors", "AI vendor"] { XCTAssertTrue(dom.contains("<dt>\(term)</dt>"), term) }
        XCTAssertTrue(dom.contains("<table class=\"elements\">"))
        XCTAssertEqual(dom.components(separatedBy: "<tr id=\"el-").count - 1, 25, "a row per element")
        XCTAssertTrue(dom.contains("<th scope=\"row\">"))
        let domHighlights = Set(dom.components(separatedBy: "id=\"ev-").dropFirst().map { $0.prefix { $0.isNumber } })
        XCTAssertEqual(domHighlights, highlights)
        XCTAssertGreaterThan(domHighlights.count, 15)
        // The script ran: every highlight got its tip for focus, and following the link focused the highlight.
        XCTAssertEqual(dom.components(separatedBy: "<mark ").count, dom.components(separatedBy: " data-tip=\"").count)
        let first = try XCTUnwrap(dom.range(of: "<mark id=\"ev-1\" [^>]*>", options: .regularExpression).map { String(dom[$0]) })
        XCTAssertTrue(first.contains("tipping"), "the highlight has focus (its tip shows): \(first)")
        XCTAssertTrue(first.contains("flash"), first)

        // A screenshot renders.
        let png = dir.appendingPathComponent("report.png")
        let shot = try Self.browse(page.absoluteString, extra: ["--window-size=1280,1800", "--screenshot=\(png.path)"], dir: dir)
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let bytes = try Data(contentsOf: png)
        XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertGreaterThan(bytes.count, 20_000)
    }

    func testRedactedReportHasNoContractInTheBrowser() throws {
        _ = try Self.chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let review = try CLI.run(["review", "--format", "html", "--redact", Self.agreement])
        XCTAssertEqual(review.status, 0, review.stderr)
        let page = dir.appendingPathComponent("redacted.html")
        try review.stdout.write(to: page, atomically: true, encoding: .utf8)
        let run = try Self.browse(page.absoluteString, extra: ["--dump-dom"], dir: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("<section id=\"summary\" class=\"card\""))
        XCTAssertFalse(run.stdout.contains("id=\"contract\""))
        XCTAssertFalse(run.stdout.contains("<mark"))
        XCTAssertFalse(run.stdout.contains("produces triage flags"), "contract text")
        XCTAssertEqual(try Self.pageRequests(run.netlog), [])
    }
}

/// `baa batch --format html`: the vendor dashboard and the reports written beside it, opened in chromium.
final class DashboardBrowserTests: XCTestCase {
    func testDashboardLinksEveryReviewedDocumentsReportAndLoadsInChromium() throws {
        _ = try HTMLBrowserTests.chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dashboard = dir.appendingPathComponent("dashboard.html")
        let r = try CLI.run(["batch", "Corpus/vendors", "--no-cache", "--quiet", "--format", "html", "-o", dashboard.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOf: dashboard, encoding: .utf8)
        XCTAssertNil(html.range(of: "https?://", options: .regularExpression))
        // Every link is a report beside the dashboard, and every reviewed document has one.
        let links = html.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }.filter { !$0.hasPrefix("#") }
        let reports = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("dashboard-reports").path)
        XCTAssertEqual(Set(links), Set(reports.map { "dashboard-reports/" + $0 }))
        XCTAssertEqual(reports.count, 11, "the sample vendors' 11 reviewable documents")
        for link in links {
            let page = try String(contentsOf: dir.appendingPathComponent(link), encoding: .utf8)
            XCTAssertTrue(page.contains("<section id=\"summary\""), link)
            XCTAssertTrue(page.contains("<div class=\"contract\""), "\(link) has its contract text")
        }

        let run = try HTMLBrowserTests.browse(dashboard.absoluteString, extra: ["--dump-dom"], dir: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try HTMLBrowserTests.pageRequests(run.netlog), [])
        XCTAssertFalse(run.stderr.contains("Uncaught"), run.stderr)
        let dom = run.stdout
        XCTAssertTrue(dom.contains("<table class=\"elements dashboard\">"))
        XCTAssertEqual(dom.components(separatedBy: "<th scope=\"row\"").count - 1, 5, "a row per vendor")
        for term in ["AI training", "Breach notice", "Subcontractors"] { XCTAssertTrue(dom.contains(">\(term)</button>"), "sortable \(term)") }
    }
}

/// The pages are valid HTML5: html5lib (Debian's python3-html5lib, which the Makefile installs) in strict mode
/// raises on the first parse error.
final class HTMLValidityTests: XCTestCase {
    func testReportRedactedReportAndDashboardParseStrictly() throws {
        let python = "/usr/bin/python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import html5lib"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { throw XCTSkip("no \(python)") }
        probe.waitUntilExit()
        if probe.terminationStatus != 0 { throw XCTSkip("python3-html5lib is not installed (`make test` installs it: TOOL_DEBS in the Makefile)") }

        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var pages: [URL] = []
        for (name, extra) in [("report.html", [String]()), ("redacted.html", ["--redact"])] {
            let page = dir.appendingPathComponent(name)
            let r = try CLI.run(["review", "--format", "html"] + extra + [HTMLBrowserTests.agreement, "-o", page.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            pages.append(page)
        }
        let pdf = dir.appendingPathComponent("pdf.html")
        XCTAssertEqual(try CLI.run(["review", "--format", "html", "Corpus/formats/sample-baa.pdf", "-o", pdf.path]).status, 0)
        pages.append(pdf)
        let dashboard = dir.appendingPathComponent("dashboard.html")
        let b = try CLI.run(["batch", "Corpus/vendors", "--no-cache", "--quiet", "--format", "html", "-o", dashboard.path])
        XCTAssertEqual(b.status, 0, b.stderr)
        pages.append(dashboard)

        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", """
            import sys, html5lib
            bad = 0
            for f in sys.argv[1:]:
                p = html5lib.HTMLParser(strict=True)
                try:
                    p.parse(open(f, encoding="utf-8").read())
                except Exception as e:
                    bad += 1
                    print(f, "line/col and error:", p.errors[:3] or e)
            sys.exit(1 if bad else 0)
            """] + pages.map(\.path)
        let out = Pipe()
        check.standardOutput = out
        check.standardError = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, text)
    }
}

/// Every real agreement's report (read in place from ../shared/corpus-real, never copied here) in chromium: no
/// script error, nothing fetched, the script ran, and as many highlights as the JSON report has distinct evidence spans.
final class CorpusRealBrowserTests: XCTestCase {
    func testEveryRealAgreementsReportLoadsCleanly() throws {
        let docs = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/corpus-real/docs")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: docs.path) else {
            throw XCTSkip("\(docs.path) is absent: the real agreements are read in place only")
        }
        _ = try HTMLBrowserTests.chromium()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = names.filter { $0.hasSuffix(".txt") }.sorted()
        XCTAssertGreaterThan(files.count, 30)
        for name in files {
            let path = docs.appendingPathComponent(name).path
            let page = dir.appendingPathComponent(name + ".html")
            let r = try CLI.run(["review", "--format", "html", path, "-o", page.path])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            let json = try CLI.run(["review", "--format", "json", path])
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            var ranges = Set<[Int]>()
            for e in report["elements"] as? [[String: Any]] ?? [] {
                for ev in e["evidence"] as? [[String: Any]] ?? [] { ranges.insert([ev["start"] as! Int, ev["end"] as! Int]) }
            }
            if let ev = (report["ai_vendor"] as? [String: Any])?["evidence"] as? [String: Any] { ranges.insert([ev["start"] as! Int, ev["end"] as! Int]) }

            let run = try HTMLBrowserTests.browse(page.absoluteString, extra: ["--dump-dom"], dir: dir)
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("Uncaught"), "\(name): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains(":CONSOLE("), "\(name): \(run.stderr)")
            XCTAssertEqual(try HTMLBrowserTests.pageRequests(run.netlog), [], name)
            let dom = run.stdout
            XCTAssertTrue(dom.contains("<section id=\"summary\" class=\"card\""), name)
            XCTAssertEqual(dom.components(separatedBy: "id=\"ev-").count - 1, ranges.count, "\(name): a highlight per evidence span")
            XCTAssertEqual(dom.components(separatedBy: "<mark ").count, dom.components(separatedBy: " data-tip=\"").count, "\(name): the script ran")
        }
    }
}

final class HTMLCLITests: XCTestCase {
    func testHTMLGoesToStandardOutputAndTakesOneFile() throws {
        let r = try CLI.run(["review", "--format", "html", HTMLBrowserTests.agreement])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("<!DOCTYPE html>\n"))
        XCTAssertTrue(r.stdout.hasSuffix("</html>\n"))
        let two = try CLI.run(["review", "--format", "html", HTMLBrowserTests.agreement, "Corpus/agreements/c001-hhs-style-complete.md"])
        XCTAssertEqual(two.status, 2)
        XCTAssertTrue(two.stderr.contains("one file at a time"), two.stderr)
        let redact = try CLI.run(["review", "--redact", HTMLBrowserTests.agreement])
        XCTAssertEqual(redact.status, 2)
        XCTAssertTrue(redact.stderr.contains("--redact applies to --format html"), redact.stderr)
        let batch = try CLI.run(["batch", "Corpus/vendors", "--no-cache", "--quiet", "--format", "html"])
        XCTAssertEqual(batch.status, 2)
        XCTAssertTrue(batch.stderr.contains("needs --output"), batch.stderr)
        // --fail-on works as with the other formats.
        let gate = try CLI.run(["review", "--format", "html", "--fail-on", "high", HTMLBrowserTests.agreement])
        XCTAssertEqual(gate.status, 1)
    }
}
