import GuanceAPI


/// One thing to poll: an API key (so a workspace) and a channel of it. Owned by exactly one live poller instance.
struct PollTarget: Sendable, Hashable, CustomStringConvertible {
    /// Stable name: the state key and the metrics label. Never the API key.
    var name: String
    var openAPIURL: String
    var apiKey: String
    /// The channel to list; nil = the workspace's `default` channel (found with channel quick_list once).
    var channelUUID: String?
    var channelName: String
    /// Base of console links; nil = no link base configured (the event carries a path-only link).
    var consoleURL: String?
    /// Requests per minute for this key (shared by all targets with the same key in this process).
    var rateLimit: Int

    var description: String { name }

    /// A short digest of the API key: lets targets sharing a key share one budget without keeping the key around.
    var keyDigest: String { GuanceUsageRecord.keyHash(of: apiKey) }

    /// The coordination partition that decides which instance polls this target.
    func coordinationPartition(of partitions: Int) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across processes and releases
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int32(hash % UInt64(max(partitions, 1)))
    }
}
