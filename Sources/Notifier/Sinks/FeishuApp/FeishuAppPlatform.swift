import Events
import FeishuKit
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// Feishu app bot with live cards (docs/feishu-app.md): one JSON 2.0 card per issue, updated in place, replies in its
/// thread, buttons that act. Configured by `FEISHU_CHAT_ID` with `FEISHU_APP_ID` / `FEISHU_APP_SECRET` (sink
/// `feishu-app`), or routes-file sinks `type: feishu-app` with `chat_id`, `app_id`, `app_secret` (or their `_env`
/// forms); `url` is the Open Platform host (default https://open.feishu.cn).
///
/// The dispatcher's own limiter is off for this platform: `FeishuAppPacer` paces each call against the limit it
/// counts in (per chat, per message, per API). Storm digests never form (no limits), so every event keeps its card.
enum FeishuAppPlatform: SinkPlatform {
    static let type = "feishu-app"
    static let documentedLimits: [RateWindow] = []
    /// The pacer already waits for the reset time Feishu named; the dispatcher adds only a short pause.
    static let rateLimitPause: Duration = .seconds(1)
    static let maxBodyBytes: Int? = IssueCard.maxBytes
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = nil
    static let routesFields = ["chat_id", "app_id", "app_secret"]
    static let defaultURL: String? = "https://open.feishu.cn"

    static func environmentSink(_ config: ConfigSource) throws(ConfigError) -> SinkDefinition? {
        guard let chat = config.string(.feishuChatID) else { return nil }
        let appID = try config.required(.feishuAppID)
        let appSecret = try config.required(.feishuAppSecret)
        let url = try config.url(.feishuOpenAPIURL, default: defaultURL) ?? "https://open.feishu.cn"
        return SinkDefinition(
            name: type, kind: .feishuApp, url: url,
            options: ["chat_id": chat, "app_id": appID, "app_secret": appSecret])
    }

    static func problem(with definition: SinkDefinition) -> String? {
        let missing = routesFields.filter { (definition.options[$0] ?? "").isEmpty }
        if !missing.isEmpty { return "needs \(missing.joined(separator: ", "))" }
        if definition.template != nil { return "templates are not supported: the card is built in" }
        return nil
    }

    /// The card as it is sent or patched.
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        Array(IssueCard(event: event).json().utf8)
    }

    /// Never sent (no limits, so no storm digests): the card of the newest event stands for the digest.
    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        events.last.map { Array(IssueCard(event: $0).json().utf8) } ?? Array("{}".utf8)
    }

    static func inert(_ title: String) -> String { FeishuMarkup.plainText(title) }

    static func makeDelivery(_ definition: SinkDefinition, transport: any SinkTransport, context: SinkContext)
        -> any SinkDelivery
    {
        guard let kafka = context.kafka, let publisher = context.publisher else {
            return UnavailableDelivery(reason: "the feishu-app sink needs Kafka for \(Topics.chatMessages)")
        }
        let credentials = FeishuAppCredentials(
            appID: definition.options["app_id"] ?? "", appSecret: definition.options["app_secret"] ?? "",
            baseURL: definition.url.hasSuffix("/") ? String(definition.url.dropLast()) : definition.url)
        let store = ChatMessageStore(kafka: kafka, publisher: publisher, logger: context.logger)
        return FeishuAppDelivery(
            sink: FeishuAppSink(
                name: definition.name, chatID: definition.options["chat_id"] ?? "",
                client: FeishuMessagesClient(api: FeishuOpenAPI(credentials: credentials)), store: store,
                pacer: FeishuAppPacer(), logger: context.logger))
    }
}

extension SinkKind {
    /// Feishu app bot with live cards.
    static let feishuApp = SinkKind(FeishuAppPlatform.self)
}

/// Delivers to a Feishu chat through `FeishuAppSink`, and follows `guance.chat-messages` for the sink's lifetime.
struct FeishuAppDelivery: SinkDelivery {
    let sink: FeishuAppSink

    func deliver(_ message: SinkMessage, renderer: MessageRenderer, timeout: Duration) async -> SendOutcome {
        switch message {
        case let .event(event, _):
            return await sink.deliver(event)
        case let .digest(events):
            for event in events {
                let outcome = await sink.deliver(event)
                guard outcome == .delivered else { return outcome }
            }
            return .delivered
        }
    }

    func run() async {
        do {
            try await sink.store.run()
        } catch {
            sink.logger.error("stopped following \(Topics.chatMessages)", metadata: [LogKey.error: "\(error)"])
        }
    }
}

/// A sink that cannot work in this process: every message fails with the reason (and goes to the DLQ).
struct UnavailableDelivery: SinkDelivery {
    let reason: String

    func deliver(_ message: SinkMessage, renderer: MessageRenderer, timeout: Duration) async -> SendOutcome {
        .rejected(reason: reason)
    }

    func run() async {}
}
