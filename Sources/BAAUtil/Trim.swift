/// Trimming without Foundation: on Linux `trimmingCharacters(in:)` bridges through NSString and was a
/// quarter of a review's instructions (it ran for every line and paragraph). For String and Substring.
/// String and Substring, trimmed by scalars.
public protocol ScalarTrimmable {
    /// Without leading and trailing scalars for which `drop` is true.
    func trimming(where drop: (Unicode.Scalar) -> Bool) -> String
}

extension ScalarTrimmable {
    /// Without leading and trailing white space (Unicode White_Space, including tabs and non-breaking spaces).
    public func trimmingWhitespace() -> String {
        trimming { $0.properties.isWhitespace }
    }

    /// Without leading and trailing characters from `set` (scalars).
    public func trimming(charactersIn set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        return trimming { scalars.contains($0) }
    }
}

extension Substring: ScalarTrimmable {
    /// The kept scalars are copied as one UTF-8 run (building the result scalar by scalar was most of the
    /// segmenter's time).
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let view = unicodeScalars
        guard let first = view.firstIndex(where: { !drop($0) }) else { return "" }
        let last = view.lastIndex(where: { !drop($0) })!
        return String(view[first...last])
    }
}

extension String: ScalarTrimmable {
    /// The string itself when there is nothing to trim.
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let view = unicodeScalars
        if let f = view.first, let l = view.last, !drop(f), !drop(l) { return self }
        return self[...].trimming(where: drop)
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
