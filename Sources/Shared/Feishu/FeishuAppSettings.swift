/// Where and as whom the Feishu app API is called.
public struct FeishuAppSettings: Sendable {
    public var appID: String
    public var appSecret: String
    public var baseURL: String
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
