/// The chat platform a reply command came from (`ReplyCommand.Origin.platform`). On the wire it is the raw string of
/// the JSON schema (`feishu`, `feishu-flow`, `dingtalk`). A value this version does not know (a newer gateway, a
/// hand-written record) decodes as `.unknown(raw)` instead of failing the record, and encodes back unchanged: the
/// writer still writes the reply; only the answer in the chat is skipped, with the platform named.
public enum ReplyPlatform: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Feishu event subscription (`/feishu/events`).
    case feishu
    /// The Feishu flow route (`/feishu/flow`), answered over HTTP.
    case feishuFlow
    /// DingTalk app robot (`/dingtalk/events`).
    case dingtalk
    /// A platform this version does not know, with its raw value.
    case unknown(String)

    /// Every platform this version knows.
    public static let known: [ReplyPlatform] = [.feishu, .feishuFlow, .dingtalk]

    public init(rawValue: String) {
        self = Self.known.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    public var rawValue: String {
        switch self {
        case .feishu: "feishu"
        case .feishuFlow: "feishu-flow"
        case .dingtalk: "dingtalk"
        case let .unknown(raw): raw
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
