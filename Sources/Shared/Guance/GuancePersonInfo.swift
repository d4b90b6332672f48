/// `creatorInfo` / `updatorInfo` of issues and replies. Every field is optional: API keys as creators carry little.
public struct GuancePersonInfo: Decodable, Sendable, Equatable {
    public var name: String?
    public var username: String?
    public var email: String?
    public var acntWsNickname: String?
    public var uuid: String?

    public init(name: String? = nil, username: String? = nil, email: String? = nil, uuid: String? = nil) {
        self.name = name
        self.username = username
        self.email = email
        self.uuid = uuid
    }

    /// The best display name: workspace nickname, then name, then username, then email.
    public var displayName: String? {
        for candidate in [acntWsNickname, name, username, email] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return nil
    }
}
