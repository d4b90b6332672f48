import Foundation

/// Decoding helpers for the loosely typed parts of Guance answers.
enum GuanceLenientDecoding {
    /// A value the docs show both as a string and as a number (`level`, `traceId`), as text.
    static func stringOrNumber<Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key
    ) throws -> String? {
        if try container.decodeNil(forKey: key) { return nil }
        if let text = try? container.decode(String.self, forKey: key) { return text }
        if let number = try? container.decode(Int64.self, forKey: key) { return String(number) }
        if let number = try? container.decode(Double.self, forKey: key) { return String(number) }
        if let flag = try? container.decode(Bool.self, forKey: key) { return String(flag) }
        throw DecodingError.typeMismatch(
            String.self,
            .init(codingPath: container.codingPath + [key], debugDescription: "expected a string or a number"))
    }

    /// An integer that may arrive as a number or a numeric string.
    static func int64<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Int64? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        if let number = try? container.decode(Int64.self, forKey: key) { return number }
        // `1.7e9` is an integer written as a float; `1e300`, `inf` or `1.5` are not integers: a decode error.
        if let number = try? container.decode(Double.self, forKey: key), let integer = Int64(exactly: number) {
            return integer
        }
        if let text = try? container.decode(String.self, forKey: key), let number = Int64(text) { return number }
        throw DecodingError.typeMismatch(
            Int64.self, .init(codingPath: container.codingPath + [key], debugDescription: "expected an integer"))
    }

    /// A required integer that may arrive as a number or a numeric string; missing or null is `keyNotFound`.
    static func requiredInt64<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Int64 {
        guard let value = try int64(container, key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: container.codingPath, debugDescription: "\(key.stringValue) is required"))
        }
        return value
    }

    /// A short description of a decoding error: which field, what was wrong.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing field \(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case let .dataCorrupted(context):
            return "invalid JSON at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Decodes each element on its own, so one bad item does not lose the page.
struct GuanceLenientList<Item: Decodable>: Decodable {
    var items: [Item] = []
    var rejected: [GuanceRejectedItem] = []

    private struct UUIDProbe: Decodable { var uuid: String? }
    private struct Skip: Decodable {}

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var index = 0
        while !container.isAtEnd {
            // Decode twice from a copy: once as the item, once to learn its uuid if the item is rejected.
            var probe = container
            do {
                items.append(try container.decode(Item.self))
            } catch {
                let uuid = (try? probe.decode(UUIDProbe.self))?.uuid
                rejected.append(.init(index: index, uuid: uuid, reason: GuanceLenientDecoding.describe(error)))
                if probe.currentIndex > container.currentIndex {
                    container = probe
                } else {
                    _ = try? container.decode(GuanceJSON.self)
                }
            }
            index += 1
        }
    }
}
