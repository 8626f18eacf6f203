import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `--post`: tickets reach a real HTTP server on loopback, with the bearer token, retries on 503, and never twice.
final class TicketWebhookTests: XCTestCase {
    func testTicketsArePostedWithTokenRetriedOn503AndNotDuplicatedOnSecondRun() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let server = try LoopbackServer(script: [503, 503])
        defer { server.stop() }
        let out = dir.appendingPathComponent("tickets.json").path
        let args = ["batch", vendors.path, "--format", "tickets", "--output", out, "--post", server.url,
                    "--token-env", "TRACKER_TOKEN", "--retry-delay", "0.01", "--cache", dir.appendingPathComponent("cache").path]
        let first = try BatchCLI.run(args, env: ["TRACKER_TOKEN": "s3cret-token"])
        XCTAssertEqual(first.status, 0, first.stderr)

        let tickets = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(tickets.count, 2, "the fixture has at least two vendors with findings")
        let requests = server.requests
        // The first ticket was answered 503 twice, then accepted: two retries on top of one request per ticket.
        XCTAssertEqual(requests.count, tickets.count + 2)
        XCTAssertEqual(requests[0].body, requests[1].body, "a retry sends the same ticket")
        XCTAssertEqual(requests[1].body, requests[2].body)
        for r in requests {
            XCTAssertEqual(r.method, "POST")
            XCTAssertEqual(r.path, "/rest/api/issue")
            XCTAssertEqual(r.headers["authorization"], "Bearer s3cret-token")
            XCTAssertEqual(r.headers["content-type"], "application/json")
        }
        var posted = Set<String>()
        for r in requests.dropFirst(2) {
            let t = try XCTUnwrap(JSONSerialization.jsonObject(with: r.body) as? [String: Any])
            for key in ["summary", "description", "priority", "labels", "fingerprints", "vendor"] { XCTAssertNotNil(t[key], key) }
            XCTAssertTrue(["Highest", "High", "Medium", "Low"].contains(t["priority"] as? String ?? ""))
            posted.formUnion(t["fingerprints"] as? [String] ?? [])
        }
        let expected = Set(tickets.flatMap { $0["fingerprints"] as? [String] ?? [] })
        XCTAssertEqual(posted, expected)

        // The state file beside the output holds exactly the accepted fingerprints.
        let state = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(".baa-tickets-sent.json"))) as? [String: Any])
        XCTAssertEqual(Set((state["fingerprints"] as? [String: Any] ?? [:]).keys), expected)

        // Next quarter: same folder, nothing new, nothing posted.
        let second = try BatchCLI.run(args, env: ["TRACKER_TOKEN": "s3cret-token"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(server.requests.count, requests.count, "no ticket is posted twice")
        XCTAssertTrue(second.stderr.contains("0 sent, \(tickets.count) already sent"), second.stderr)
    }

    func testRejectedTicketIsNotRecordedAndIsSentAgainNextRun() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        // 400 is not retried; 503 four times exhausts --retries 4. Both leave the fingerprints unsent.
        let server = try LoopbackServer(script: [400, 503, 503, 503, 503])
        defer { server.stop() }
        let args = ["batch", vendors.path, "--format", "json", "--output", dir.appendingPathComponent("b.json").path,
                    "--post", server.url, "--retries", "4", "--retry-delay", "0.01", "--no-cache"]
        let first = try BatchCLI.run(args, env: ["BAA_TICKET_TOKEN": "t"])
        XCTAssertEqual(first.status, 2, "a ticket the tracker did not accept is an error")
        XCTAssertTrue(first.stderr.contains("HTTP 400 after 1 attempt"), first.stderr)
        XCTAssertTrue(first.stderr.contains("HTTP 503 after 4 attempts"), first.stderr)
        let firstCount = server.requests.count
        let firstTicket = server.requests[0].body, secondTicket = server.requests[1].body

        let second = try BatchCLI.run(args, env: ["BAA_TICKET_TOKEN": "t"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let resent = server.requests.dropFirst(firstCount).map(\.body)
        XCTAssertTrue(resent.contains(firstTicket), "the rejected ticket is sent again")
        XCTAssertTrue(resent.contains(secondTicket), "the ticket that never got a 2xx is sent again")
    }

    func testSecondSenderOnTheSameStateFileIsRefused() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        let server = try LoopbackServer()
        defer { server.stop() }
        let state = dir.appendingPathComponent("state.json").path
        let lock = open(state + ".lock", O_RDWR | O_CREAT, 0o644)
        XCTAssertEqual(flock(lock, LOCK_EX), 0)
        let r = try BatchCLI.run(["batch", vendors.path, "--no-cache", "--post", server.url, "--ticket-state", state])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("another baa is posting tickets"), r.stderr)
        XCTAssertEqual(server.requests.count, 0)
        close(lock)
        XCTAssertEqual(try BatchCLI.run(["batch", vendors.path, "--no-cache", "--post", server.url, "--ticket-state", state]).status, 0)
        XCTAssertGreaterThan(server.requests.count, 0)
    }

    func testConnectionRefusedIsRetriedThenReported() throws {
        let dir = try scratch()
        let vendors = try BatchCLI.vendorFolder(in: dir)
        // A port that was just free: bind, read the port, close.
        let probe = try LoopbackServer()
        let url = probe.url
        probe.stop()
        let r = try BatchCLI.run(["batch", vendors.path, "--format", "json", "--output", dir.appendingPathComponent("b.json").path,
                                  "--post", url, "--retries", "3", "--retry-delay", "0.01", "--no-cache"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("after 3 attempts"), r.stderr)
        let state = dir.appendingPathComponent(".baa-tickets-sent.json").path
        // Each ticket is noted as pending before it is sent (issue 15: a run that dies while posting must not forget
        // it) and the note is removed when the tracker definitely did not take it: nothing accepted, nothing pending.
        let saved = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any]) ?? [:]
        XCTAssertEqual((saved["fingerprints"] as? [String: Any])?.count ?? 0, 0, "nothing was accepted, so nothing is recorded")
        XCTAssertNil(saved["unknown"], "a refused connection is a definite failure, not an unknown outcome")
    }
}
