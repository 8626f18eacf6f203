import ArgumentParser
import BAABatch
import Foundation

extension TrackerKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// Which tracker `--format tickets` and `--post` speak, and where in it the issues go. Each option falls back to
/// an environment variable, so a scheduled job can keep them out of its command line.
struct TrackerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The tracker's payload: webhook (baa's own), jira (Cloud REST v3), github, gitlab or servicenow (env BAA_TRACKER).", valueName: "tracker"))
    var tracker: TrackerKind?
    @Option(name: .long, help: ArgumentHelp("Jira: the project key (SEC); GitLab: the project id or path group/project (env BAA_TRACKER_PROJECT).", valueName: "project"))
    var project: String?
    @Option(name: .customLong("issue-type"), help: ArgumentHelp("Jira: the issue type's name (default Task; env BAA_TRACKER_ISSUE_TYPE).", valueName: "name"))
    var issueType: String?
    @Option(name: .long, help: ArgumentHelp("GitHub: OWNER/REPO (env BAA_TRACKER_REPO).", valueName: "owner/repo"))
    var repo: String?

    func config(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> TrackerConfig {
        var kind = tracker
        if kind == nil, let name = env["BAA_TRACKER"], !name.isEmpty {
            guard let k = TrackerKind(argument: name) else {
                throw ValidationError("BAA_TRACKER: '\(name)' is not a tracker (\(TrackerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            kind = k
        }
        var c = TrackerConfig(kind: kind ?? .webhook)
        c.project = project ?? env["BAA_TRACKER_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
        c.repo = repo ?? env["BAA_TRACKER_REPO"].flatMap { $0.isEmpty ? nil : $0 }
        if let t = issueType ?? env["BAA_TRACKER_ISSUE_TYPE"].flatMap({ $0.isEmpty ? nil : $0 }) { c.issueType = t }
        if let problem = c.problem() { throw ValidationError(problem) }
        return c
    }
}
