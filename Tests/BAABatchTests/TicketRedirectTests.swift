import Foundation
import XCTest

/// Issue 15 items 5 and 6: a redirect never loses a ticket and never sends one to another host.
final class TicketRedirectTests: XCTestCase {
    func post(_ server: LoopbackServer, in dir: URL, extra: [String] = []) throws -> (BatchCLI.Result, [String: Any]) {
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let r = try BatchCLI.run(["batch", vendors.path, "--quiet", "--no-cache", "--output", dir.appendingPathComponent("t.txt").path,
                                  "--post", server.url, "--retry-delay", "0.01", "--token-env", "TRACKER_TOKEN"] + extra,
                                 env: ["TRACKER_TOKEN": "s3cret-token"])
        let statePath = dir.appendingPathComponent(".baa-tickets-sent.json")
        let state = (try? JSONSerialization.jsonObject(with: Data(contentsOf: statePath)) as? [String: Any]) ?? [:]
        return (r, (state["fingerprints"] as? [String: Any]) ?? [:])
    }

    /// A 302 to a login page that answers 200: a failure naming the Location, the ticket not recorded as sent.
    func testA302IsAFailureNamingTheLocationAndNothingIsRecorded() throws {
        let dir = try scratch()
        let login = try LoopbackServer(fallback: 200)
        defer { login.stop() }
        let tracker = try LoopbackServer(fallback: 302, location: "http://127.0.0.1:\(login.port)/login")
        defer { tracker.stop() }
        let (r, sent) = try post(tracker, in: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("HTTP 302 redirect to http://127.0.0.1:\(login.port)/login: not followed"), r.stderr)
        XCTAssertTrue(sent.isEmpty, "nothing recorded as sent: \(sent.keys)")
        XCTAssertEqual(login.requests.count, 0, "the login page never saw a request")
        XCTAssertGreaterThan(tracker.requests.count, 0)
        XCTAssertTrue(tracker.requests.allSatisfy { $0.method == "POST" })
    }

    /// A 307/308 to another host: never followed, even with --follow-redirects; the other host gets nothing.
    func testA307ToAnotherHostNeverReceivesTheTicket() throws {
        for status in [307, 308] {
            let dir = try scratch()
            let other = try LoopbackServer(fallback: 201)
            defer { other.stop() }
            let tracker = try LoopbackServer(fallback: status, location: "http://127.0.0.1:\(other.port)/steal")
            defer { tracker.stop() }
            let (r, sent) = try post(tracker, in: dir, extra: ["--follow-redirects"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("HTTP \(status) redirect to http://127.0.0.1:\(other.port)/steal: another origin: never followed"), r.stderr)
            XCTAssertEqual(other.requests.count, 0, "no excerpt reached the other host")
            XCTAssertTrue(sent.isEmpty)
        }
    }

    /// --follow-redirects follows a same-origin 307: the ticket reaches the new path with its token and is recorded.
    func testFollowRedirectsFollowsTheSameOrigin() throws {
        let dir = try scratch()
        let tracker = try LoopbackServer(script: [307], fallback: 201, location: "/rest/api/v2/issue")
        defer { tracker.stop() }
        let (r, sent) = try post(tracker, in: dir, extra: ["--follow-redirects"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(sent.isEmpty)
        let requests = tracker.requests
        XCTAssertEqual(requests[0].path, "/rest/api/issue")
        XCTAssertEqual(requests[1].path, "/rest/api/v2/issue")
        XCTAssertEqual(requests[1].method, "POST")
        XCTAssertEqual(requests[1].headers["authorization"], "Bearer s3cret-token")
        XCTAssertEqual(requests[0].body, requests[1].body)
    }
}
