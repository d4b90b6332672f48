import Events

/// The Feishu flow route `/feishu/flow` (`FlowHandler`): the flow got its answer in the HTTP response, so nothing is
/// sent afterwards.
struct FlowReplyPlatform: ChatReplyPlatform {
    static let platform = ReplyPlatform.feishuFlow
    static let path = "/feishu/flow"
    static let requiredSetting = "FLOW_TOKEN"

    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery {
        .skipped("platform \(origin.platform) is answered over HTTP only")
    }
}
