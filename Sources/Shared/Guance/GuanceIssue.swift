/// An issue as the issue list and issue get return it. Required: `uuid` and `createAt`; every other field falls back
/// to an empty value, because the docs disagree on which fields are always present.
public struct GuanceIssue: Decodable, Sendable, Equatable {
    public var uuid: String
    public var name: String
    /// HTML (mentions are embedded spans).
    public var description: String
    /// A number (`2`) or a level uuid (`system_level_2`), as text.
    public var level: String
    /// 10 open, 15 working, 20 resolved, 25 closed, 30 pending.
    public var statusType: Int
    public var resource: String
    public var resourceType: String
    public var workspaceUUID: String
    /// Unix seconds.
    public var createAt: Int64
    /// Unix seconds; equals `createAt` when absent.
    public var updateAt: Int64
    public var creator: String?
    public var creatorInfo: GuancePersonInfo?
    public var extend: GuanceJSON?

    public init(
        uuid: String, name: String, description: String = "", level: String = "", statusType: Int = 10,
        resource: String = "", resourceType: String = "", workspaceUUID: String = "", createAt: Int64,
        updateAt: Int64? = nil, creator: String? = nil, creatorInfo: GuancePersonInfo? = nil, extend: GuanceJSON? = nil
    ) {
        self.uuid = uuid
        self.name = name
        self.description = description
        self.level = level
        self.statusType = statusType
        self.resource = resource
        self.resourceType = resourceType
        self.workspaceUUID = workspaceUUID
        self.createAt = createAt
        self.updateAt = updateAt ?? createAt
        self.creator = creator
        self.creatorInfo = creatorInfo
        self.extend = extend
    }

    enum CodingKeys: String, CodingKey {
        case uuid, name, description, level, statusType, resource, resourceType, workspaceUUID, createAt, updateAt
        case creator, creatorInfo, extend
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decode(String.self, forKey: .uuid)
        createAt = try GuanceLenientDecoding.requiredInt64(c, .createAt)
        updateAt = try GuanceLenientDecoding.int64(c, .updateAt) ?? createAt
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        level = c.contains(.level) ? try GuanceLenientDecoding.stringOrNumber(c, .level) ?? "" : ""
        statusType = Int(try GuanceLenientDecoding.int64(c, .statusType) ?? 10)
        resource = try c.decodeIfPresent(String.self, forKey: .resource) ?? ""
        resourceType = try c.decodeIfPresent(String.self, forKey: .resourceType) ?? ""
        workspaceUUID = try c.decodeIfPresent(String.self, forKey: .workspaceUUID) ?? ""
        creator = try c.decodeIfPresent(String.self, forKey: .creator)
        creatorInfo = try c.decodeIfPresent(GuancePersonInfo.self, forKey: .creatorInfo)
        extend = try c.decodeIfPresent(GuanceJSON.self, forKey: .extend)
    }
}

extension GuanceIssue {
    /// `extend.manager`: the assignees as Guance lists them (account uuids, e-mails or team ids); empty when unset.
    public var managers: [String] {
        guard case .array(let values)? = extend?["manager"] else { return [] }
        return values.compactMap(\.stringValue)
    }
}
