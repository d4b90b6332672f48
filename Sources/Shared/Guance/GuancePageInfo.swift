/// `pageInfo` of a Guance list answer: `count` items on this page, 1-based `pageIndex`, `pageSize`, `totalCount`.
public struct GuancePageInfo: Codable, Sendable, Equatable {
    public var count: Int?
    public var pageIndex: Int?
    public var pageSize: Int?
    public var totalCount: Int?

    public init(count: Int?, pageIndex: Int?, pageSize: Int?, totalCount: Int?) {
        self.count = count
        self.pageIndex = pageIndex
        self.pageSize = pageSize
        self.totalCount = totalCount
    }
}

/// One page of a Guance list: the items that decoded, the page info, and the items that could not be decoded
/// (reported, never silently dropped).
public struct GuancePage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var pageInfo: GuancePageInfo?
    /// Items of this page the client could not decode, with the reason.
    public var rejected: [GuanceRejectedItem]

    public init(items: [Item], pageInfo: GuancePageInfo?, rejected: [GuanceRejectedItem] = []) {
        self.items = items
        self.pageInfo = pageInfo
        self.rejected = rejected
    }
}

/// A list item that did not decode (a missing or mistyped field): its position, its uuid when readable, and why.
public struct GuanceRejectedItem: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var uuid: String?
    public var reason: String

    public init(index: Int, uuid: String?, reason: String) {
        self.index = index
        self.uuid = uuid
        self.reason = reason
    }

    public var description: String { "item \(index) (\(uuid ?? "no uuid")): \(reason)" }
}
