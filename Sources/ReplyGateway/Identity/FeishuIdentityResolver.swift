import Foundation
import Logging
import Synchronization

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
    let logger: Logger
    private let now: @Sendable () -> Date
    private let cache = Mutex<[String: Cached]>([:])
    /// Entries kept at most; the cache starts over when full (a directory lookup is cheap, memory is not).
    static let maxCached = 10_000

    init(
        file: IdentityFile?, directory: (any FeishuContactDirectory)?, ttl: Duration = .seconds(3600),
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
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
            let expires = current.addingTimeInterval(Double(ttl.milliseconds) / 1000)
            cache.withLock { cache in
                if cache.count >= Self.maxCached { cache.removeAll() }
                cache[openID] = Cached(user: user, expires: expires)
            }
            return user
        } catch {
            logger.warning("Feishu contact lookup failed", metadata: ["error": "\(error)"])
            return cached?.user
        }
    }
}

/// A Feishu user as the contact directory describes them.
struct FeishuContactUser: Sendable, Equatable {
    var name: String?
    var email: String?
}

/// The Feishu contact directory (`GET /open-apis/contact/v3/users/:open_id`); `FeishuAppClient` in production.
protocol FeishuContactDirectory: Sendable {
    func user(openID: String) async throws -> FeishuContactUser
}
