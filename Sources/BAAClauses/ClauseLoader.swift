import Foundation
import PCRE2
import Yams

/// A problem in a clause file, reported as `path:line:col: error: message`.
public struct ClauseError: Error, CustomStringConvertible, Sendable, Equatable {
    public var position: SourcePosition
    public var message: String
    public init(_ position: SourcePosition, _ message: String) { self.position = position; self.message = message }
    public var description: String { "\(position): error: \(message)" }
}

/// All problems found while loading a library (the loader reports every one, not just the first).
public struct ClauseErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ClauseError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads Clauses/: `_macros.yaml` (shared pattern fragments, `{{name}}`) and one YAML file per element.
public struct ClauseLoader {
    /// Every element of ELEMENTS.md must have a file (off only while authoring: BAA_ALLOW_MISSING_ELEMENTS=1).
    public var requireAllElements: Bool
    public init(requireAllElements: Bool = ProcessInfo.processInfo.environment["BAA_ALLOW_MISSING_ELEMENTS"] != "1") {
        self.requireAllElements = requireAllElements
    }

    /// Loads and validates every clause file in `directory`. Throws `ClauseErrors` listing every problem.
    public func load(directory: String) throws(ClauseErrors) -> ClauseLibrarySpec {
        var errors: [ClauseError] = []
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw ClauseErrors(errors: [ClauseError(SourcePosition(path: directory, line: 0, column: 0), "cannot read the clause directory")])
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var macros: [String: String] = [:]
        var hashInput: [UInt8] = []
        var version = "0"
        var contextPattern: PatternSpec?
        var disclaimerPattern: PatternSpec?
        if let macroFile = files.first(where: { $0.hasPrefix("_macros.") }) {
            let path = (directory as NSString).appendingPathComponent(macroFile)
            do {
                let (text, root) = try parse(path: path)
                hashInput += Array(text.utf8)
                let m = try Reader(path: path, node: root)
                version = m.string("version") ?? "0"
                if let table = m.child("macros") {
                    for (key, value) in try table.stringMap() { macros[key] = value.0 }
                }
                // Macros may use earlier macros.
                for _ in 0..<4 { for (k, v) in macros { macros[k] = expand(v, macros: macros, at: m.position, errors: &errors) } }
                if let ctx = m.child("document_context"), let s = ctx.node.string {
                    contextPattern = PatternSpec(name: "document_context", source: s,
                                                 expanded: expand(s, macros: macros, at: ctx.position, errors: &errors), position: ctx.position)
                }
                if let d = m.child("document_disclaimer"), let s = d.node.string {
                    disclaimerPattern = PatternSpec(name: "document_disclaimer", source: s,
                                                    expanded: expand(s, macros: macros, at: d.position, errors: &errors), position: d.position)
                }
            } catch let e as ClauseError { errors.append(e) } catch { errors.append(ClauseError(SourcePosition(path: path, line: 0, column: 0), "\(error)")) }
        }
        var elements: [ElementSpec] = []
        for file in files where !file.hasPrefix("_") {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let (text, root) = try parse(path: path)
                // The file's name, not its path: the same files give the same hash however the folder is spelt
                // (`Clauses`, `./Clauses`, an absolute path, an installed copy).
                hashInput += Array(file.utf8) + [0] + Array(text.utf8)
                elements.append(try element(path: path, root: root, macros: macros, errors: &errors))
            } catch let e as ClauseError { errors.append(e) } catch {
                errors.append(ClauseError(SourcePosition(path: path, line: 0, column: 0), "\(error)"))
            }
        }
        // Every element id, exactly once.
        var seen: [String: String] = [:]
        for e in elements {
            if let other = seen[e.id] {
                errors.append(ClauseError(SourcePosition(path: e.path, line: 1, column: 1), "element '\(e.id)' is also defined in \(other)"))
            }
            seen[e.id] = e.path
        }
        for id in ElementCatalog.all where seen[id] == nil && requireAllElements {
            errors.append(ClauseError(SourcePosition(path: directory, line: 0, column: 0), "no clause file defines element '\(id)' (ELEMENTS.md lists it)"))
        }
        var ruleIds: [String: SourcePosition] = [:]
        for e in elements { for r in e.rules {
            if let other = ruleIds[r.id] { errors.append(ClauseError(r.position, "rule id '\(r.id)' is already used at \(other)")) }
            ruleIds[r.id] = r.position
        } }
        for e in elements { for r in e.rules { for dep in r.requires.flatMap({ $0.split(separator: "|").map(String.init) }) where ruleIds[dep] == nil || dep == r.id {
            errors.append(ClauseError(r.position, "rule '\(r.id)' requires '\(dep)', which is not another rule's id"))
        } } }
        if !errors.isEmpty { throw ClauseErrors(errors: errors) }
        let order = Dictionary(uniqueKeysWithValues: ElementCatalog.all.enumerated().map { ($1, $0) })
        elements.sort { (order[$0.id] ?? 99) < (order[$1.id] ?? 99) }
        return ClauseLibrarySpec(version: version, sha256: ClauseLibrarySpec.sha256Hex(hashInput), elements: elements,
                                 documentContext: contextPattern, documentDisclaimer: disclaimerPattern, directory: directory)
    }

    private func parse(path: String) throws -> (String, Node) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ClauseError(SourcePosition(path: path, line: 0, column: 0), "cannot read the file as UTF-8")
        }
        do {
            // The basic resolver: every scalar stays a string (no regex per scalar to guess ints and dates); `Reader` converts.
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw ClauseError(SourcePosition(path: path, line: 1, column: 1), "empty clause file")
            }
            return (text, node)
        } catch let e as ClauseError { throw e } catch let e as YamlError {
            switch e {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw ClauseError(SourcePosition(path: path, line: mark.line, column: mark.column), "invalid YAML: \(problem)")
            default:
                throw ClauseError(SourcePosition(path: path, line: 1, column: 1), "invalid YAML: \(e)")
            }
        }
    }

    /// Replaces each {{name}} with (?:macro). A byte scan: this runs for every pattern at start-up.
    private func expand(_ pattern: String, macros: [String: String], at position: SourcePosition, errors: inout [ClauseError]) -> String {
        let bytes = Array(pattern.utf8)
        guard bytes.count >= 4, bytes.contains(UInt8(ascii: "{")) else { return pattern }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        var i = 0
        let brace = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        while i < bytes.count {
            if bytes[i] == brace, i + 1 < bytes.count, bytes[i + 1] == brace {
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == close && bytes[j + 1] == close) { j += 1 }
                if j + 1 < bytes.count {
                    let name = String(decoding: bytes[(i + 2)..<j], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    if let m = macros[name] { out += Array("(?:\(m))".utf8) } else {
                        errors.append(ClauseError(position, "unknown macro {{\(name)}} (define it in _macros.yaml)"))
                    }
                    i = j + 2
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func element(path: String, root: Node, macros: [String: String], errors: inout [ClauseError]) throws -> ElementSpec {
        let r = try Reader(path: path, node: root)
        try r.allowOnly(["element", "title", "kind", "citation", "severity", "weak_severity", "rationale", "recommendation",
                         "precedence", "patterns", "rules", "definitions"])
        let id = try r.required("element")
        guard ElementCatalog.all.contains(id) else {
            throw ClauseError(r.child("element")!.position, "unknown element id '\(id)' (see ../shared/ELEMENTS.md)")
        }
        let kind: ElementKind = try r.enumValue("kind", default: ElementCatalog.kind(of: id))
        let severity: Severity = try r.enumValue("severity", default: .high)
        let weakSeverity: Severity = try r.enumValue("weak_severity", default: severity.lowered)
        var precedence: [Verdict] = [.prohibited, .permitted]
        if let p = r.child("precedence") {
            precedence = try p.node.array().map { n in
                guard let s = n.string, let v = Verdict(rawValue: s) else {
                    throw ClauseError(Reader.position(path, n), "precedence lists verdicts: \(Verdict.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return v
            }
        }
        var shared: [String: PatternSpec] = [:]
        if let p = r.child("patterns") {
            for (name, (source, pos)) in try p.stringMap() {
                shared[name] = PatternSpec(name: name, source: source, expanded: expand(source, macros: macros, at: pos, errors: &errors), position: pos)
            }
        }
        var definitions: [PatternSpec] = []
        if let d = r.child("definitions") {
            for (i, n) in d.node.array().enumerated() {
                guard let s = n.string else { throw ClauseError(Reader.position(path, n), "a definition is a pattern string") }
                let pos = Reader.position(path, n)
                definitions.append(PatternSpec(name: "definition\(i)", source: s, expanded: expand(s, macros: macros, at: pos, errors: &errors), position: pos))
            }
        }
        var rules: [RuleSpec] = []
        guard let rulesNode = r.child("rules"), case .sequence = rulesNode.node else {
            throw ClauseError(r.position, "element '\(id)' needs a `rules:` list")
        }
        for n in rulesNode.node.array() {
            do { rules.append(try rule(path: path, node: n, element: id, shared: shared, macros: macros, errors: &errors)) } catch let e as ClauseError { errors.append(e) }
        }
        let stance = ElementCatalog.stanceElements.contains(id)
        for rule in rules {
            let ok: Bool = stance ? (rule.verdict == .prohibited || rule.verdict == .permitted || rule.verdict == .weak)
                                  : (rule.verdict == .present || rule.verdict == .weak)
            if !ok { errors.append(ClauseError(rule.position, "verdict '\(rule.verdict.rawValue)' does not fit element '\(id)'")) }
        }
        return ElementSpec(id: id, title: try r.required("title"), kind: kind, citation: try r.required("citation"),
                           severity: severity, weakSeverity: weakSeverity, rationale: try r.required("rationale"),
                           recommendation: try r.required("recommendation"), precedence: precedence, rules: rules,
                           definitions: definitions, path: path)
    }

    private func rule(path: String, node: Node, element: String, shared: [String: PatternSpec], macros: [String: String],
                      errors: inout [ClauseError]) throws -> RuleSpec {
        let r = try Reader(path: path, node: node)
        try r.allowOnly(["id", "description", "verdict", "scope", "all", "any", "none", "within", "capture", "requires", "priority", "patterns", "examples"])
        let id = try r.required("id")
        let idOK = id.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
            && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "_.-".contains($0)) }
        if !idOK {
            throw ClauseError(r.child("id")!.position, "rule id '\(id)' must be lower-case letters, digits, '.', '-' or '_'")
        }
        var patterns = shared
        if let p = r.child("patterns") {
            for (name, (source, pos)) in try p.stringMap() {
                patterns[name] = PatternSpec(name: name, source: source, expanded: expand(source, macros: macros, at: pos, errors: &errors), position: pos)
            }
        }
        let all = try r.stringList("all"), any = try r.stringList("any"), none = try r.stringList("none")
        let requires = try r.stringList("requires")
        if all.isEmpty && any.isEmpty && requires.isEmpty {
            throw ClauseError(r.position, "rule '\(id)' needs `all:` or `any:` pattern names, or `requires:` rule ids")
        }
        if !requires.isEmpty && !(all.isEmpty && any.isEmpty) {
            throw ClauseError(r.position, "rule '\(id)': a compound rule (`requires:`) has no patterns of its own")
        }
        for name in all + any + none where patterns[name] == nil {
            throw ClauseError(r.position, "rule '\(id)' names pattern '\(name)', which is not defined in the element's or the rule's `patterns:`")
        }
        let capture = r.child("capture")?.node.string
        if let capture, !(all + any).contains(capture) {
            throw ClauseError(r.child("capture")!.position, "capture '\(capture)' must be one of the rule's `all:` or `any:` names")
        }
        var within: Int?
        if let w = r.child("within") {
            guard let v = w.node.int, v > 0 else { throw ClauseError(w.position, "`within` is a positive number of bytes") }
            within = v
        }
        var mustMatch: [RuleExample] = [], mustNotMatch: [RuleExample] = []
        if let ex = r.child("examples") {
            let e = try Reader(path: path, node: ex.node)
            try e.allowOnly(["match", "no_match"])
            for n in e.child("match")?.node.array() ?? [] {
                let pos = Reader.position(path, n)
                guard let s = n.string else { throw ClauseError(pos, "an example is a string") }
                guard let open = s.range(of: "[["), let close = s.range(of: "]]"), open.upperBound <= close.lowerBound else {
                    throw ClauseError(pos, "a must-match example marks its expected evidence with [[ and ]]")
                }
                let text = String(s[..<open.lowerBound]) + String(s[open.upperBound..<close.lowerBound]) + String(s[close.upperBound...])
                let start = s[..<open.lowerBound].utf8.count
                let end = start + s[open.upperBound..<close.lowerBound].utf8.count
                mustMatch.append(RuleExample(text: text, expected: start..<end, position: pos))
            }
            for n in e.child("no_match")?.node.array() ?? [] {
                let pos = Reader.position(path, n)
                guard let s = n.string else { throw ClauseError(pos, "an example is a string") }
                mustNotMatch.append(RuleExample(text: s, expected: nil, position: pos))
            }
        }
        return RuleSpec(id: id, element: element, description: r.child("description")?.node.string ?? "",
                        verdict: try r.enumValue("verdict", default: .present), scope: try r.enumValue("scope", default: .sentence),
                        all: all, any: any, none: none, within: within, capture: capture, requires: requires,
                        priority: r.child("priority")?.node.int ?? 0,
                        patterns: patterns.filter { (all + any + none).contains($0.key) },
                        mustMatch: mustMatch, mustNotMatch: mustNotMatch, position: r.position)
    }
}

/// A small reader over a Yams node that turns shape errors into path:line errors.
struct Reader {
    let path: String
    let node: Node
    let position: SourcePosition

    init(path: String, node: Node) throws {
        self.path = path
        self.node = node
        self.position = Reader.position(path, node)
    }

    static func position(_ path: String, _ node: Node) -> SourcePosition {
        let mark = node.mark
        return SourcePosition(path: path, line: mark?.line ?? 0, column: mark?.column ?? 0)
    }

    func child(_ key: String) -> Reader? {
        guard let m = node.mapping, let v = m[key] else { return nil }
        return try? Reader(path: path, node: v)
    }

    func allowOnly(_ keys: [String]) throws {
        guard let m = node.mapping else { throw ClauseError(position, "expected a mapping of keys") }
        for (k, _) in m {
            if let s = k.string, !keys.contains(s) {
                throw ClauseError(Reader.position(path, k), "unknown key '\(s)' (allowed: \(keys.joined(separator: ", ")))")
            }
        }
    }

    func required(_ key: String) throws -> String {
        guard let c = child(key) else { throw ClauseError(position, "missing required key '\(key)'") }
        guard let s = c.node.string, !s.isEmpty else { throw ClauseError(c.position, "'\(key)' must be a non-empty string") }
        return s
    }

    func string(_ key: String) -> String? { child(key)?.node.string }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, default d: E) throws -> E where E.RawValue == String {
        guard let c = child(key) else { return d }
        guard let s = c.node.string, let v = E(rawValue: s) else {
            throw ClauseError(c.position, "'\(key)' must be one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func stringList(_ key: String) throws -> [String] {
        guard let c = child(key) else { return [] }
        if let s = c.node.string { return [s] }
        guard case .sequence = c.node else { throw ClauseError(c.position, "'\(key)' must be a list of pattern names") }
        return try c.node.array().map { n in
            guard let s = n.string else { throw ClauseError(Reader.position(path, n), "'\(key)' must list names") }
            return s
        }
    }

    /// A mapping of name -> string with each value's position, in file order.
    func stringMap() throws -> [(String, (String, SourcePosition))] {
        guard let m = node.mapping else { throw ClauseError(position, "expected a mapping of name: pattern") }
        return try m.map { (k, v) in
            guard let key = k.string, let value = v.string else {
                throw ClauseError(Reader.position(path, k), "expected name: 'pattern' (a string)")
            }
            return (key, (value, Reader.position(path, v)))
        }
    }
}
