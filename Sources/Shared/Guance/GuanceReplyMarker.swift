/// What guance-chatops writes into `extend` of every reply it creates: `extend.source = "guance-chatops"` and
/// `extend.commandId`. The poller skips replies carrying it (no echo loop); the reply writer finds an earlier
/// attempt by `commandId` after an ambiguous failure (no double replies).
public struct GuanceReplyMarker: Sendable, Equatable {
    /// The value of `extend.source` on replies this product writes.
    public static let source = "guance-chatops"
    public static let sourceKey = "source"
    public static let commandIDKey = "commandId"

    /// The `ReplyCommand.commandId` the reply was written for, when known.
    public var commandID: String?

    public init(commandID: String?) {
        self.commandID = commandID
    }

    /// Reads the marker back from a reply's `extend`; nil when the reply was not written by this product.
    public init?(extend: GuanceJSON?) {
        guard let extend, extend[Self.sourceKey]?.stringValue == Self.source else { return nil }
        commandID = extend[Self.commandIDKey]?.stringValue
    }

    /// `extend` for a new reply: the marker merged into `base` (for example `members` to notify).
    public func extend(merging base: GuanceJSON = .emptyObject) -> GuanceJSON {
        var members: [String: GuanceJSON] = [:]
        if case let .object(existing) = base { members = existing }
        members[Self.sourceKey] = .string(Self.source)
        if let commandID { members[Self.commandIDKey] = .string(commandID) }
        return .object(members)
    }
}
