/// A record of an issue's reply list: a human reply (`type == "reply"`) or a system change record
/// (`type == "change"`).
public struct GuanceReply: Decodable, Sendable, Equatable {
    public var uuid: String
    public var issueUUID: String?
    public var type: String
    public var content: String
    public var extend: GuanceJSON?
    public var creator: String?
    public var creatorInfo: GuancePersonInfo?
    /// Unix seconds.
    public var createAt: Int64
    public var updateAt: Int64

    public init(
        uuid: String, issueUUID: String?, type: String = "reply", content: String, extend: GuanceJSON? = nil,
        creator: String? = nil, creatorInfo: GuancePersonInfo? = nil, createAt: Int64, updateAt: Int64? = nil
    ) {
        self.uuid = uuid
        self.issueUUID = issueUUID
        self.type = type
        self.content = content
        self.extend = extend
        self.creator = creator
        self.creatorInfo = creatorInfo
        self.createAt = createAt
        self.updateAt = updateAt ?? createAt
    }

    enum CodingKeys: String, CodingKey {
        case uuid, issueUUID, type, content, extend, creator, creatorInfo, createAt, updateAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decode(String.self, forKey: .uuid)
        createAt = try GuanceLenientDecoding.requiredInt64(c, .createAt)
        updateAt = try GuanceLenientDecoding.int64(c, .updateAt) ?? createAt
        issueUUID = try c.decodeIfPresent(String.self, forKey: .issueUUID)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? "reply"
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        extend = try c.decodeIfPresent(GuanceJSON.self, forKey: .extend)
        creator = try c.decodeIfPresent(String.self, forKey: .creator)
        creatorInfo = try c.decodeIfPresent(GuancePersonInfo.self, forKey: .creatorInfo)
    }

    /// True for replies people wrote (not system change records).
    public var isHumanReply: Bool { type == "reply" }

    /// The marker this product wrote into `extend`, if this reply was written by guance-chatops.
    public var chatOpsMarker: GuanceReplyMarker? { GuanceReplyMarker(extend: extend) }
}
