import Crypto
import Foundation
import Signing

/// One record of `guance.api-usage`, the log through which every process spending an API key's budget agrees on
/// it. Keyed by `GuanceUsageRecord.keyHash(of:)`, never the key itself. JSON; unknown or undecodable records are
/// ignored by readers (they count nothing).
public struct GuanceUsageRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// "I want to make one call": granted or not by the log's replay (`GuanceUsageWindow`).
        case claim
        /// An interactive caller of this process is waiting for a call: polling claims are not granted until the
        /// process clears it or one claim window passes.
        case demand
        /// The process's interactive callers are served.
        case clear
    }

    public var kind: Kind
    /// The hash of the API key (`keyHash(of:)`).
    public var key: String
    /// Unique per record: the claimer finds its own claim by it.
    public var id: String
    /// The process that wrote it: `<service>@<host>` (a metrics label: stable across restarts).
    public var process: String
    /// Claims: the claimer's priority and its view of the budget (the rule uses the claimer's own numbers).
    public var priority: GuanceCallPriority?
    public var limit: Int?
    public var reserve: Int?
    /// Claims and demands: the claim window in milliseconds.
    public var windowMs: Int64?

    public init(
        kind: Kind, key: String, id: String = UUID().uuidString, process: String,
        priority: GuanceCallPriority? = nil, limit: Int? = nil, reserve: Int? = nil, windowMs: Int64? = nil
    ) {
        self.kind = kind
        self.key = key
        self.id = id
        self.process = process
        self.priority = priority
        self.limit = limit
        self.reserve = reserve
        self.windowMs = windowMs
    }

    /// A short, stable, one-way name of an API key: the usage topic's record key and the `key` metrics label.
    public static func keyHash(of apiKey: String) -> String {
        Hex.encode(SHA256.hash(data: Data(apiKey.utf8)).prefix(8))
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// The record of a topic value, or nil when it is not one (a hostile or foreign value counts nothing).
    public static func decode(_ bytes: [UInt8]) -> GuanceUsageRecord? {
        guard bytes.count <= 4096, let record = try? JSONDecoder().decode(Self.self, from: Data(bytes)) else {
            return nil
        }
        guard record.key.utf8.count <= 64, record.process.utf8.count <= 256 else { return nil }
        return record
    }
}
