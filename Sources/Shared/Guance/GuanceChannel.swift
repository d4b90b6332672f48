/// An issue channel (`/api/v1/channel/quick_list`). `deleteAt` is `-1` for live channels.
public struct GuanceChannel: Decodable, Sendable, Equatable {
    public var uuid: String
    public var name: String
    public var workspaceUUID: String?
    public var deleteAt: Int64?

    public init(uuid: String, name: String, workspaceUUID: String? = nil, deleteAt: Int64? = -1) {
        self.uuid = uuid
        self.name = name
        self.workspaceUUID = workspaceUUID
        self.deleteAt = deleteAt
    }

    /// True unless the channel carries a real deletion time.
    public var isLive: Bool { (deleteAt ?? -1) <= 0 }
}
