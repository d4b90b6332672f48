/// A configuration problem found at start-up. Its description is the one line printed before exit code 2.
public enum ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A required variable is not set.
    case missing(variable: String, meaning: String)
    /// A variable is set to something unusable. `value` is already masked for secrets.
    case invalid(variable: String, value: String, reason: String)
    /// The file named by `CONFIG_FILE` (or `ROUTES_FILE`) could not be read or parsed.
    case file(path: String, reason: String)
    /// Keys in a configuration file that no part of the product knows.
    case unknownKeys(source: String, keys: [String])

    public var description: String {
        switch self {
        case let .missing(variable, meaning):
            return "missing required variable \(variable) (\(meaning))"
        case let .invalid(variable, value, reason):
            return "invalid value for \(variable)=\(value): \(reason)"
        case let .file(path, reason):
            return "cannot use configuration file \(path): \(reason)"
        case let .unknownKeys(source, keys):
            return "unknown configuration keys in \(source): \(keys.joined(separator: ", "))"
        }
    }
}
