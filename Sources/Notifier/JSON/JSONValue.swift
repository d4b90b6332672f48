/// A parsed JSON document, read by `JSONReader`. Numbers keep their text so integers stay exact.
enum JSONValue: Sendable {
    /// Members in document order (objects here are small: a linear search beats hashing every key).
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's literal text, e.g. `42`, `-1.5e3`.
    case number(String)
    case bool(Bool)
    case null

    /// A member of an object (the last one when a key repeats, as `JSONDecoder` does); nil otherwise.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an integer: an integer literal, or a string holding one (some platforms quote their codes).
    var integer: Int64? {
        switch self {
        case .number(let text): return Int64(text)
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
