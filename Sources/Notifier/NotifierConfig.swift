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
        for kind in SinkKind.allCases {
            if let sink = try kind.platform.environmentSink(config) { sinks.append(sink) }
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
            let variables =
                SinkKind.allCases.compactMap { $0.platform.environment?.url.name } + [ConfigKey.feishuChatID.name]
            throw .missing(
                variable: variables.first ?? ConfigKey.routesFile.name,
                meaning: "no sink configured: set \(variables.joined(separator: ", ")) or sinks in ROUTES_FILE")
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

    /// A rate-limit variable: nil when unset (the documented limits apply), empty when 0 (off).
    static func limits(_ key: ConfigKey, _ config: ConfigSource) throws(ConfigError) -> [RateWindow]? {
        guard config.string(key) != nil else { return nil }
        let rate = try config.double(key, default: 0)
        guard RateWindow.isAcceptable(rate) else {
            throw .invalid(
                variable: key.name, value: "\(rate)", reason: "messages per second: 0 (off) or between 0.001 and 1000")
        }
        return RateWindow.perSecond(rate).map { [$0] } ?? []
    }
}
