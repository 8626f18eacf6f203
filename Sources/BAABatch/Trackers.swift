import BAAReview
import BAAUtil
import Foundation

/// Where `--format tickets` and `--post` send a vendor's ticket, in the payload that tracker documents.
public enum TrackerKind: String, CaseIterable, Sendable {
    /// baa's own payload (summary, Markdown description, priority, labels, fingerprints...): a webhook or a converter.
    case webhook
    /// Jira Cloud REST v3: `POST /rest/api/3/issue`, description in Atlassian Document Format, Basic email:API token.
    case jira
    /// GitHub REST: `POST /repos/{owner}/{repo}/issues`, Bearer token.
    case github
    /// GitLab REST v4: `POST /api/v4/projects/{id}/issues`, labels as one comma-separated string, PRIVATE-TOKEN header.
    case gitlab
    /// ServiceNow Table API: `POST /api/now/table/incident`, urgency and impact 1-3, Basic auth.
    case servicenow
}

/// A tracker and what it needs to file an issue: the project or repository, and how it authenticates.
public struct TrackerConfig: Sendable, Equatable {
    public var kind: TrackerKind = .webhook
    /// Jira: the project key (e.g. SEC). GitLab: the project's numeric id or its path (group/project).
    public var project: String?
    /// Jira: the issue type's name.
    public var issueType = "Task"
    /// GitHub: owner/repo.
    public var repo: String?

    public init(kind: TrackerKind = .webhook) { self.kind = kind }

    /// What is missing for this tracker, as a usage message (nil: nothing).
    public func problem() -> String? {
        switch kind {
        case .webhook, .servicenow: return nil
        case .jira:
            guard let p = project, !p.isEmpty else { return "--tracker jira needs --project KEY (the Jira project key, e.g. SEC)" }
            if p.contains(where: { $0.isWhitespace }) { return "--project takes a Jira project key without spaces (got '\(p)')" }
            if issueType.trimmingCharacters(in: .whitespaces).isEmpty { return "--issue-type must not be empty" }
            return nil
        case .github:
            guard let r = repo, !r.isEmpty else { return "--tracker github needs --repo OWNER/REPO" }
            let parts = r.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count != 2 || parts.contains(where: { $0.isEmpty }) { return "--repo takes OWNER/REPO (got '\(r)')" }
            return nil
        case .gitlab:
            guard let p = project, !p.isEmpty else { return "--tracker gitlab needs --project ID (the numeric project id, or its path group/project)" }
            return nil
        }
    }

    // MARK: endpoint and authentication

    /// The documented path under the site's base URL.
    public var path: String {
        switch kind {
        case .webhook: return ""
        case .jira: return "/rest/api/3/issue"
        case .github: return "/repos/\(repo ?? "")/issues"
        case .gitlab:
            // A path (group/project) is one URL-encoded segment: group%2Fproject.
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return "/api/v4/projects/\((project ?? "").addingPercentEncoding(withAllowedCharacters: allowed) ?? "")/issues"
        case .servicenow: return "/api/now/table/incident"
        }
    }

    /// `--post` is the webhook's URL as given, or a tracker's base URL (https://acme.atlassian.net,
    /// https://api.github.com, https://gitlab.example.org, https://acme.service-now.com) to which the documented path
    /// is added (unless it is there already).
    public func endpoint(base: URL) -> URL {
        guard kind != .webhook else { return base }
        var s = base.absoluteString
        while s.hasSuffix("/") { s.removeLast() }
        if s.hasSuffix(path) { return URL(string: s) ?? base }
        return URL(string: s + path) ?? base
    }

