import Events
import Foundation
import KafkaClient
import ServiceKit

/// Everything the notifier needs, built and validated once in `main`.
struct NotifierConfig: Sendable {
    var consumer: KafkaConsumerSettings
    var sinks: [SinkDefinition]
    /// Empty: every event to every sink.
    var routes: [Route]
    var dispatch = SinkDispatcher.Settings()
    /// Records per partition handed to the sinks before the oldest finished (offsets still stored in order).
    var maxInFlightPerPartition = 500

    static let groupID = "notifier"

    init(consumer: KafkaConsumerSettings, sinks: [SinkDefinition], routes: [Route] = []) {
        self.consumer = consumer
        self.sinks = sinks
        self.routes = routes
    }

    /// Reads the sink variables, `ROUTES_FILE` and the tuning variables. At least one sink must be configured.
    static func load(_ config: ConfigSource, kafka: KafkaClientSettings) throws(ConfigError) -> NotifierConfig {
        var sinks: [SinkDefinition] = []
        func limits(_ key: ConfigKey, _ kind: SinkKind) throws(ConfigError) -> [RateWindow]? {
            guard config.string(key) != nil else { return nil }
            let rate = try config.double(key, default: 0)
            guard RateWindow.isAcceptable(rate) else {
                throw .invalid(
                    variable: key.name, value: "\(rate)",
                    reason: "messages per second: 0 (off) or between 0.001 and 1000")
            }
            return RateWindow.perSecond(rate).map { [$0] } ?? []
        }
        if let url = try config.url(.feishuWebhookURL) {
            sinks.append(
                SinkDefinition(
                    name: "feishu", kind: .feishu, url: url, secret: config.string(.feishuWebhookSecret),
                    limits: try limits(.feishuWebhookRateLimit, .feishu)))
        }
        if let url = try config.url(.feishuFlowWebhookURL) {
            sinks.append(SinkDefinition(name: "feishu-flow", kind: .feishuFlow, url: url))
        }
        if let url = try config.url(.dingtalkWebhookURL) {
            sinks.append(
                SinkDefinition(
                    name: "dingtalk", kind: .dingtalk, url: url, secret: config.string(.dingtalkSecret),
                    limits: try limits(.dingtalkRateLimit, .dingtalk)))
        }
        if let url = try config.url(.wecomWebhookURL) {
            sinks.append(
                SinkDefinition(
                    name: "wecom", kind: .wecom, url: url, limits: try limits(.wecomRateLimit, .wecom)))
        }
        if let url = try config.url(.webhookURL) {
            sinks.append(
                SinkDefinition(name: "webhook", kind: .webhook, url: url, secret: config.string(.webhookSecret)))
        }
        var routes: [Route] = []
        if let path = config.string(.routesFile) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .file(path: path, reason: "cannot read it (\(error.localizedDescription))")
            }
            do {
                let file = try RoutesFile.parse(text, environment: config.environment, knownSinks: sinks.map(\.name))
                sinks += file.sinks
                routes = file.routes ?? []
            } catch {
                throw .file(path: path, reason: error.description)
            }
        }
        guard !sinks.isEmpty else {
            throw .missing(
                variable: ConfigKey.feishuWebhookURL.name,
                meaning: "no sink configured: set FEISHU_WEBHOOK_URL, FEISHU_FLOW_WEBHOOK_URL, DINGTALK_WEBHOOK_URL, "
                    + "WECOM_WEBHOOK_URL, WEBHOOK_URL or sinks in ROUTES_FILE")
        }
        var consumer = KafkaConsumerSettings(client: kafka, groupID: groupID, topics: [Topics.issueEvents])
        consumer.batchSize = 500
        var result = NotifierConfig(consumer: consumer, sinks: sinks, routes: routes)
        result.dispatch.retry.maxAttempts = try config.int(.notifierMaxAttempts, default: 5, range: 1...100)
        result.dispatch.retry.baseDelay = try config.seconds(.notifierRetryBackoff, default: .seconds(1))
        result.dispatch.requestTimeout = try config.seconds(.notifierRequestTimeout, default: .seconds(10))
        result.maxInFlightPerPartition = try config.int(.notifierMaxInFlight, default: 500, range: 1...100_000)
        return result
    }
}
