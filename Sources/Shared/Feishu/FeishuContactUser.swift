/// A Feishu user as the contact directory describes them (fields the app may not read are nil).
public struct FeishuContactUser: Sendable, Equatable {
    public var name: String?
    public var email: String?

    public init(name: String?, email: String?) {
        self.name = name
        self.email = email
    }
}
