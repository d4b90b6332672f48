import Foundation
import Shared

/// Feishu event subscription settings (`/feishu/events`).
struct FeishuSubscriptionSettings: Sendable {
    var verificationToken: String
    /// When set, bodies must be encrypted and non-challenge requests signed.
    var encryptKey: String?
}

/// Feishu app API settings (thread lookups and confirmations in chat).
struct FeishuAppSettings: Sendable {
    var appID: String
    var appSecret: String
    var baseURL: String = "https://open.feishu.cn"
    var requestTimeout: Duration = .seconds(5)
}

/// Guance OpenAPI settings of the reply writer.
struct GuanceWriterSettings: Sendable {
    var baseURL = "https://openapi.guance.com"
    var apiKey: String
    /// Requests per minute per key (`GUANCE_RATE_LIMIT`).
    var rateLimit = 20
    /// The budget's window, reserve and sharing (`GUANCE_RATE_WINDOW`, `GUANCE_RATE_RESERVE`, `GUANCE_BUDGET_MODE`).
    var budget = GuanceBudgetSettings()
    /// Timeout of one OpenAPI exchange.
    var requestTimeout: Duration = .seconds(10)
}

/// Everything the reply gateway reads, validated once in `main`.
struct GatewayConfig: Sendable {
    var role: GatewayRole = .all
    var host = "0.0.0.0"
    var port = 8080
    var feishu: FeishuSubscriptionSettings?
    var flowToken: String?
    var dingtalkAppSecret: String?
    var app: FeishuAppSettings?
    /// Bodies larger than this are answered 413 before they are parsed.
    var maxBodyBytes = 1 << 20
    /// How far a signed request's timestamp may be from now (replay window).
    var signatureWindow: Duration = .seconds(300)
    /// Kafka must acknowledge a command within this time, else the callback is answered 503.
    var publishTimeout: Duration = .milliseconds(2500)
    /// How many accepted event ids the ingress remembers for dedupe.
    var dedupeCapacity = 50_000
    /// Set when the role runs the writer.
    var guance: GuanceWriterSettings?
    var writer = ReplyWriter.Settings()

    static func load(_ config: ConfigSource, role: GatewayRole) throws(ConfigError) -> GatewayConfig {
        var result = GatewayConfig(role: role)
        result.port = try config.int(.gatewayPort, default: 8080, range: 0...65535)
        if let token = config.string(.feishuVerificationToken) {
            result.feishu = FeishuSubscriptionSettings(
                verificationToken: token, encryptKey: config.string(.feishuEncryptKey))
        }
        result.flowToken = config.string(.flowToken)
        result.dingtalkAppSecret = config.string(.dingtalkAppSecret)
        switch (config.string(.feishuAppID), config.string(.feishuAppSecret)) {
        case (let id?, let secret?):
            let url = try config.url(.feishuOpenAPIURL, default: "https://open.feishu.cn") ?? "https://open.feishu.cn"
            result.app = FeishuAppSettings(appID: id, appSecret: secret, baseURL: url)
        case (nil, nil):
            break
        case (nil, _?):
            throw .missing(variable: ConfigKey.feishuAppID.name, meaning: "set together with FEISHU_APP_SECRET")
        case (_?, nil):
            throw .missing(variable: ConfigKey.feishuAppSecret.name, meaning: "set together with FEISHU_APP_ID")
        }
        result.maxBodyBytes = try config.int(.gatewayMaxBodyBytes, default: 1 << 20, range: 1024...(64 << 20))
        result.publishTimeout = try config.seconds(.gatewayPublishTimeout, default: .milliseconds(2500))
        result.signatureWindow = try config.seconds(.gatewaySignatureWindow, default: .seconds(300))
        if role.runsWriter {
            result.guance = GuanceWriterSettings(
                baseURL: try config.url(.guanceOpenAPIURL, default: "https://openapi.guance.com")
                    ?? "https://openapi.guance.com",
                apiKey: try config.required(.guanceAPIKey),
                rateLimit: try config.int(.guanceRateLimit, default: 20, range: 0...100_000),
                budget: try GuanceBudgetSettings(config: config))
        }
        if role.runsIngress && result.feishu == nil && result.flowToken == nil && result.dingtalkAppSecret == nil {
            throw .missing(
                variable: ConfigKey.feishuVerificationToken.name,
                meaning: "the ingress needs at least one of FEISHU_VERIFICATION_TOKEN, FLOW_TOKEN, DINGTALK_APP_SECRET")
        }
        return result
    }
}
