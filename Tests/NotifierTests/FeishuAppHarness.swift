import DevStack
import Events
import FeishuKit
import Foundation
import KafkaClient
import ServiceLifecycle
import Synchronization
import Testing

@testable import Notifier

/// The Feishu app fake on a loopback port and a mock Kafka cluster with `guance.chat-messages`, for the Feishu app
/// sink's tests. `sink()` builds a sink with its own ChatMessageStore (a notifier instance); stores are stopped when
/// the body returns.
final class FeishuAppHarness: Sendable {
    static let chat = "oc_cards"

    let simulator: FeishuAppSimulator
    let cluster: MockKafkaCluster
    let baseURL: String
    let producer: KafkaProducerClient
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    private init(
        simulator: FeishuAppSimulator, cluster: MockKafkaCluster, baseURL: String, producer: KafkaProducerClient
    ) {
        self.simulator = simulator
        self.cluster = cluster
        self.baseURL = baseURL
        self.producer = producer
    }

    static func run(_ body: (FeishuAppHarness) async throws -> Void) async throws {
        let simulator = FeishuAppSimulator(appSecret: "cards-secret")
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic(Topics.chatMessages, partitions: 3, replicationFactor: 1)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(
                services: [simulator.application(logger: testLogger) { continuation.yield($0) }], logger: testLogger))
        let server = Task { try await group.run() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        let producer = try KafkaProducerClient(
            settings: KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)),
            logger: testLogger)
        let producing = Task { try await producer.run() }
        let harness = FeishuAppHarness(
            simulator: simulator, cluster: cluster, baseURL: "http://127.0.0.1:\(port)", producer: producer)
        let result = await Result(catching: { try await body(harness) })
        for task in harness.tasks.withLock({ $0 }) { task.cancel() }
        for task in harness.tasks.withLock({ $0 }) { _ = await task.result }
        producing.cancel()
        _ = await producing.result
        await group.triggerGracefulShutdown()
        _ = await server.result
        try result.get()
    }

    /// A sink as one notifier instance has it: its own store following the topic, its own pacer.
    func sink(name: String = "feishu-app", now: @escaping @Sendable () -> Date = { Date() }) -> FeishuAppSink {
        let store = ChatMessageStore(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), publisher: producer,
            logger: testLogger)
        tasks.withLock { $0.append(Task { try await store.run() }) }
        let api = FeishuOpenAPI(
            credentials: FeishuAppCredentials(appID: simulator.appID, appSecret: "cards-secret", baseURL: baseURL))
        return FeishuAppSink(
            name: name, chatID: Self.chat, client: FeishuMessagesClient(api: api), store: store,
            pacer: FeishuAppPacer(), logger: testLogger, now: now)
    }

    /// The chat's top-level messages (cards), without thread replies.
    var cards: [FeishuChatStore.Message] { simulator.chats.messages(chat: Self.chat).filter { $0.rootID == nil } }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
