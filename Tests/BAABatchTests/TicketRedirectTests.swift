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

/// Issue 15 item 7: a slow tracker never gets two copies; Retry-After and an overall deadline.
final class TicketTimeoutTests: XCTestCase {
    func args(_ vendors: URL, _ dir: URL, _ server: LoopbackServer, _ extra: [String]) -> [String] {
        ["batch", vendors.path, "--quiet", "--no-cache", "--output", dir.appendingPathComponent("t.txt").path,
         "--post", server.url, "--retry-delay", "0.01"] + extra
    }

    func state(_ dir: URL) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(".baa-tickets-sent.json"))) as? [String: Any]) ?? [:]
    }

    /// The tracker takes the ticket but answers after the client's --timeout: not retried (no second copy), recorded
    /// as unknown, held by the next run until --resend-unknown, which sends it with the same Idempotency-Key.
    func testATimeoutIsNotRetriedAndIsHeldAsUnknown() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let server = try LoopbackServer(fallback: 201)
        server.delays = [3]
        defer { server.stop() }
        let r = try BatchCLI.run(args(vendors, dir, server, ["--timeout", "1"]))
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("of unknown outcome"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the tracker may have opened it, so it is not sent again"), r.stderr)
        let first = server.requests
        let bodies = first.map(\.body)
        XCTAssertEqual(Set(bodies).count, bodies.count, "no ticket was sent twice")
        let key = try XCTUnwrap(first[0].headers["idempotency-key"])
        XCTAssertEqual(key.count, 64)
        var s = state(dir)
        XCTAssertEqual((s["unknown"] as? [String: Any])?.keys.sorted(), [key])

        usleep(2_500_000)  // the slow answer has gone out
        let again = try BatchCLI.run(args(vendors, dir, server, ["--timeout", "1"]))
        XCTAssertEqual(again.status, 2, again.stderr)
        XCTAssertTrue(again.stderr.contains("--resend-unknown"), again.stderr)
        XCTAssertEqual(server.requests.count, first.count, "the held ticket was not posted again")

        let resent = try BatchCLI.run(args(vendors, dir, server, ["--timeout", "5", "--resend-unknown"]))
        XCTAssertEqual(resent.status, 0, resent.stderr)
        XCTAssertEqual(server.requests.count, first.count + 1)
        XCTAssertEqual(server.requests.last?.headers["idempotency-key"], key, "the same key as the first attempt")
        s = state(dir)
        XCTAssertNil(s["unknown"])
    }

    /// 429 with Retry-After is retried after that long; an overall --deadline stops the retries.
    func testRetryAfterIsHonouredAndTheDeadlineStopsRetries() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let server = try LoopbackServer(script: [429], fallback: 201)
        server.retryAfter = 1
        defer { server.stop() }
        let started = Date()
        let r = try BatchCLI.run(args(vendors, dir, server, []))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0, "waited what Retry-After said")
        XCTAssertEqual(server.requests[0].body, server.requests[1].body, "the 429 was retried")

        let dir2 = try scratch()
        let vendors2 = try BatchCLI.vendorFolder(in: dir2)
        let busy = try LoopbackServer(fallback: 503)
        busy.retryAfter = 30
        defer { busy.stop() }
        let t0 = Date()
        let r2 = try BatchCLI.run(args(vendors2, dir2, busy, ["--deadline", "2"]))
        XCTAssertEqual(r2.status, 2, r2.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 15, "the deadline bounds the run")
        XCTAssertTrue(r2.stderr.contains("--deadline"), r2.stderr)
    }
}
