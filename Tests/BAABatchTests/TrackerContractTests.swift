import Foundation
import XCTest

/// Issue 16: `--tracker jira|github|gitlab|servicenow` sends what each tracker documents. Each test runs a loopback
/// tracker that enforces that tracker's required fields, types and authentication header, answers with its documented
/// response shape, and rejects a wrong payload with the tracker's own error body.
final class TrackerContractTests: XCTestCase {
    // MARK: the trackers, as their documentation describes them

    static func json(_ body: Data) -> [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    static func nonEmpty(_ v: Any?) -> Bool { (v as? String).map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false }
    static func basic(_ user: String, _ secret: String) -> String { "Basic " + Data("\(user):\(secret)".utf8).base64EncodedString() }

    /// An ADF node: a type; text nodes with non-empty text; content an array of nodes.
    static func validADF(_ node: Any?) -> Bool {
        guard let n = node as? [String: Any], let type = n["type"] as? String else { return false }
        if type == "text" { return nonEmpty(n["text"]) || (n["text"] as? String) == " " }
        if let content = n["content"] { guard let list = content as? [Any] else { return false }; return list.allSatisfy(validADF) }
        return true
    }

    /// Jira Cloud REST v3, POST /rest/api/3/issue.
    static func jira(_ r: LoopbackServer.Request, auth: String, counter: Counter) -> (Int, String) {
        guard r.headers["authorization"] == auth else { return (401, "Client must be authenticated to access this resource.") }
        guard r.path == "/rest/api/3/issue" else { return (404, #"{"errorMessages":["null for uri: \#(r.path)"]}"#) }
        guard let o = json(r.body), let f = o["fields"] as? [String: Any] else {
            return (400, #"{"errorMessages":[],"errors":{"issuetype":"Specify an issue type","project":"Specify a valid project ID or key","summary":"You must specify a summary of the issue."}}"#)
        }
        var errors: [String: String] = [:]
        if !nonEmpty((f["project"] as? [String: Any])?["key"]) { errors["project"] = "Specify a valid project ID or key" }
        if !nonEmpty((f["issuetype"] as? [String: Any])?["name"]) { errors["issuetype"] = "Specify an issue type" }
        if !nonEmpty(f["summary"]) { errors["summary"] = "You must specify a summary of the issue." }
        if let s = f["summary"] as? String, s.count > 255 || s.contains("\n") { errors["summary"] = "Summary must be less than 255 characters." }
        if let d = f["description"] {
            let doc = d as? [String: Any]
            if doc?["type"] as? String != "doc" || doc?["version"] as? Int != 1 || !validADF(doc) {
                errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
            }
        }
        if let p = f["priority"], !nonEmpty((p as? [String: Any])?["name"]) { errors["priority"] = "Specify the Priority (id or name) in the string format" }
        if let l = f["labels"] {
            if let labels = l as? [String], labels.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) {} else { errors["labels"] = "The label '...' contains spaces which is invalid." }
        }
        guard errors.isEmpty else {
            let body = try! JSONSerialization.data(withJSONObject: ["errorMessages": [String](), "errors": errors], options: .sortedKeys)
            return (400, String(decoding: body, as: UTF8.self))
        }
        let id = 10000 + counter.next()
        return (201, #"{"id":"\#(id)","key":"SEC-\#(id - 10000)","self":"http://127.0.0.1/rest/api/3/issue/\#(id)"}"#)
    }

    /// GitHub REST, POST /repos/{owner}/{repo}/issues.
    static func github(_ r: LoopbackServer.Request, token: String, counter: Counter) -> (Int, String) {
        let doc = #""documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue""#
        guard r.headers["authorization"] == "Bearer \(token)" else {
            return (401, #"{"message":"Requires authentication","documentation_url":"https://docs.github.com/rest","status":"401"}"#)
        }
        guard r.path == "/repos/clinic/vendor-risk/issues" else { return (404, #"{"message":"Not Found",\#(doc),"status":"404"}"#) }
        guard let o = json(r.body), nonEmpty(o["title"]) else {
            return (422, #"{"message":"Invalid request.\n\n\"title\" wasn't supplied.",\#(doc),"status":"422"}"#)
        }
        if let b = o["body"], !(b is String) { return (422, #"{"message":"Invalid request.\n\nFor 'properties/body', is not a string.",\#(doc),"status":"422"}"#) }
        if let l = o["labels"], !(l is [String]) { return (422, #"{"message":"Invalid request.\n\nFor 'properties/labels', is not an array.",\#(doc),"status":"422"}"#) }
        let n = 40 + counter.next()
        return (201, #"{"id":\#(1_000_000 + n),"number":\#(n),"html_url":"https://github.com/clinic/vendor-risk/issues/\#(n)","state":"open"}"#)
    }

    /// GitLab REST v4, POST /api/v4/projects/:id/issues.
    static func gitlab(_ r: LoopbackServer.Request, token: String, counter: Counter) -> (Int, String) {
        guard r.headers["private-token"] == token else { return (401, #"{"message":"401 Unauthorized"}"#) }
        guard r.path == "/api/v4/projects/clinic%2Fsecurity/issues" else { return (404, #"{"message":"404 Project Not Found"}"#) }
        guard let o = json(r.body), nonEmpty(o["title"]) else { return (400, #"{"error":"title is missing"}"#) }
        if let d = o["description"], !(d is String) { return (400, #"{"error":"description is invalid"}"#) }
        // One comma-separated string: an array is not what the API documents.
        if let l = o["labels"], !(l is String) { return (400, #"{"error":"labels is invalid"}"#) }
        let iid = 7 + counter.next()
        return (201, #"{"id":\#(900 + iid),"iid":\#(iid),"project_id":12,"web_url":"https://gitlab.example.org/clinic/security/-/issues/\#(iid)"}"#)
    }

    /// ServiceNow Table API, POST /api/now/table/incident. The real one ignores unknown fields and would open a blank
    /// incident: this one insists on the fields an incident needs.
    static func servicenow(_ r: LoopbackServer.Request, auth: String, counter: Counter) -> (Int, String) {
        guard r.headers["authorization"] == auth else {
            return (401, #"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#)
        }
        guard r.path == "/api/now/table/incident" else { return (400, #"{"error":{"message":"Invalid table","detail":null},"status":"failure"}"#) }
        guard let o = json(r.body) else { return (400, #"{"error":{"message":"Exception while reading request","detail":"Cannot decode: java.io.StringReader"},"status":"failure"}"#) }
        for field in ["short_description", "description"] where !nonEmpty(o[field]) {
            return (400, #"{"error":{"message":"Mandatory field missing: \#(field)","detail":null},"status":"failure"}"#)
        }
        for field in ["urgency", "impact"] where !["1", "2", "3"].contains(o[field] as? String ?? "") {
            return (400, #"{"error":{"message":"Invalid value for \#(field): 1, 2 or 3","detail":null},"status":"failure"}"#)
        }
        let n = counter.next()
        return (201, #"{"result":{"sys_id":"9d385017c611228701d22104cc95c37\#(n)","number":"INC001000\#(n)","urgency":"\#(o["urgency"]!)"}}"#)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    }

    // MARK: running baa against them

    let user = "it@clinic.example", secret = "s3cret-api-token"

    func server(_ kind: String) throws -> LoopbackServer {
        let s = try LoopbackServer()
        let counter = Counter(), user = user, secret = secret
        switch kind {
        case "jira": s.responder = { Self.jira($0, auth: Self.basic(user, secret), counter: counter) }
        case "github": s.responder = { Self.github($0, token: secret, counter: counter) }
        case "gitlab": s.responder = { Self.gitlab($0, token: secret, counter: counter) }
        default: s.responder = { Self.servicenow($0, auth: Self.basic(user, secret), counter: counter) }
        }
        return s
    }

    static let options: [String: [String]] = [
        "jira": ["--tracker", "jira", "--project", "SEC"],
        "github": ["--tracker", "github", "--repo", "clinic/vendor-risk"],
        "gitlab": ["--tracker", "gitlab", "--project", "clinic/security"],
        "servicenow": ["--tracker", "servicenow"],
    ]

    func post(_ kind: String, _ s: LoopbackServer, in dir: URL, tracker: [String]? = nil) throws -> (BatchCLI.Result, [String: [String: Any]]) {
        let existing = dir.appendingPathComponent("vendors")
        let vendors = FileManager.default.fileExists(atPath: existing.path) ? existing : try BatchCLI.vendorFolder(in: dir)
        let r = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--output", dir.appendingPathComponent("t.txt").path,
                                  "--post", "http://127.0.0.1:\(s.port)", "--retry-delay", "0.01"] + (tracker ?? Self.options[kind]!),
                                 env: ["BAA_TICKET_TOKEN": secret, "BAA_TICKET_USER": user])
        let state = (try? JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(".baa-tickets-sent.json"))) as? [String: Any]) ?? [:]
        return (r, (state["fingerprints"] as? [String: [String: Any]]) ?? [:])
    }

    /// Every vendor's ticket accepted; the created issue's key and URL kept in the state file and printed; no secret printed.
    func accepted(_ kind: String, key: String, url: String) throws -> [LoopbackServer.Request] {
        let dir = try scratch()
        let s = try server(kind)
        defer { s.stop() }
        let (r, sent) = try post(kind, s, in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertGreaterThanOrEqual(s.requests.count, 2, "the fixture has several vendors with findings")
        XCTAssertTrue(r.stderr.contains("\(s.requests.count) sent"), r.stderr)
        XCTAssertFalse(sent.isEmpty)
        for (_, record) in sent {
            let issue = try XCTUnwrap(record["issue"] as? String, "\(record)")
            XCTAssertTrue(issue.hasPrefix(key), issue)
            XCTAssertTrue((record["url"] as? String ?? "").contains(url), "\(record)")
            XCTAssertTrue(r.stderr.contains(issue), r.stderr)
        }
        XCTAssertTrue(r.stderr.contains(url), r.stderr)
        XCTAssertFalse(r.stderr.contains(secret) || r.stdout.contains(secret), "the secret is never printed")
        // Next run: nothing new, nothing posted.
        let before = s.requests.count
        let (again, _) = try post(kind, s, in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(s.requests.count, before)
        return s.requests
    }

    func testJiraCloudV3Contract() throws {
        let requests = try accepted("jira", key: "SEC-", url: "/browse/SEC-")
        let f = try XCTUnwrap(Self.json(requests[0].body)?["fields"] as? [String: Any])
        XCTAssertEqual((f["issuetype"] as? [String: Any])?["name"] as? String, "Task")
        XCTAssertTrue(["Highest", "High", "Medium", "Low"].contains((f["priority"] as? [String: Any])?["name"] as? String ?? ""))
        let doc = try XCTUnwrap(f["description"] as? [String: Any])
        let types = Set((doc["content"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
        XCTAssertTrue(types.isSuperset(of: ["paragraph", "heading", "table"]), "\(types)")
    }

    func testGitHubContract() throws {
        let requests = try accepted("github", key: "clinic/vendor-risk#", url: "https://github.com/clinic/vendor-risk/issues/")
        XCTAssertEqual(requests[0].headers["accept"], "application/vnd.github+json")
        let o = try XCTUnwrap(Self.json(requests[0].body))
        XCTAssertTrue((o["body"] as? String ?? "").contains("## Findings"), "the body is the Markdown description")
        XCTAssertTrue((o["labels"] as? [String] ?? []).contains("baa-review"))
    }

    func testGitLabContract() throws {
        let requests = try accepted("gitlab", key: "#", url: "https://gitlab.example.org/clinic/security/-/issues/")
        let o = try XCTUnwrap(Self.json(requests[0].body))
        XCTAssertTrue((o["labels"] as? String ?? "").hasPrefix("baa-review,hipaa,risk-"), "\(o["labels"] ?? "")")
        XCTAssertNil(requests[0].headers["authorization"], "GitLab's token goes in PRIVATE-TOKEN only")
    }

    func testServiceNowContract() throws {
        let requests = try accepted("servicenow", key: "INC", url: "http://127.0.0.1:")
        for r in requests {
            let o = try XCTUnwrap(Self.json(r.body))
            XCTAssertTrue((o["short_description"] as? String ?? "").hasPrefix("BAA review: "))
            XCTAssertEqual(o["urgency"] as? String, o["impact"] as? String)
            XCTAssertNil(o["fingerprints"], "no field ServiceNow would silently drop")
            let text = o["description"] as? String ?? ""
            XCTAssertTrue(text.hasPrefix("Vendor: "), "plain text, no Markdown marks: \(text.prefix(40))")
            XCTAssertFalse(text.contains("**") || text.contains("`"))
        }
    }

    /// The same trackers, sent today's webhook payload (what every tracker got before --tracker): a 4xx, the
    /// tracker's error body in the message, nothing recorded as sent.
    func testEachTrackerRejectsTheWebhookPayloadWithItsOwnErrorBody() throws {
        let expected: [String: (Int, String)] = [
            "jira": (400, #"{"errorMessages":[],"errors":{"issuetype":"Specify an issue type""#),
            "github": (422, #"{"message":"Invalid request.\n\n\"title\" wasn't supplied.""#),
            "gitlab": (400, #"{"error":"title is missing"}"#),
            "servicenow": (400, #"{"error":{"message":"Mandatory field missing: short_description""#),
        ]
        for (kind, (status, said)) in expected {
            let dir = try scratch()
            let s = try server(kind)
            defer { s.stop() }
            // The tracker's own endpoint, with today's payload.
            let path = ["jira": "/rest/api/3/issue", "github": "/repos/clinic/vendor-risk/issues",
                        "gitlab": "/api/v4/projects/clinic%2Fsecurity/issues", "servicenow": "/api/now/table/incident"][kind]!
            let vendors = try BatchCLI.vendorFolder(in: dir)
            let r = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--output", dir.appendingPathComponent("t.txt").path,
                                      "--post", "http://127.0.0.1:\(s.port)\(path)", "--tracker", "webhook"],
                                     env: ["BAA_TICKET_TOKEN": secret])
            XCTAssertEqual(r.status, 2, "\(kind): \(r.stderr)")
            if kind == "github" {
                XCTAssertTrue(r.stderr.contains("HTTP \(status) after 1 attempt: the tracker said: \(said)"), "\(kind): \(r.stderr)")
            } else {
                // Basic or PRIVATE-TOKEN trackers refuse the webhook's bearer token first...
                XCTAssertTrue(r.stderr.contains("HTTP 401 after 1 attempt: the tracker said: "), "\(kind): \(r.stderr)")
                // ...and, with the right credentials, the payload itself.
                let tickets = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--format", "tickets"])
                let first = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(tickets.stdout.utf8)) as? [[String: Any]])?.first)
                let headers = kind == "gitlab" ? ["private-token": secret] : ["authorization": Self.basic(user, secret)]
                let request = LoopbackServer.Request(method: "POST", path: path, headers: headers, body: try JSONSerialization.data(withJSONObject: first))
                let answer = kind == "jira" ? Self.jira(request, auth: Self.basic(user, secret), counter: Counter())
                    : kind == "gitlab" ? Self.gitlab(request, token: secret, counter: Counter())
                    : Self.servicenow(request, auth: Self.basic(user, secret), counter: Counter())
                XCTAssertEqual(answer.0, status, kind)
                XCTAssertTrue(answer.1.hasPrefix(said), "\(kind): \(answer.1)")
            }
            let state = (try? JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(".baa-tickets-sent.json"))) as? [String: Any]) ?? [:]
            XCTAssertEqual((state["fingerprints"] as? [String: Any])?.count ?? 0, 0, kind)
        }
    }

    /// The enforcing servers themselves: a payload of the wrong shape gets the tracker's error body.
    func testTheLoopbackTrackersEnforceTheirDocumentedTypes() throws {
        func req(_ path: String, _ headers: [String: String], _ body: String) -> LoopbackServer.Request {
            LoopbackServer.Request(method: "POST", path: path, headers: headers, body: Data(body.utf8))
        }
        let c = Counter()
        let ba = ["authorization": Self.basic(user, secret)]
        let jira = Self.jira(req("/rest/api/3/issue", ba, #"{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x","description":"plain text"}}"#), auth: Self.basic(user, secret), counter: c)
        XCTAssertEqual(jira.0, 400)
        XCTAssertTrue(jira.1.contains("Atlassian Document"), jira.1)
        let gl = Self.gitlab(req("/api/v4/projects/clinic%2Fsecurity/issues", ["private-token": secret], #"{"title":"x","labels":["a","b"]}"#), token: secret, counter: c)
        XCTAssertEqual(gl.0, 400)
        XCTAssertEqual(gl.1, #"{"error":"labels is invalid"}"#)
        let gh = Self.github(req("/repos/clinic/vendor-risk/issues", ["authorization": "Bearer \(secret)"], #"{"title":"x","labels":"a,b"}"#), token: secret, counter: c)
        XCTAssertEqual(gh.0, 422)
        let sn = Self.servicenow(req("/api/now/table/incident", ba, #"{"short_description":"x","description":"y","urgency":"High","impact":"1"}"#), auth: Self.basic(user, secret), counter: c)
        XCTAssertEqual(sn.0, 400)
        XCTAssertTrue(sn.1.contains("urgency"), sn.1)
    }

    /// A tracker that refuses a ticket: the status, the tracker's first line (truncated), nothing recorded.
    func testA4xxPrintsTheTrackersErrorBody() throws {
        let dir = try scratch()
        let s = try LoopbackServer()
        s.responder = { _ in (400, #"{"errorMessages":[],"errors":{"priority":"Field 'priority' cannot be set. It is not on the appropriate screen, or unknown."}}"# + "\nsecond line" + String(repeating: "x", count: 10)) }
        defer { s.stop() }
        let (r, sent) = try post("jira", s, in: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains(#"HTTP 400 after 1 attempt: the tracker said: {"errorMessages":[],"errors":{"priority":"Field 'priority' cannot be set."#), r.stderr)
        XCTAssertFalse(r.stderr.contains("second line"), r.stderr)
        XCTAssertTrue(sent.isEmpty)
    }

    /// --format tickets --tracker prints each tracker's payloads; a tracker missing its project is a usage error.
    func testFormatTicketsPrintsTheTrackersPayload() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let gitlab = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--format", "tickets"] + Self.options["gitlab"]!)
        XCTAssertEqual(gitlab.status, 0, gitlab.stderr)
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(gitlab.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(list.isEmpty)
        for p in list {
            XCTAssertEqual(Self.gitlab(LoopbackServer.Request(method: "POST", path: "/api/v4/projects/clinic%2Fsecurity/issues", headers: ["private-token": "t"],
                                                               body: try JSONSerialization.data(withJSONObject: p)), token: "t", counter: Counter()).0, 201)
        }
        let jira = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--format", "tickets", "--tracker", "JIRA"])
        XCTAssertNotEqual(jira.status, 0)
        XCTAssertTrue(jira.stderr.contains("--tracker jira needs --project"), jira.stderr)
        let env = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--format", "tickets"],
                                   env: ["BAA_TRACKER": "github", "BAA_TRACKER_REPO": "clinic/vendor-risk"])
        XCTAssertEqual(env.status, 0, env.stderr)
        let first = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(env.stdout.utf8)) as? [[String: Any]])?.first)
        XCTAssertEqual(Set(first.keys), ["title", "body", "labels"])
    }
}
