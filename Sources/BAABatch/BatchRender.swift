import BAAClauses
import BAAReport
import BAAReview
import Foundation

/// Printers for a batch: the vendor table, JSON, JSON lines and ticket payloads. They return text; the
/// command writes it.
public enum BatchRenderer {
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    /// The vendor table, worst first, then the counts and every error with its reason.
    public static func table(_ b: BatchSource, color: Bool = false) -> String {
        var out = ""
        table(b, color: color) { out += $0 }
        return out
    }

    /// The same, handed over a line at a time (a folder of 100,000 vendors is not built up in memory).
    public static func table(_ b: BatchSource, color: Bool = false, write: (String) -> Void) {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        let vendors = b.vendorSummaries
        let nameWidth = min(40, max(6, vendors.names.lazy.map(\.count).max() ?? 6))
        write(pad("VENDOR", nameWidth) + "  DOCS  SCORE  RISK      CRIT HIGH  MED  LOW  AI TRAINING  BREACH NOTICE                SUBCONTRACTORS    AI VENDOR\n")
        var anyErrors = false
        for v in vendors {
            var out = ""
            anyErrors = anyErrors || v.errors > 0
            let name = v.name.count > nameWidth ? String(v.name.prefix(nameWidth - 1)) + "…" : v.name
            let riskCode = v.risk == .critical ? "1;31" : v.risk == .high ? "31" : v.risk == .medium ? "33" : "32"
            out += pad(name, nameWidth) + "  " + lpad("\(v.documents)\(v.errors == 0 ? "" : "+\(v.errors)!")", 4)
            out += "  " + lpad("\(v.score)", 5) + "  " + paint(pad(v.risk.rawValue.uppercased(), 8), riskCode)
            for s in [Severity.critical, .high, .medium, .low] { out += " " + lpad("\(v.counts[s.rawValue] ?? 0)", 4) }
            out += "  " + pad(v.flags.aiTraining, 11) + "  " + pad(v.flags.breachNotification, 27) + "  " + pad(v.flags.subcontractors, 16) + "  " + (v.flags.aiVendor ?? "-") + "\n"
            write(out)
        }
        if vendors.isEmpty { write("(no documents)\n") }
        if anyErrors { write("(DOCS n+m!: n documents reviewed, m files that could not be)\n") }
        for v in vendors { for s in v.superseded { write(supersededLine(vendor: v.name, s, root: b.info.root) + "\n") } }
        write("\n" + summaryLine(b.info) + "\n")
        for e in b.errorList { write(paint("error: ", "31") + "\(e.path): \(e.reason)\n") }
        // A clause pattern that hit a resource limit: the verdicts it decides may be missing in that document.
        for w in b.ruleWarnings { write(paint("warning: ", "33") + "\(w.path): \(w.message)\n") }
        if let s = b as? SpooledBatch, s.ruleWarningsDropped > 0 { write(paint("warning: ", "33") + "\(s.ruleWarningsDropped) more rule warnings (see the JSON report)\n") }
        for s in b.skipped where s.reason != "hidden" { write("skipped: \(s.path): \(s.reason)\n") }
    }

    /// "superseded: acme: v1/baa.md (2026-02-09) by v2/baa.md (2026-10-05), a later full version of the same agreement; changed: ..."
    public static func supersededLine(vendor: String, _ s: SupersededVersion, root: String) -> String {
        func rel(_ p: String) -> String {
            let prefix = root.hasSuffix("/") ? root : root + "/"
            return p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : p
        }
        func dated(_ p: String, _ d: String?) -> String { rel(p) + (d.map { " (\($0))" } ?? "") }
        var line = "superseded: \(vendor): \(dated(s.file, s.fileDate)) by \(dated(s.by, s.byDate)), a later full version of the same agreement"
        if s.changed.isEmpty { line += "; no element changed" } else {
            line += "; changed: " + s.changed.map { s.regressions.contains($0) ? "\($0) (worse)" : $0 }.joined(separator: ", ")
            line += "; score \(s.scoreDelta >= 0 ? "+" : "")\(s.scoreDelta)"
        }
        return line
    }

