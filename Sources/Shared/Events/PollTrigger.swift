/// `guance.poll-trigger/v1`: Guance told the gateway (through its webhook notification target) that something changed
/// in a poll target's workspace. Published by the gateway to `guance.poll-triggers`, keyed by `target`; the poller
/// that owns the target polls it at once. A wake-up only: the listing that follows is the source of truth, and
/// Guance's own payload is not carried.
public struct PollTrigger: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.poll-trigger/v1"

    public var schema: String
    /// The poll target's name (as in `poll_targets`, or `default`).
    public var target: String
    /// RFC 3339 time the gateway received the push.
    public var receivedAt: String

    public init(target: String, receivedAt: String) {
        self.schema = Self.schemaV1
        self.target = target
        self.receivedAt = receivedAt
    }

    /// Whether `name` is a valid poll target name: 1–128 letters, digits, `.`, `_` or `-`.
    public static func isValidTargetName(_ name: some StringProtocol) -> Bool {
        (1...128).contains(name.utf8.count) && name.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }
    }
}
