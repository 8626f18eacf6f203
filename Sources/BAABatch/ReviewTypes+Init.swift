import BAAClauses
import BAAReview
import Foundation

// BAAReview's value types have internal memberwise initializers; these build them through their public
// Codable shape, so BAABatch needs no change to BAAReview.
enum Decoded {
    static func make<T: Decodable>(_ type: T.Type, _ object: [String: Any]) -> T {
        // The objects below are built from valid values; a failure here is a programming error.
        try! JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }
}

extension Contribution {
    static func make(fingerprint: String, element: String, severity: Severity, points: Int) -> Contribution {
        Decoded.make(Contribution.self, ["fingerprint": fingerprint, "element": element, "severity": severity.rawValue, "points": points])
    }
}

extension Scoring {
    static func make(contributions: [Contribution], playbook: Playbook) -> Scoring {
        var s = Decoded.make(Scoring.self, ["base": 100, "contributions": [Any](), "playbook": playbook.name,
                                            "bands": playbook.riskBands.map { ["min_score": $0.minScore, "risk": $0.risk.rawValue] }])
        s.contributions = contributions
        return s
    }
}

extension ToolInfo {
    static func make(name: String, version: String, libraryVersion: String, librarySHA256: String) -> ToolInfo {
        Decoded.make(ToolInfo.self, ["name": name, "version": version, "clause_library": ["version": libraryVersion, "sha256": librarySHA256]])
    }
}
