import AsyncHTTPClient
import DevStack
import FeishuKit
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceKit
import ServiceLifecycle

@testable import ReplyGateway

/// Gateway (ingress and, unless told otherwise, writer), Guance simulator, Feishu app-API fake and a mock Kafka
/// cluster in one test process, all on 127.0.0.1.
final class GatewayHarness: Sendable {
    let cluster: MockKafkaCluster
    let guance: GuanceSimulator
    let feishu: FeishuAppSimulator
    let producer: KafkaProducerClient
    let port: Int
    /// `/readyz` and `/metrics` (the process's `METRICS_PORT`).
    let metricsPort: Int
    let feishuPort: Int
    let sender: FeishuEventSender
    let issue: GuanceIssue
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static let verificationToken = "vt-harness"
    static let encryptKey = "ek-harness"
    static let flowToken = "flow-harness"
    static let guanceWebhookToken = "guance-push-harness"

    init(
        role: GatewayRole = .all, publishTimeout: Duration = .seconds(2), guanceTimeout: Duration = .seconds(2),
        logger: Logger = gatewayTestLogger, guanceAPIKey: String? = nil, readTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(30)
    )
        async throws
    {
        cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: Self.partitions)
        guance = GuanceSimulator()
        try await guance.start()
        issue = guance.addIssue(GuanceSimulator.IssueDraft(name: "disk usage 91% on db-01"))
        feishu = FeishuAppSimulator(appSecret: "app-secret-harness")

        var producerSettings = KafkaProducerSettings(
            client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        producerSettings.messageTimeout = publishTimeout
        producer = try KafkaProducerClient(settings: producerSettings, logger: gatewayTestLogger)

        let feishuPortBox = AsyncStream.makeStream(of: Int.self)
        let gatewayPortBox = AsyncStream.makeStream(of: Int.self)
        var config = GatewayConfig(role: role)
        config.host = "127.0.0.1"
        config.port = 0
        config.feishu = FeishuSubscriptionSettings(
            verificationToken: Self.verificationToken, encryptKey: Self.encryptKey)
        config.flowToken = Self.flowToken
        config.guanceWebhook = GuanceWebhookSettings(token: Self.guanceWebhookToken, targets: ["default", "prod"])
        config.readTimeout = readTimeout
        config.idleTimeout = idleTimeout
        config.writer.retryDelay = .milliseconds(100)
        config.writer.maxAttempts = 3
        if role.runsWriter {
            config.guance = GuanceWriterSettings(
                baseURL: guance.url, apiKey: guanceAPIKey ?? guance.apiKey, rateLimit: 0, requestTimeout: guanceTimeout)
        }
        // The app URL is only known once the fake listens: start it first.
        let feishuApp = feishu.application(logger: gatewayTestLogger) { feishuPortBox.continuation.yield($0) }
        let feishuGroup = ServiceGroup(configuration: .init(services: [feishuApp], logger: gatewayTestLogger))
        let feishuTask = Task { try await feishuGroup.run() }
        var feishuPort = 0
        for await bound in feishuPortBox.stream {
            feishuPort = bound
            break
        }
        self.feishuPort = feishuPort
        config.app = FeishuAppCredentials(
            appID: feishu.appID, appSecret: feishu.appSecret, baseURL: "http://127.0.0.1:\(feishuPort)")

        let health = HealthChecks()
        let readinessProducer = producer
        health.register("kafka") { await (try? readinessProducer.checkConnection(timeout: .seconds(1))) != nil }
        let parts = try GatewayServices.make(
            config: config, producer: producer, kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers),
            health: health, logger: logger,
            tuneConsumer: Self.tune, onListening: { gatewayPortBox.continuation.yield($0) })
        let metricsPortBox = AsyncStream.makeStream(of: Int.self)
        let observability: [any Service] = [
            ObservabilityServer.make(
                port: 0, registry: PrometheusCollectorRegistry(), health: health, logger: gatewayTestLogger,
                onRunning: { metricsPortBox.continuation.yield($0) }),
            HealthRefresher(health: health, interval: .milliseconds(200)),
        ]
        let producer = self.producer
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: producer)] + (observability + parts.services).map { .init(service: $0) },
                logger: gatewayTestLogger))
        self.group = group
        task = Task {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    try await withTaskCancellationHandler {
                        try await feishuTask.value
                    } onCancel: {
                        feishuTask.cancel()
                    }
                }
                try await tasks.next()
                feishuTask.cancel()
            }
        }
        var port = 0
        if role.runsIngress {
            for await bound in gatewayPortBox.stream {
                port = bound
                break
            }
        }
        self.port = port
        var metricsPort = 0
        for await bound in metricsPortBox.stream {
            metricsPort = bound
            break
        }
        self.metricsPort = metricsPort
        sender = FeishuEventSender(
            url: "http://127.0.0.1:\(port)/feishu/events", verificationToken: Self.verificationToken,
            encryptKey: Self.encryptKey)
    }

    /// Partitions of the product topics in the harness's cluster.
    static let partitions = 2

    static func tune(_ settings: inout KafkaConsumerSettings) {
        settings.sessionTimeout = .seconds(3)
        settings.commitInterval = .milliseconds(200)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        task.cancel()
        _ = await task.result
        await guance.stop()
    }

    /// Human replies on the harness issue (system change records left out).
    func replies(_ issueUUID: String? = nil) -> [GuanceReply] {
        guance.replies(issueUUID: issueUUID ?? issue.uuid).filter(\.isHumanReply)
    }

    /// POSTs raw bytes to a gateway route.
    func post(_ path: String, body: [UInt8], headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// The status of a GET on the ingress port, or on the metrics port with `metrics: true`.
    func get(_ path: String, metrics: Bool = false) async throws -> Int {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(metrics ? metricsPort : port)\(path)"), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}

/// Runs `body` with a harness and always stops it.
func withGateway(
    role: GatewayRole = .all, guanceTimeout: Duration = .seconds(2), logger: Logger = gatewayTestLogger,
    guanceAPIKey: String? = nil, readTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30),
    _ body: (GatewayHarness) async throws -> Void
) async throws {
    let harness = try await GatewayHarness(
        role: role, guanceTimeout: guanceTimeout, logger: logger, guanceAPIKey: guanceAPIKey, readTimeout: readTimeout,
        idleTimeout: idleTimeout)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
