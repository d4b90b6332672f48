import Foundation

/// Any JSON value, for the free-form parts of the Guance API (`extend` of replies and issues).
public enum GuanceJSON: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([GuanceJSON])
    case object([String: GuanceJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([GuanceJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: GuanceJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// The member of an object, if this is an object holding `key`.
    public subscript(key: String) -> GuanceJSON? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// An empty object, the API's default for `extend`.
    public static let emptyObject = GuanceJSON.object([:])
}
