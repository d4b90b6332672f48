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

    /// An integer literal (a quoted number is a string, as for `Codable`).
    var integer: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
