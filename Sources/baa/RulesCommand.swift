import ArgumentParser
import BAAClauses
import BAAReport
import BAAReview
import Foundation

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "List, show and test the clause library.",
                                                    subcommands: [List.self, Show.self, Test.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List elements and their rules.")
        @OptionGroup var library: LibraryOptions
        func run() throws {
            let lib = try library.loadLibrary()
            print("clause library \(lib.spec.version) (\(lib.spec.sha256.prefix(12))): \(lib.spec.elements.count) elements, \(lib.rules.count) rules, \(lib.patterns.count) patterns")
            for e in lib.spec.elements {
                print("\(e.id.padding(toLength: 24, withPad: " ", startingAt: 0)) \(e.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.citation)")
                for r in e.rules { print("    \(r.id) [\(r.verdict.rawValue), \(r.scope.rawValue)]") }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one rule (or all rules of an element) with its patterns and examples.")
        @Argument(help: "A rule id or an element id.") var id: String
        @OptionGroup var library: LibraryOptions
        func run() throws {
            let lib = try library.loadLibrary()
            let rules = lib.rules.filter { $0.spec.id == id || $0.spec.element == id }
            guard !rules.isEmpty else { throw UserError("no rule or element '\(id)'; see `baa rules list`") }
            for r in rules.map(\.spec) {
                print("\(r.id)  (\(r.position))")
                print("  element: \(r.element)  verdict: \(r.verdict.rawValue)  scope: \(r.scope.rawValue)\(r.within.map { "  within: \($0)" } ?? "")")
                if !r.description.isEmpty { print("  \(r.description)") }
                if !r.all.isEmpty { print("  all: \(r.all.joined(separator: ", "))") }
                if !r.any.isEmpty { print("  any: \(r.any.joined(separator: ", "))") }
                if !r.none.isEmpty { print("  none (guards): \(r.none.joined(separator: ", "))") }
                for name in (r.all + r.any + r.none) { if let p = r.patterns[name] { print("    \(name): \(p.source)") } }
                for e in r.mustMatch { print("  match:    \(e.text)") }
                for e in r.mustNotMatch { print("  no match: \(e.text)") }
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Run every rule's examples (and variants); exit 1 on any failure.")
        @Argument(help: "Only this rule or element.") var id: String?
        @OptionGroup var library: LibraryOptions
        @Option(name: .customLong("min-examples"), help: "Each element needs at least this many must-match and must-not-match examples.")
        var minExamples = 2
        func run() throws {
            let lib = try library.loadLibrary()
            let result = ClauseSelfTest(library: lib).run(only: id)
            var problems = result.failures.map(\.description)
            for e in result.ruleErrors { problems.append("error: \(e)") }
            if id == nil {
                for e in lib.spec.elements {
                    let m = e.rules.reduce(0) { $0 + $1.mustMatch.count }, n = e.rules.reduce(0) { $0 + $1.mustNotMatch.count }
                    if m < minExamples || n < minExamples {
                        problems.append("\(e.path):1:1: error: element '\(e.id)' has \(m) must-match and \(n) must-not-match examples; at least \(minExamples) of each are required")
                    }
                    for r in e.rules where r.mustMatch.isEmpty {
                        problems.append("\(r.position): error: [\(r.id)] has no must-match example")
                    }
                }
            }
            for p in problems { print(p) }
            let rules = lib.rules.filter { id == nil || $0.spec.id == id || $0.spec.element == id }.count
            print("\(rules) rules, \(result.examplesRun) example runs: \(problems.isEmpty ? "all passed" : "\(problems.count) failed")")
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}
