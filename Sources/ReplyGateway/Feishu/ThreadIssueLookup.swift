import FeishuKit
import Synchronization

/// Finds the issue a chat thread is about, for replies written in a notification's thread without `#uuid#`.
protocol ThreadIssueLookup: Sendable {
    /// The issue uuid in the thread's root message, nil when the root mentions none.
    func issueUUID(threadRoot messageID: String) async throws -> String?
}

/// Reads the thread's root message through the Feishu app API and takes the first `issue_…` uuid in it. Results
/// are cached (roots do not change); the cache is bounded.
final class FeishuThreadIssueLookup: ThreadIssueLookup {
    private let client: FeishuAppClient
    private let cache = Mutex<[String: String?]>([:])
    private let capacity: Int

    init(client: FeishuAppClient, capacity: Int = 10_000) {
        self.client = client
        self.capacity = capacity
    }

    func issueUUID(threadRoot messageID: String) async throws -> String? {
        if let hit = cache.withLock({ $0[messageID] }) { return hit }
        let content = try await client.messageContent(messageID)
        let uuid = content.flatMap(CommandText.findIssueUUID(in:))
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[messageID] = .some(uuid)
        }
        return uuid
    }
}
