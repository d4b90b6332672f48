import FeishuKit
import Foundation
import GuanceAPI
import ServiceKit

/// Feishu event subscription settings (`/feishu/events`).
struct FeishuSubscriptionSettings: Sendable {
    var verificationToken: String
    /// When set, bodies must be encrypted and non-challenge requests signed.
    var encryptKey: String?
}

/// Guance webhook notification target settings (`/guance/webhook/<target>`).
struct GuanceWebhookSettings: Sendable {
    var token: String
    /// Names a push may wake.
    var targets: Set<String>
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
    /// `GUANCE_CONSOLE_URL`: console links in the `issue.updated` events card actions publish.
    var consoleURL: String?
}

/// Everything the reply gateway reads, validated once in `main`.
struct GatewayConfig: Sendable {
    var role: GatewayRole = .all
    var host = "0.0.0.0"
    var port = 8080
    var feishu: FeishuSubscriptionSettings?
    var flowToken: String?
    var dingtalkAppSecret: String?
    /// `GUANCE_WEBHOOK_TOKEN`: when set, `/guance/webhook/<target>` accepts Guance's pushes for these targets.
    var guanceWebhook: GuanceWebhookSettings?
    var app: FeishuAppCredentials?
    /// `FEISHU_EVENT_MODE=websocket`: Feishu events arrive over the long connection instead of `/feishu/events`.
    var longConnection: LongConnectionSettings?
    /// Bodies larger than this are answered 413 before they are parsed.
    var maxBodyBytes = 1 << 20
    /// How far a signed request's timestamp may be from now (replay window).
    var signatureWindow: Duration = .seconds(300)
    /// Where a DingTalk `sessionWebhook` may point.
    var sessionWebhooks = SessionWebhookPolicy()
    /// How long a callback's body may take to arrive (slow senders are answered 408).
    var readTimeout: Duration = .seconds(10)
    /// How long an ingress connection may stay open without a request.
    var idleTimeout: Duration = .seconds(30)
    /// Kafka must acknowledge a command within this time, else the callback is answered 503.
    var publishTimeout: Duration = .milliseconds(2500)
    /// How many accepted event ids the ingress remembers for dedupe.
    var dedupeCapacity = 50_000
    /// True when `/feishu/events` runs without an encrypt key because `FEISHU_ALLOW_UNENCRYPTED=true` (warned once).
    var feishuUnencryptedAllowed = false
    /// Set when the role runs the writer.
    var guance: GuanceWriterSettings?
    var writer = ReplyWriter.Settings()
    /// `IDENTITY_FILE`, parsed at start-up.
    var identities: IdentityFile?

    static func load(_ config: ConfigSource, role: GatewayRole) throws(ConfigError) -> GatewayConfig {
        var result = GatewayConfig(role: role)
        result.port = try config.int(.gatewayPort, default: 8080, range: 0...65535)
        let modeText = config.string(.feishuEventMode) ?? FeishuEventMode.webhook.rawValue
        guard let mode = FeishuEventMode(rawValue: modeText.lowercased()) else {
            throw .invalid(
                variable: ConfigKey.feishuEventMode.name, value: modeText, reason: "expected webhook or websocket")
        }
        if mode == .webhook, let token = config.string(.feishuVerificationToken) {
            result.feishu = FeishuSubscriptionSettings(
                verificationToken: token, encryptKey: config.string(.feishuEncryptKey))
            if role.runsIngress && result.feishu?.encryptKey == nil {
                guard try config.flag(.feishuAllowUnencrypted) else {
                    throw .missing(
                        variable: ConfigKey.feishuEncryptKey.name,
                        meaning: "without it /feishu/events is protected by a static token only, with no signature "
                            + "and no replay window; set FEISHU_ALLOW_UNENCRYPTED=true to run it so anyway")
                }
                result.feishuUnencryptedAllowed = true
            }
        }
        result.flowToken = config.string(.flowToken)
        result.dingtalkAppSecret = config.string(.dingtalkAppSecret)
        if let token = config.string(.guanceWebhookToken) {
            result.guanceWebhook = GuanceWebhookSettings(token: token, targets: pollTargetNames(config))
        }
        switch (config.string(.feishuAppID), config.string(.feishuAppSecret)) {
        case (let id?, let secret?):
            let url = try config.url(.feishuOpenAPIURL, default: "https://open.feishu.cn") ?? "https://open.feishu.cn"
            result.app = FeishuAppCredentials(appID: id, appSecret: secret, baseURL: url)
        case (nil, nil):
            break
        case (nil, _?):
            throw .missing(variable: ConfigKey.feishuAppID.name, meaning: "set together with FEISHU_APP_SECRET")
        case (_?, nil):
            throw .missing(variable: ConfigKey.feishuAppSecret.name, meaning: "set together with FEISHU_APP_ID")
        }
        result.identities = try identityFile(config)
        if mode == .websocket && role.runsIngress {
            result.longConnection = try longConnectionSettings(config, app: result.app)
        }
        result.maxBodyBytes = try config.int(.gatewayMaxBodyBytes, default: 1 << 20, range: 1024...(64 << 20))
        result.publishTimeout = try config.seconds(.gatewayPublishTimeout, default: .milliseconds(2500))
        result.signatureWindow = try config.seconds(.gatewaySignatureWindow, default: .seconds(300))
        result.readTimeout = try config.seconds(.gatewayReadTimeout, default: .seconds(10))
        result.idleTimeout = try config.seconds(.gatewayIdleTimeout, default: .seconds(30))
        result.sessionWebhooks = try sessionWebhookPolicy(config)
        if role.runsWriter {
            result.guance = GuanceWriterSettings(
                baseURL: try config.url(.guanceOpenAPIURL, default: "https://openapi.guance.com")
                    ?? "https://openapi.guance.com",
                apiKey: try config.required(.guanceAPIKey),
                rateLimit: try config.int(.guanceRateLimit, default: 20, range: 0...100_000),
                budget: try GuanceBudgetSettings(config: config),
                consoleURL: try config.url(.guanceConsoleURL))
        }
        if role.runsIngress && result.feishu == nil && result.longConnection == nil && result.flowToken == nil
            && result.dingtalkAppSecret == nil
        {
            throw .missing(
                variable: ConfigKey.feishuVerificationToken.name,
                meaning: "the ingress needs at least one of FEISHU_VERIFICATION_TOKEN, FLOW_TOKEN, DINGTALK_APP_SECRET")
        }
        return result
    }

