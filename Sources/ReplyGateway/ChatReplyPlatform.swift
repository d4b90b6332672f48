import Events

/// One chat platform people reply from, in the gateway: its callback route (`path`, served by an `IngressHandler`
/// that publishes `ReplyCommand`s with `origin.platform == platform`) and how the gateway answers a person there once
/// the writer reported the result. Each platform lives in its folder (`Feishu/`, `DingTalk/`, `Flow/`) and is listed
/// once in `ReplyPlatforms.all`; routes and the chat responder only talk to this protocol.
protocol ChatReplyPlatform: Sendable {
    /// The platform of the commands this route publishes.
    static var platform: ReplyPlatform { get }
    /// The callback route, e.g. `/feishu/events`.
    static var path: String { get }
    /// What to configure when the route answers 503 "not configured".
    static var requiredSetting: String { get }

    /// Answers a person in this platform's chat; `key` makes a repeated answer idempotent where the platform can.
    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery
}

/// The reply platforms of this gateway.
enum ReplyPlatforms {
    static let all: [any ChatReplyPlatform.Type] = [
        FeishuReplyPlatform.self, FlowReplyPlatform.self, DingTalkReplyPlatform.self,
    ]
}
