/// How to reach a Feishu app's Open Platform API: the self-built app's id and secret and the API host. One type for
/// every caller: the notifier's cards (`FeishuOpenAPI`) and the reply gateway (`FeishuAppClient`).
public struct FeishuAppCredentials: Sendable {
    public var appID: String
    public var appSecret: String
    /// `https://open.feishu.cn` (Lark: `https://open.larksuite.com`), or a fake's address in tests.
    public var baseURL: String
    /// How long one call may take.
    public var requestTimeout: Duration

    public init(
        appID: String, appSecret: String, baseURL: String = "https://open.feishu.cn",
        requestTimeout: Duration = .seconds(5)
    ) {
        self.appID = appID
        self.appSecret = appSecret
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
    }
}
