/// A chat user as far as the gateway could tell: the display name and the Guance account e-mail.
struct ChatIdentity: Sendable, Equatable {
    var name: String?
    /// The person's Guance account e-mail; nil when neither IDENTITY_FILE nor the directory names one.
    var email: String?
}

/// Resolves a chat platform's user id (Feishu open_id) to a person. Never throws: an unknown or unreachable
/// directory yields what is known (possibly nothing), and the caller decides what an unknown person may do.
protocol ChatIdentityResolver: Sendable {
    func identity(openID: String) async -> ChatIdentity
}

/// A directory lookup that cannot hold up a callback answer.
enum ChatIdentityLookup {
    /// Feishu wants callbacks answered within 3 s; the Kafka acknowledgement needs most of that.
    static let defaultBudget: Duration = .milliseconds(800)

    /// The resolver's answer, or an unknown person when it takes longer than `budget` (the lookup is cancelled).
    static func bounded(
        _ resolver: any ChatIdentityResolver, openID: String, budget: Duration = defaultBudget
    ) async -> ChatIdentity {
        await withTaskGroup(of: ChatIdentity?.self) { group in
            group.addTask { await resolver.identity(openID: openID) }
            group.addTask {
                try? await Task.sleep(for: budget)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ChatIdentity()
        }
    }
}