    /// The site's base URL (the endpoint without the documented path), for the created issue's browser link.
    func site(of endpoint: URL) -> String {
        var s = endpoint.absoluteString
        if !path.isEmpty, s.hasSuffix(path) { s.removeLast(path.count) }
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// How the tracker authenticates: `user` and `secret` come from the environment and are never printed.
    public enum Auth: Equatable, Sendable {
        case bearer, basic, privateToken
    }

    public var auth: Auth {
        switch kind {
        case .webhook, .github: .bearer
        case .jira, .servicenow: .basic
        case .gitlab: .privateToken
        }
    }

    /// The request's header lines for these credentials (none when the secret is missing).
    public func headers(user: String?, secret: String?) -> [String] {
        var lines: [String] = []
        switch kind {
        case .github: lines += ["Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28"]
        case .jira, .servicenow: lines.append("Accept: application/json")
        default: break
        }
        guard let secret, !secret.isEmpty else { return lines }
        switch auth {
        case .bearer: lines.append("Authorization: Bearer \(secret)")
        case .privateToken: lines.append("PRIVATE-TOKEN: \(secret)")
        case .basic:
            let pair = "\(user ?? ""):\(secret)"
            lines.append("Authorization: Basic \(Data(pair.utf8).base64EncodedString())")
        }
        return lines
    }

    // MARK: payloads

    /// The create-issue request body for one ticket.
    public func payload(_ t: Ticket) throws -> Data {
        if kind == .webhook {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try enc.encode(t)
        }
        return try JSONSerialization.data(withJSONObject: object(t), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The payload as a JSON object (webhook: the ticket's own fields).
    public func object(_ t: Ticket) throws -> [String: Any] {
        switch kind {
        case .webhook:
            return (try JSONSerialization.jsonObject(with: try payload(t)) as? [String: Any]) ?? [:]
        case .jira:
            return ["fields": [
                "project": ["key": project ?? ""],
                "issuetype": ["name": issueType],
                // One line of at most 255 characters.
                "summary": TrackerConfig.clip(t.summary.replacingOccurrences(of: "\n", with: " "), 255),
                "description": ADF.document(markdown: t.description),
                "priority": ["name": t.priority],
                // Jira labels cannot hold spaces: ours are slugs already.
                "labels": t.labels.map { $0.replacingOccurrences(of: " ", with: "-") },
            ] as [String: Any]]
        case .github:
            return ["title": TrackerConfig.clip(t.summary, 256), "body": TrackerConfig.clip(t.description, 65536), "labels": t.labels]
        case .gitlab:
            // GitLab takes the labels as one comma-separated string.
            return ["title": TrackerConfig.clip(t.summary, 255), "description": TrackerConfig.clip(t.description, 1_000_000),
                    "labels": t.labels.map { $0.replacingOccurrences(of: ",", with: " ") }.joined(separator: ",")]
        case .servicenow:
            let level = TrackerConfig.serviceNowLevel(priority: t.priority)
            // An incident's description is plain text: the Markdown's emphasis and code marks would show as typed.
            return ["short_description": TrackerConfig.clip(t.summary, 160), "description": TrackerConfig.plainText(t.description),
                    "urgency": String(level), "impact": String(level)]
        }
    }

    /// ServiceNow's 1 (High), 2 (Medium), 3 (Low) from the ticket's priority (its worst severity).
    public static func serviceNowLevel(priority: String) -> Int {
        switch priority {
        case "Highest": 1
        case "High": 2
        default: 3
        }
    }

    /// Markdown as plain text: no `**`, no backticks, no trailing two-space hard breaks.
    public static func plainText(_ markdown: String) -> String {
        markdown.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "")
            .replacingOccurrences(of: "  \n", with: "\n")
    }

    static func clip(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }

    // MARK: answers

    /// The created issue's key (SEC-12, #34, INC0010001) and its web address, from the tracker's 2xx answer.
    public func created(from body: Data, endpoint: URL) -> (key: String, url: String?)? {
        guard let o = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        func str(_ v: Any?) -> String? {
            if let s = v as? String, !s.isEmpty { return s }
            if let n = v as? NSNumber { return n.stringValue }
            return nil
        }
        switch kind {
        case .jira:
            guard let key = str(o["key"]) else { return nil }
            return (key, site(of: endpoint) + "/browse/" + key)
        case .github:
            guard let n = str(o["number"]) else { return nil }
            return ("\(repo ?? "")#\(n)", str(o["html_url"]))
        case .gitlab:
            guard let n = str(o["iid"]) else { return nil }
            return ("#\(n)", str(o["web_url"]))
        case .servicenow:
            guard let r = o["result"] as? [String: Any], let number = str(r["number"]) else { return nil }
            let link = str(r["sys_id"]).map { site(of: endpoint) + "/nav_to.do?uri=incident.do?sys_id=" + $0 }
            return (number, link)
        case .webhook:
            guard let key = str(o["key"]) ?? str(o["id"]) ?? str(o["number"]) else { return nil }
            return (key, str(o["html_url"]) ?? str(o["web_url"]) ?? str(o["url"]))
        }
    }

    /// The first line of a tracker's error answer, control characters removed, at most `limit` characters.
    public static func errorLine(_ body: Data, limit: Int = 300) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return nil
        }
        let clean = String(line.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
        return clip(clean, limit)
    }
}

/// Markdown (the subset ticket descriptions use: headings, paragraphs, hard breaks, **bold**, `code`, block quotes,
/// bullet lists and pipe tables) as an Atlassian Document Format document, which Jira Cloud's REST v3 requires.
public enum ADF {
    public static func document(markdown: String) -> [String: Any] {
        var blocks: [[String: Any]] = []
        let lines = markdown.components(separatedBy: "\n")
        var i = 0
        func flushParagraph(_ buf: inout [String]) {
            if !buf.isEmpty { blocks.append(paragraph(buf)) }
            buf = []
        }
        var para: [String] = []
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { flushParagraph(&para); i += 1; continue }
            if let level = headingLevel(trimmed) {
                flushParagraph(&para)
                let text = String(trimmed.dropFirst(level + 1))
                blocks.append(["type": "heading", "attrs": ["level": level], "content": inline(text)])
                i += 1
                continue
            }
            if trimmed.hasPrefix("|") {
                flushParagraph(&para)
                var rows: [[String]] = []
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    let cells = cellsOf(lines[i])
                    if !cells.allSatisfy({ !$0.isEmpty && $0.allSatisfy { "-: ".contains($0) } }) { rows.append(cells) }
                    i += 1
                }
                blocks.append(table(rows))
                continue
            }
            if trimmed.hasPrefix(">") {
                flushParagraph(&para)
                var inner: [[String: Any]] = []
                var buf: [String] = []
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix(">") {
                    var rest = lines[i].trimmingCharacters(in: .whitespaces).dropFirst()
                    if rest.hasPrefix(" ") { rest = rest.dropFirst() }
                    if rest.trimmingCharacters(in: .whitespaces).isEmpty {
                        if !buf.isEmpty { inner.append(paragraph(buf)) }
                        buf = []
                    } else { buf.append(String(rest)) }
                    i += 1
                }
                if !buf.isEmpty { inner.append(paragraph(buf)) }
                if !inner.isEmpty { blocks.append(["type": "blockquote", "content": inner]) }
                continue
            }
            if trimmed.hasPrefix("- ") {
                flushParagraph(&para)
                var items: [[String: Any]] = []
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("- ") {
                    let text = String(lines[i].trimmingCharacters(in: .whitespaces).dropFirst(2))
                    items.append(["type": "listItem", "content": [paragraph([text])]])
                    i += 1
                }
                blocks.append(["type": "bulletList", "content": items])
                continue
            }
            para.append(line)
            i += 1
        }
        flushParagraph(&para)
        return ["type": "doc", "version": 1, "content": blocks]
    }

