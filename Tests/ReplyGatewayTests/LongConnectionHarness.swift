import DevStack
import Events
import FeishuKit
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle

@testable import ReplyGateway

/// Gateway instances in `FEISHU_EVENT_MODE=websocket` (ingress + writer each), the Feishu app fake with its
/// long-connection fake, the Guance simulator and a mock Kafka cluster, in one test process on 127.0.0.1. No event
/// target is set on the Feishu fake: events reach the gateways only over their long connections.
final class LongConnectionHarness: Sendable {
    /// One gateway process's services.
    final class Instance: Sendable {
        let health: HealthChecks
        let port: Int
        let group: ServiceGroup
        let task: Task<Result<Void, any Error>, Never>

        init(health: HealthChecks, port: Int, group: ServiceGroup, task: Task<Result<Void, any Error>, Never>) {
            self.health = health
            self.port = port
            self.group = group
            self.task = task
        }

        /// Graceful shutdown, as on SIGTERM; returns how the service group ended.
        func stop() async -> Result<Void, any Error> {
            await group.triggerGracefulShutdown()
            return await task.value
        }

        var readinessFailure: String? { health.current[LongConnectionService.healthName] }
    }

    static let verificationToken = "vt-long-connection"

    let cluster: MockKafkaCluster
    let guance: GuanceSimulator
    let feishu: FeishuAppSimulator
    let server: FeishuLongConnectionServer
    let issue: GuanceIssue
    let feishuURL: String
    private let feishuTask: Task<Void, any Error>
    private let feishuGroup: ServiceGroup

    init(server settings: FeishuLongConnectionServer.Settings = .init()) async throws {
        cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 2)
        // Hundreds of replies in a test: the simulator's per-key and per-workspace limits are off.
        var options = GuanceSimulator.Options()
        options.keyRateLimit = nil
        options.workspaceRateLimit = nil
        guance = GuanceSimulator(options: options)
        try await guance.start()
        issue = guance.addIssue(GuanceSimulator.IssueDraft(name: "disk usage 91% on db-01"))
        feishu = FeishuAppSimulator(appSecret: "app-secret-long-connection")
        server = FeishuLongConnectionServer(
            appID: feishu.appID, appSecret: feishu.appSecret, settings: settings, logger: gatewayTestLogger)
        feishu.setLongConnection(server)
        let appPort = AsyncStream.makeStream(of: Int.self)
        let socketPort = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    feishu.application(logger: gatewayTestLogger) { appPort.continuation.yield($0) },
                    FeishuLongConnectionService(server: server) { socketPort.continuation.yield($0) },
                ],
                logger: gatewayTestLogger))
        feishuGroup = group
        feishuTask = Task { try await group.run() }
        var port = 0
        for await bound in appPort.stream {
            port = bound
            break
        }
        for await _ in socketPort.stream { break }
        feishuURL = "http://127.0.0.1:\(port)"
    }

    /// The gateway configuration of websocket mode against the fakes.
    func config(appSecret: String? = nil) -> GatewayConfig {
        var config = GatewayConfig(role: .all)
        config.host = "127.0.0.1"
        config.port = 0
        let app = FeishuAppCredentials(
            appID: feishu.appID, appSecret: appSecret ?? feishu.appSecret, baseURL: feishuURL)
        config.app = app
        var settings = LongConnectionSettings(
            appID: app.appID, appSecret: app.appSecret, baseURL: feishuURL, verificationToken: Self.verificationToken)
        settings.minimumBackoff = .milliseconds(100)
        config.longConnection = settings
        config.guance = GuanceWriterSettings(
            baseURL: guance.url, apiKey: guance.apiKey, rateLimit: 0, requestTimeout: .seconds(2))
        config.writer.retryDelay = .milliseconds(100)
        config.writer.maxAttempts = 3
        return config
    }

    /// Starts one gateway instance (its own producer, as a separate process would have).
    func startGateway(_ config: GatewayConfig? = nil) async throws -> Instance {
        var producerSettings = KafkaProducerSettings(
            client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        producerSettings.messageTimeout = .seconds(2)
        let producer = try KafkaProducerClient(settings: producerSettings, logger: gatewayTestLogger)
        let health = HealthChecks()
        let listening = AsyncStream.makeStream(of: Int.self)
        let parts = try GatewayServices.make(
            config: config ?? self.config(), producer: producer,
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), health: health,
            logger: gatewayTestLogger, tuneConsumer: GatewayHarness.tune,
            onListening: { listening.continuation.yield($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: producer)] + parts.services.map { .init(service: $0) },
                logger: gatewayTestLogger))
        let task = Task { () -> Result<Void, any Error> in
            do {
                try await group.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        var port = 0
        for await bound in listening.stream {
            port = bound
            break
        }
        return Instance(health: health, port: port, group: group, task: task)
    }

    func stop(_ instances: [Instance]) async {
        for instance in instances { _ = await instance.stop() }
        await feishuGroup.triggerGracefulShutdown()
        _ = await feishuTask.result
        await guance.stop()
    }

    /// An `im.message.receive_v1` payload naming the harness issue.
    func message(_ text: String, eventID: String = "ev_" + UUID().uuidString, token: String = verificationToken)
        -> String
    {
        FeishuEventFactory.messageEvent(
            eventID: eventID, token: token, text: "@_user_1 #\(issue.uuid)#\(text)", messageID: "om_" + eventID)
    }

    /// Records on `guance.reply-commands` (replies and issue actions), from every partition's high watermark.
    func commandRecords() async throws -> Int64 {
        var settings = KafkaConsumerSettings(
            client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), groupID: "count-\(UUID())",
            topics: [Topics.replyCommands])
        GatewayHarness.tune(&settings)
        let consumer = try KafkaConsumerClient(settings: settings, logger: gatewayTestLogger)
        var total: Int64 = 0
        for partition in 0..<Int32(2) {
            total += try await consumer.highWatermark(
                KafkaTopicPartition(topic: Topics.replyCommands, partition: partition))
        }
        await consumer.close()
        return total
    }

    /// Human replies on the harness issue.
    func replies() -> [GuanceReply] {
        guance.replies(issueUUID: issue.uuid).filter(\.isHumanReply)
    }
}

/// Runs `body` with a harness and `count` connected gateway instances, and always stops them.
func withLongConnection(
    instances count: Int = 1, server settings: FeishuLongConnectionServer.Settings = .init(),
    _ body: (LongConnectionHarness, [LongConnectionHarness.Instance]) async throws -> Void
) async throws {
    let harness = try await LongConnectionHarness(server: settings)
    var instances: [LongConnectionHarness.Instance] = []
    do {
        for _ in 0..<count { instances.append(try await harness.startGateway()) }
        try await eventually("\(count) long connections open") { harness.server.openConnections == count }
        try await body(harness, instances)
    } catch {
        await harness.stop(instances)
        throw error
    }
    await harness.stop(instances)
}
