import AsyncHTTPClient
import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import TestSupport

@testable import Poller

/// A published event with its Kafka coordinates and headers.
struct PublishedEvent: Sendable {
    var event: IssueEvent
    var key: String?
    var partition: Int32
    var offset: Int64
    var headers: [String: String]
}

/// One mock Kafka cluster, one Guance simulator, one producer and one HTTP client per test.
final class PollerHarness: Sendable {
    let cluster: MockKafkaCluster
    let simulator: GuanceSimulator
    let producer: KafkaProducerClient
    let http: HTTPClient
    let logs = LogCapture()
    let health = HealthChecks()
    private let producerTask: Mutex<Task<Void, any Error>?> = Mutex(nil)

    /// `topicPartitions`: partition counts that differ from the product's defaults (3 for the event topics), as a
    /// cluster whose topics someone else created would have.
    init(options: GuanceSimulator.Options = .init(), topicPartitions: [String: Int] = [:]) async throws {
        cluster = try MockKafkaCluster(brokers: 1)
        for topic in Topics.all(partitions: 3) {
            try cluster.createTopic(topic.name, partitions: topicPartitions[topic.name] ?? topic.partitions)
        }
        simulator = GuanceSimulator(options: options)
        try await simulator.start()
        var settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        settings.messageTimeout = .seconds(10)
        producer = try KafkaProducerClient(settings: settings, logger: guanceTestLogger)
        http = GuanceOpenAPIClient.makeHTTPClient()
        let producer = self.producer
        producerTask.withLock { $0 = Task { try await producer.run() } }
    }

    func shutdown() async {
        let task = producerTask.withLock { $0 }
        task?.cancel()
        _ = await task?.result
        try? await http.shutdown()
        await simulator.stop()
    }

    var kafka: KafkaClientSettings { KafkaClientSettings(bootstrapServers: cluster.bootstrapServers) }

    func target(_ name: String = "default", apiKey: String? = nil, rateLimit: Int = 0) -> PollTarget {
        PollTarget(
            name: name, openAPIURL: simulator.url, apiKey: apiKey ?? simulator.apiKey, channelUUID: nil,
            channelName: "default", consoleURL: "https://console.example.com", rateLimit: rateLimit)
    }

    func settings(instance: String = "test-1") -> PollerSettings {
        var settings = PollerSettings(instanceID: instance)
        settings.pollInterval = .milliseconds(300)
        settings.lookback = .seconds(600)
        settings.overlap = .seconds(60)
        settings.trackWindow = .zero
        settings.handoverGrace = .seconds(1)
        settings.retry = fastRetry
        settings.requestTimeout = .seconds(2)
        return settings
    }

    func poller(
        _ target: PollTarget, settings: PollerSettings? = nil, publisher: (any EventPublisher)? = nil,
        budget: GuanceRequestBudget = GuanceRequestBudget(limit: 0), priority: GuanceCallPriority = .interactive
    ) -> TargetPoller {
        let settings = settings ?? self.settings()
        var clientSettings = GuanceOpenAPIClient.Settings(baseURL: target.openAPIURL, apiKey: target.apiKey)
        clientSettings.retry = settings.retry
        clientSettings.requestTimeout = settings.requestTimeout
        clientSettings.priority = priority
        let logger = logs.logger("poller")
        let client = GuanceOpenAPIClient(settings: clientSettings, httpClient: http, budget: budget, logger: logger)
        let tail = KafkaPartitionReader(kafka: kafka, logger: guanceTestLogger, timeout: .seconds(20))
        let publisher = publisher ?? producer
        return TargetPoller(
            target: target, settings: settings, client: client, publisher: publisher,
            store: PollerStateStore(publisher: publisher, reader: tail), tail: tail, health: health, logger: logger)
    }

    /// Every event on guance.issue-events so far, in partition/offset order.
    func events() async throws -> [PublishedEvent] {
        let tail = KafkaPartitionReader(kafka: kafka, logger: guanceTestLogger, timeout: .seconds(20))
        let partitions = (0..<Int32(3)).map { KafkaTopicPartition(topic: Topics.issueEvents, partition: $0) }
        var events: [PublishedEvent] = []
        var undecodable = 0
        try await tail.read(partitions) { record in
            guard let value = record.value, let event = try? EventCoding.decode(IssueEvent.self, from: value) else {
                undecodable += 1
                return
            }
            var headers: [String: String] = [:]
            for header in record.headers { headers[header.key] = header.stringValue }
            events.append(
                PublishedEvent(
                    event: event, key: record.keyString, partition: record.partition, offset: record.offset,
                    headers: headers))
        }
        precondition(undecodable == 0, "half-formed records on \(Topics.issueEvents)")
        return events
    }

    /// The latest saved state of a target.
    func savedState(_ target: String) async throws -> PollerState? {
        try await PollerStateStore(
            publisher: producer, reader: KafkaPartitionReader(kafka: kafka, logger: guanceTestLogger)
        ).load(target: target)
    }
}

/// One poller instance (PollerService) running in its own ServiceGroup.
struct PollerInstance {
    let service: PollerService
    let health: HealthChecks
    let group: ServiceGroup
    let task: Task<Void, any Error>

    var owned: [String] { service.coordinator.ownedTargets }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

extension PollerHarness {
    /// Starts an instance polling `targets` (session timeout 3 s); its own readiness checks unless `health` is
    /// given.
    func startInstance(
        targets: [PollTarget], name: String, settings: PollerSettings? = nil, publisher: (any EventPublisher)? = nil,
        health: HealthChecks = HealthChecks()
    ) -> PollerInstance {
        var config = PollerConfig(targets: targets, settings: settings ?? self.settings(instance: name))
        config.sessionTimeout = .seconds(3)
        let service = PollerService(
            config: config, kafka: kafka, publisher: publisher ?? producer, health: health,
            logger: logs.logger("poller-\(name)"), http: http)
        let group = ServiceGroup(services: [service], logger: guanceTestLogger)
        let task = Task { try await group.run() }
        return PollerInstance(service: service, health: health, group: group, task: task)
    }
}

/// Runs `body` with a harness and shuts it down afterwards.
func withPollerHarness<T: Sendable>(
    options: GuanceSimulator.Options = .init(), topicPartitions: [String: Int] = [:],
    _ body: (PollerHarness) async throws -> T
) async throws -> T {
    let harness = try await PollerHarness(options: options, topicPartitions: topicPartitions)
    do {
        let result = try await body(harness)
        await harness.shutdown()
        return result
    } catch {
        await harness.shutdown()
        throw error
    }
}

extension GuanceSimulator.Options {
    /// No rate limit: tests that are not about the budget.
    static var unlimited: Self {
        var options = Self()
        options.keyRateLimit = nil
        options.workspaceRateLimit = nil
        return options
    }
}

func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