    static func headingLevel(_ s: String) -> Int? {
        let hashes = s.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), s.dropFirst(hashes).hasPrefix(" ") else { return nil }
        return hashes
    }

    static func cellsOf(_ line: String) -> [String] {
        var s = line.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("|") { s.removeFirst() }
        if s.hasSuffix("|") { s.removeLast() }
        return s.components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func table(_ rows: [[String]]) -> [String: Any] {
        let width = rows.map(\.count).max() ?? 0
        let content: [[String: Any]] = rows.enumerated().map { n, cells in
            let padded = cells + Array(repeating: "", count: width - cells.count)
            return ["type": "tableRow", "content": padded.map { cell -> [String: Any] in
                ["type": n == 0 ? "tableHeader" : "tableCell", "content": [paragraph([cell])]]
            }]
        }
        return ["type": "table", "content": content]
    }

    /// Lines of one paragraph: a line ending in two spaces (or a backslash) breaks there; others join with a space.
    static func paragraph(_ lines: [String]) -> [String: Any] {
        var content: [[String: Any]] = []
        for (n, raw) in lines.enumerated() {
            let hard = raw.hasSuffix("  ") || raw.hasSuffix("\\")
            var text = raw.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("\\") { text.removeLast() }
            content += inline(text)
            if n < lines.count - 1 {
                if hard { content.append(["type": "hardBreak"]) } else { content.append(["type": "text", "text": " "]) }
            }
        }
        return ["type": "paragraph", "content": content]
    }

    /// Text with **strong** and `code` marks; an unmatched delimiter stays literal. Never an empty text node.
    static func inline(_ s: String) -> [[String: Any]] {
        var out: [[String: Any]] = []
        var plain = ""
        func flush() { if !plain.isEmpty { out.append(["type": "text", "text": plain]) }; plain = "" }
        var rest = Substring(s)
        while !rest.isEmpty {
            if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**"), end.lowerBound > rest.index(rest.startIndex, offsetBy: 2) {
                flush()
                out.append(["type": "text", "text": String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]), "marks": [["type": "strong"]]])
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("`"), let end = rest.dropFirst().firstIndex(of: "`"), end > rest.index(after: rest.startIndex) {
                flush()
                out.append(["type": "text", "text": String(rest[rest.index(after: rest.startIndex)..<end]), "marks": [["type": "code"]]])
                rest = rest[rest.index(after: end)...]
            } else {
                plain.append(rest.removeFirst())
            }
        }
        flush()
        return out
    }
}