    public static func summaryLine(_ info: BatchInfo) -> String {
        let c = info.counts
        var s = "\(c.files) file\(c.files == 1 ? "" : "s"): \(c.reviewed) reviewed (\(c.cached) from cache), \(c.errors) error\(c.errors == 1 ? "" : "s")"
        if c.skipped > 0 { s += ", \(c.skipped) skipped" }
        if c.excluded > 0 { s += ", \(c.excluded) excluded" }
        s += "; \(c.vendors) vendor\(c.vendors == 1 ? "" : "s") in \(String(format: "%.1f", info.seconds))s"
        if let shard = info.shard { s += " (shard \(shard))" }
        if info.interrupted { s += "; INTERRUPTED: \(c.notReached) file\(c.notReached == 1 ? "" : "s") not reached" }
        return s
    }

    /// `prefix` after every line break, byte for byte (no pass through a String): pretty JSON escapes newlines
    /// inside strings, so every raw 0x0A is a line break of the layout.
    static func indent(_ data: Data, _ prefix: String) -> Data {
        let pad = Array(prefix.utf8)
        return data.withUnsafeBytes { (src: UnsafeRawBufferPointer) -> Data in
            var breaks = 0
            for b in src where b == 0x0A { breaks += 1 }
            if breaks == 0 { return data }
            var out = [UInt8]()
            out.reserveCapacity(src.count + breaks * pad.count)
            var start = 0
            var i = 0
            while let j = src[i...].firstIndex(of: 0x0A) {
                out.append(contentsOf: src[start...j])
                out.append(contentsOf: pad)
                start = j + 1
                i = j + 1
            }
            out.append(contentsOf: src[start...])
            return Data(out)
        }
    }

    /// The batch as one JSON document (sorted keys, schema version 1), written as it is read from the source.
    public static func writeJSON(_ b: BatchSource, to sink: TextSink) throws {
        let enc = JSONReporter.encoder()
        func array(_ key: String, last: Bool = false, _ each: ((Data) throws -> Void) throws -> Void) throws {
            sink.write("  \"\(key)\" : [")
            var first = true
            try each { data in
                sink.write(first ? "\n    " : ",\n    ")
                sink.write(indent(data, "    "))
                first = false
            }
            sink.write(first ? "]" : "\n  ]")
            sink.write(last ? "\n" : ",\n")
        }
        sink.write("{\n  \"batch\" : ")
        sink.write(indent(try enc.encode(b.info), "  "))
        sink.write(",\n")
        try array("documents") { body in try b.forEachDocumentJSON(body) }
        try array("errors") { body in for e in b.errorList { try body(try enc.encode(e)) } }
        sink.write("  \"kind\" : \"baa-batch\",\n  \"schema_version\" : \(BatchReport.currentSchemaVersion),\n")
        try array("skipped") { body in for s in b.skipped { try body(try enc.encode(s)) } }
        try array("vendors", last: true) { body in try b.forEachVendorJSON(body) }
        sink.write("}\n")
    }

