import BAATestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `baa` binary as a user would, and builds vendor folders from the corpus.
enum BatchCLI {
    static let root = BAATestBinary.root
    static let agreements = root.appendingPathComponent("Corpus/agreements")

    static var binary: String { BAATestBinary.path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts the binary; `wait` collects its output.
    static func start(_ args: [String], env: [String: String] = [:], cwd: URL? = nil) throws -> (Process, () -> Result) {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("\(binary) is not built: run `swift build --product baa` first")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = BAATestBinary.environment(setting: ["NO_COLOR": "1"].merging(env) { $1 }, removing: ["BAA_TICKET_TOKEN"])
        p.currentDirectoryURL = cwd ?? root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let output = BAATestBinary.collect(out, err)
        return (p, {
            let (stdout, stderr) = output()
            p.waitUntilExit()
            return Result(status: p.terminationStatus, stdout: stdout, stderr: stderr)
        })
    }

    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil) throws -> Result {
        try start(args, env: env, cwd: cwd).1()
    }

    static func tempDir() throws -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("baa-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// A vendor folder from the corpus: northwind (BAA + amendment), brightwave (short form), acme (four documents),
    /// and one loose agreement at the root.
    static func vendorFolder(in dir: URL) throws -> URL {
        let root = dir.appendingPathComponent("vendors")
        let layout: [String: [String]] = [
            "northwind": ["c011-northwind-billing-baa-90-days.md", "c028-northwind-amendment-30-days.md"],
            "brightwave": ["c007-one-page-short-form-promptly.md"],
            "acme": ["c024-acme-scribe-baa.md", "c025-acme-msa-excerpt.md", "c026-acme-ai-addendum.md", "c027-acme-amendment-breach-window.txt"],
            "": ["c008-short-form-bare-164-410.txt"],
        ]
        for (vendor, files) in layout {
            let d = vendor.isEmpty ? root : root.appendingPathComponent(vendor)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            for f in files { try FileManager.default.copyItem(at: agreements.appendingPathComponent(f), to: d.appendingPathComponent(f)) }
        }
        return root
    }

    static func json(_ text: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            XCTFail("not a JSON object: \(text.prefix(200))"); return [:]
        }
        return o
    }

    static func counts(_ report: [String: Any]) -> [String: Int] {
        ((report["batch"] as? [String: Any])?["counts"] as? [String: Int]) ?? [:]
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port), one connection at a time on a background thread.
/// It answers the scripted statuses in order, then `fallback`, and records every request.
final class LoopbackServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data
    }

    private let lock = NSLock()
    private var recorded: [Request] = []
    private var script: [Int]
    private let fallback: Int
    private let fd: Int32
    let port: UInt16

    var url: String { "http://127.0.0.1:\(port)/rest/api/issue" }
    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }

    /// Sent as `Location` with a 3xx.
    var location: String?
    /// Sent as `Retry-After` with a 429 or 503.
    var retryAfter: Int?
    /// Seconds to wait before answering, request by request (then none): a tracker slower than the client.
    var delays: [Double] = []
    /// Answers a request with a status and a JSON body (a tracker that checks the payload), instead of the script.
    var responder: (@Sendable (Request) -> (Int, String))?

    init(script: [Int] = [], fallback: Int = 201, location: String? = nil) throws {
        self.location = location
        self.script = script
        self.fallback = fallback
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        port = UInt16(bigEndian: addr.sin_port)
        let t = Thread { [self] in self.serve() }
        t.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            // One thread per connection, so a slow answer does not hold up the next request.
            Thread { [self] in
                self.handle(c)
                close(c)
            }.start()
        }
    }

    private func readMore(_ c: Int32, into buf: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(c, &chunk, chunk.count, 0)
        if n <= 0 { return false }
        buf += chunk[0..<n]
        return true
    }

    private func send(_ c: Int32, _ s: String) {
        let bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(c, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    private func handle(_ c: Int32) {
        var buf: [UInt8] = []
        let sep: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            if buf.count >= 4 {
                for i in 0...(buf.count - 4) where Array(buf[i..<i + 4]) == sep { headerEnd = i; break }
            }
            if headerEnd == nil && !readMore(c, into: &buf) { return }
        }
        let head = String(decoding: buf[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { send(c, "HTTP/1.1 100 Continue\r\n\r\n") }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(buf[(headerEnd! + 4)...])
        while body.count < length { if !readMore(c, into: &body) { break } }
        let request = Request(method: String(requestLine.first ?? ""), path: requestLine.count > 1 ? String(requestLine[1]) : "",
                              headers: headers, body: Data(body))
        lock.lock()
        recorded.append(request)
        let answer = responder?(request)
        let status = answer?.0 ?? (script.isEmpty ? fallback : script.removeFirst())
        let delay = delays.isEmpty ? 0 : delays.removeFirst()
        lock.unlock()
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let reply = answer?.1 ?? (status < 300 ? #"{"key":"BAA-1"}"# : #"{"error":"try later"}"#)
        var loc = (300..<400).contains(status) ? location.map { "Location: \($0)\r\n" } ?? "" : ""
        if status == 429 || status == 503, let retryAfter { loc += "Retry-After: \(retryAfter)\r\n" }
        send(c, "HTTP/1.1 \(status) Status\r\n\(loc)Content-Type: application/json\r\nContent-Length: \(reply.utf8.count)\r\nConnection: close\r\n\r\n\(reply)")
    }
}

extension XCTestCase {
    /// A fresh folder removed when the test ends.
    func scratch() throws -> URL {
        let u = try BatchCLI.tempDir()
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }
}
