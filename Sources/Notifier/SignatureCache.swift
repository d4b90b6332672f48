import Synchronization

/// Signatures that depend only on the second and the secret (Feishu's `sign`, DingTalk's signed query), computed
/// once per second per secret instead of an HMAC per message. Shared by every sink of the process; one entry per
/// platform and secret, so it holds as many entries as there are signed sinks.
final class SignatureCache: Sendable {
    static let shared = SignatureCache()

    private struct Key: Hashable {
        let platform: SinkKind
        let secret: String
    }

    private let entries = Mutex<[Key: (second: Int64, value: [UInt8])]>([:])

    /// The cached value of `platform` and `secret` for `second`, or `make(second)` (then cached).
    func value(
        _ platform: SinkKind, secret: String, second: Int64, make: (Int64) -> [UInt8]
    ) -> [UInt8] {
        let key = Key(platform: platform, secret: secret)
        if let hit = entries.withLock({ $0[key] }), hit.second == second { return hit.value }
        let value = make(second)
        entries.withLock { $0[key] = (second, value) }
        return value
    }
}
