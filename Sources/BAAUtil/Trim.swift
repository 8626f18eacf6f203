/// Trimming without Foundation: on Linux `trimmingCharacters(in:)` bridges through NSString and was a
/// quarter of a review's instructions (it ran for every line and paragraph).
extension StringProtocol {
    /// Without leading and trailing white space (Unicode White_Space, including tabs and non-breaking spaces).
    public func trimmingWhitespace() -> String {
        trimming { $0.properties.isWhitespace }
    }

    /// Without leading and trailing characters from `set` (scalars).
    public func trimming(charactersIn set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        return trimming { scalars.contains($0) }
    }

    /// Without leading and trailing scalars for which `drop` is true.
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let view = unicodeScalars
        guard let first = view.firstIndex(where: { !drop($0) }) else { return "" }
        let last = view.lastIndex(where: { !drop($0) })!
        var out = String.UnicodeScalarView()
        out.append(contentsOf: view[first...last])
        return String(out)
    }
}

extension Unicode.GeneralCategory {
    /// Connector, dash, open, close, initial, final or other punctuation (Foundation's punctuationCharacters).
    public var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: true
        default: false
        }
    }
}
