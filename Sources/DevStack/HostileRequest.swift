import Foundation

/// The secrets a gateway under test was started with, so that hostile requests can also be genuinely signed.
public struct IngressSecrets: Sendable {
    public var feishuVerificationToken: String
    public var feishuEncryptKey: String
    public var flowToken: String
    public var dingtalkAppSecret: String
    /// `GUANCE_WEBHOOK_TOKEN`; nil = the gateway runs without `/guance/webhook/<target>`.
    public var guanceWebhookToken: String?

    public init(
        feishuVerificationToken: String, feishuEncryptKey: String, flowToken: String, dingtalkAppSecret: String,
        guanceWebhookToken: String? = nil
    ) {
        self.feishuVerificationToken = feishuVerificationToken
        self.feishuEncryptKey = feishuEncryptKey
        self.flowToken = flowToken
        self.dingtalkAppSecret = dingtalkAppSecret
        self.guanceWebhookToken = guanceWebhookToken
    }
}

/// One request from the generator.
public struct HostileRequest: Sendable {
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]
    /// True when the request carries valid credentials for its route (it may lead to a published command); false
    /// means nothing may be published because of it.
    public var authenticated: Bool
    /// What kind of case this is, for failure messages.
    public var label: String
}
