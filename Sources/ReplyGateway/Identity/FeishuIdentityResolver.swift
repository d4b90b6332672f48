import FeishuKit
import Foundation
import KafkaClient
import Logging
import Synchronization
import Timing

/// Who a Feishu user is: name and e-mail from the contact directory (cached for `ttl`, looked up again after it),
/// the Guance account from `IDENTITY_FILE` (by open_id, then by the Feishu e-mail), else the Feishu e-mail itself.
final class FeishuIdentityResolver: ChatIdentityResolver {
    private struct Cached {
        var user: FeishuContactUser
        var expires: Date
    }

    let file: IdentityFile?
    let directory: (any FeishuContactDirectory)?
    let ttl: Duration
    /// A failed lookup with nothing known yet is not repeated for this long (people outside the app's contact range
    /// would otherwise cost a directory call on every message).
    let failureTTL: Duration
    let logger: Logger
    private let now: @Sendable () -> Date
    private let cache = Mutex<[String: Cached]>([:])
    /// Entries kept at most; the cache starts over when full (a directory lookup is cheap, memory is not).
    static let maxCached = 10_000

    init(
        file: IdentityFile?, directory: (any FeishuContactDirectory)?, ttl: Duration = .seconds(3600),
        failureTTL: Duration = .seconds(60), logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.failureTTL = failureTTL
        self.file = file
        self.directory = directory
        self.ttl = ttl
        self.logger = logger
        self.now = now
    }

    func identity(openID: String) async -> ChatIdentity {
        let user = await contact(openID)
        let mapped = file?.guanceEmail(feishuOpenID: openID, feishuEmail: user?.email)
        return ChatIdentity(name: user?.name, email: mapped ?? user?.email)
    }

    /// The directory entry, from the cache while fresh; a failed lookup falls back to a stale entry.
    private func contact(_ openID: String) async -> FeishuContactUser? {
        let current = now()
        let cached = cache.withLock { $0[openID] }
        if let cached, cached.expires > current { return cached.user }
        guard let directory else { return cached?.user }
        do {
            let user = try await directory.user(openID: openID)
            remember(user, for: openID, until: current.addingTimeInterval(Double(ttl.milliseconds) / 1000))
            return user
        } catch {
            logger.warning("Feishu contact lookup failed", metadata: ["error": "\(error)"])
            // A lookup cut short by the caller's time budget says nothing about the person.
            if let cached { return cached.user }
            if Task.isCancelled { return nil }
            let unknown = FeishuContactUser(name: nil, email: nil)
            remember(unknown, for: openID, until: current.addingTimeInterval(Double(failureTTL.milliseconds) / 1000))
            return nil
        }
    }

    private func remember(_ user: FeishuContactUser, for openID: String, until expires: Date) {
        cache.withLock { cache in
            if cache.count >= Self.maxCached { cache.removeAll() }
            cache[openID] = Cached(user: user, expires: expires)
        }
    }
}

/// The Feishu contact directory (`GET /open-apis/contact/v3/users/:open_id`); `FeishuAppClient` in production.
protocol FeishuContactDirectory: Sendable {
    func user(openID: String) async throws -> FeishuContactUser
}