    /// `FEISHU_EVENT_MODE=websocket`: the app credentials open the connection; the verification token is checked
    /// on every event as on the HTTP route. No encrypt key is needed (Feishu sends plain JSON over the connection).
    private static func longConnectionSettings(_ config: ConfigSource, app: FeishuAppCredentials?) throws(ConfigError)
        -> LongConnectionSettings
    {
        guard let app else {
            throw .missing(
                variable: ConfigKey.feishuAppID.name,
                meaning:
                    "FEISHU_EVENT_MODE=websocket opens Feishu's long connection with FEISHU_APP_ID/FEISHU_APP_SECRET")
        }
        guard let token = config.string(.feishuVerificationToken) else {
            throw .missing(
                variable: ConfigKey.feishuVerificationToken.name,
                meaning: "events over the long connection carry it in header.token and are refused without a match")
        }
        return LongConnectionSettings(
            appID: app.appID, appSecret: app.appSecret, baseURL: app.baseURL, verificationToken: token,
            encryptKey: config.string(.feishuEncryptKey))
    }

    /// The poller's section of `CONFIG_FILE`, read for its target names (one file can serve every process).
    static let pollTargetsSection = "poll_targets"

    /// Reads and checks `IDENTITY_FILE`; a mistake stops start-up with its line.
    static func identityFile(_ config: ConfigSource) throws(ConfigError) -> IdentityFile? {
        guard let path = config.string(.identityFile) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .file(path: path, reason: "cannot read it (IDENTITY_FILE)")
        }
        do {
            return try IdentityFile.parse(text)
        } catch {
            throw .file(path: path, reason: "IDENTITY_FILE \(error.description)")
        }
    }

    /// The poller's targets, by the poller's rule: the names under `poll_targets` in `CONFIG_FILE`, else `default`.
    static func pollTargetNames(_ config: ConfigSource) -> Set<String> {
        guard let list = config.section(pollTargetsSection) as? [Any] else { return ["default"] }
        return Set(list.compactMap { ($0 as? [String: Any])?["name"].map { "\($0)" } })
    }

    /// `DINGTALK_SESSION_WEBHOOK_ORIGINS`: each entry an https origin (`https://host[:port]`).
    private static func sessionWebhookPolicy(_ config: ConfigSource) throws(ConfigError) -> SessionWebhookPolicy {
        guard let text = config.string(.dingtalkSessionWebhookOrigins) else { return SessionWebhookPolicy() }
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in entries
        where !entry.lowercased().hasPrefix("https://") || SessionWebhookPolicy.origin(ofOriginText: entry) == nil {
            throw .invalid(
                variable: ConfigKey.dingtalkSessionWebhookOrigins.name, value: text,
                reason: "expected https origins (https://host[:port]), comma separated; \(entry) is not one")
        }
        guard !entries.isEmpty else {
            throw .invalid(
                variable: ConfigKey.dingtalkSessionWebhookOrigins.name, value: text, reason: "no origin given")
        }
        return SessionWebhookPolicy(origins: entries)
    }
}
