/// Anything a selector can be evaluated against, typically a message's headers and properties.
/// Returning `nil` means the identifier is absent, which selectors treat as SQL NULL.
public protocol SelectorSubject {
    func selectorValue(for identifier: String) -> SelectorValue?
}

// Lets callers (and tests) evaluate against a plain property map without a wrapper type.
extension Dictionary: SelectorSubject where Key == String, Value == SelectorValue {
    public func selectorValue(for identifier: String) -> SelectorValue? { self[identifier] }
}