    /// Ticket payloads, one per vendor with findings, as a JSON array.
    public static func writeTickets(_ b: BatchSource, redact: Bool, tracker: TrackerConfig = TrackerConfig(), to sink: TextSink) throws {
        let enc = JSONReporter.encoder()
        var first = true
        sink.write("[")
        try b.forEachVendor { v in
            for t in TicketBuilder.tickets(for: [v], redact: redact) {
                sink.write(first ? "\n  " : ",\n  ")
                if tracker.kind == .webhook {
                    sink.write(indent(try enc.encode(t), "  "))
                } else {
                    let data = try JSONSerialization.data(withJSONObject: try tracker.object(t), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
                    sink.write(indent(data, "  "))
                }
                first = false
            }
        }
        sink.write(first ? "]\n" : "\n]\n")
    }

    /// One JSON object per finding of a document (the jsonl stream).
    public struct FindingLine: Encodable {
        public var vendor: String
        public var document: String
        public var fingerprint: String
        public var severity: Severity
        public var element: String
        public var kind: String
        public var title: String
        public var citation: String
        public var recommendation: String
        public var evidence: [Evidence]
    }

    public static func jsonLines(_ d: BatchDocument, redact: Bool) throws -> String {
        let enc = JSONReporter.encoder(pretty: false)
        var out = ""
        for f in (redact ? d.report.redacted() : d.report).findings {
            let line = FindingLine(vendor: d.vendor, document: d.path, fingerprint: f.fingerprint, severity: f.severity, element: f.element,
                                   kind: f.kind, title: f.title, citation: f.citation, recommendation: f.recommendation, evidence: f.evidence)
            out += String(decoding: try enc.encode(line), as: UTF8.self) + "\n"
        }
        return out
    }

}

/// `baa merge`: shard reports into one. Shards must come from the same tool, clause library and playbook,
/// and no vendor may appear in two of them.
public enum BatchMerger {
    public struct MergeError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func load(path: String) throws -> BatchReport {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw MergeError(message: "\(path): cannot read: \((error as NSError).localizedDescription)")
        }
        do { return try JSONDecoder().decode(BatchReport.self, from: data) } catch {
            throw MergeError(message: "\(path): not a `baa batch --format json` report (\(error))")
        }
    }

    public static func merge(_ inputs: [(path: String, report: BatchReport)]) throws -> BatchReport {
        guard var out = inputs.first?.report else { throw MergeError(message: "nothing to merge") }
        let first = inputs[0]
        var vendorSource: [String: String] = [:]
        for v in first.report.vendors { vendorSource[v.name] = first.path }
        var shards = Set([first.report.batch.shard ?? ""])
        for (path, r) in inputs.dropFirst() {
            guard r.batch.tool == out.batch.tool else {
                throw MergeError(message: "\(path): made by baa \(r.batch.tool.version) with clause library \(r.batch.tool.clauseLibrary.sha256.prefix(12)), but \(first.path) by baa \(out.batch.tool.version) with \(out.batch.tool.clauseLibrary.sha256.prefix(12))")
            }
            guard r.batch.playbookSHA256 == out.batch.playbookSHA256 else {
                throw MergeError(message: "\(path): playbook '\(r.batch.playbook)' differs from \(first.path)'s '\(out.batch.playbook)'")
            }
            if let s = r.batch.shard, shards.contains(s) { throw MergeError(message: "\(path): shard \(s) given twice") }
            shards.insert(r.batch.shard ?? "")
            for v in r.vendors {
                if let other = vendorSource[v.name] { throw MergeError(message: "\(path): vendor '\(v.name)' is also in \(other): shards overlap") }
                vendorSource[v.name] = path
            }
            out.vendors += r.vendors
            out.documents += r.documents
            out.errors += r.errors
            out.skipped += r.skipped
            let c = r.batch.counts
            out.batch.counts.files += c.files; out.batch.counts.reviewed += c.reviewed; out.batch.counts.errors += c.errors
            out.batch.counts.cached += c.cached; out.batch.counts.notReached += c.notReached
            out.batch.started = min(out.batch.started, r.batch.started)
            out.batch.finished = max(out.batch.finished, r.batch.finished)
            out.batch.seconds = max(out.batch.seconds, r.batch.seconds)
            out.batch.interrupted = out.batch.interrupted || r.batch.interrupted
        }
        // Walk-level counts are the same in every shard (each walks the whole folder).
        BatchReport.sortVendors(&out.vendors)
        out.documents.sort { $0.relativePath < $1.relativePath }
        out.errors.sort { $0.relativePath < $1.relativePath }
        var seen = Set<String>()
        out.skipped = out.skipped.filter { seen.insert($0.path).inserted }
        out.batch.counts.skipped = out.skipped.count
        out.batch.counts.vendors = out.vendors.count
        out.batch.shard = inputs.count > 1 ? "merged \(inputs.compactMap { $0.report.batch.shard }.sorted().joined(separator: ","))" : out.batch.shard
        return out
    }
}
