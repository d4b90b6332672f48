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
