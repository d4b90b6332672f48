import DevStack
import Events
import Foundation
import KafkaClient
import ServiceKit
import Synchronization
import Testing

@testable import Notifier

/// The notifier's dispatchers and partition workers are child tasks of `NotifierService.run()`: cancelling the
/// service ends them, including sends in flight, and `run()` returns only once they have ended.
@Suite("A cancelled notifier ends its workers", .timeLimit(.minutes(2)))
struct NotifierCancellationTests {
    /// A webhook that never answers; it counts the sends that started and those that were cancelled.
    final class SilentTransport: SinkTransport {
        let started = Atomic<Int>(0)
        let cancelled = Atomic<Int>(0)

        func send(_ request: SinkRequest, timeout: Duration) async throws -> SinkAnswer {
            started.add(1, ordering: .relaxed)
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.add(1, ordering: .relaxed)
                throw error
            }
            return SinkAnswer(status: 200, body: [])
        }
    }

    @Test func cancellingTheServiceCancelsTheSendsInFlightAndReturnsOnlyAfterThem() async throws {
        let cluster = try NotifierServiceTests.cluster()
        let kafka = NotifierServiceTests.kafka(cluster)
        var config = try NotifierConfig.load(
            ConfigSource(["WEBHOOK_URL": "http://127.0.0.1:9/hook", "NOTIFIER_REQUEST_TIMEOUT": "3600"]), kafka: kafka)
        config.consumer.sessionTimeout = .seconds(3)
        let transport = SilentTransport()
        // By assignment: the group is not what this is about, and its first join costs the mock cluster 3 s.
        let consumer = try KafkaConsumerClient(
            settings: config.consumer,
            assignment: Dictionary(
                uniqueKeysWithValues: (0..<Int32(6)).map {
                    (KafkaTopicPartition(topic: Topics.issueEvents, partition: $0), KafkaConsumerClient.offsetBeginning)
                }), logger: testLogger)
        try await withProducer(KafkaProducerSettings(client: kafka), logger: testLogger) { producer in
            let service = NotifierService(
                config: config, consumer: consumer, deadLetters: producer, transport: transport, logger: testLogger)
            let running = Task { try await service.run() }  // test scaffolding: the task under test
            try await NotifierServiceTests.publish(producer, (1...3).map { makeEvent($0) })
            try await eventually("the webhook received sends") { transport.started.load(ordering: .relaxed) >= 1 }
            running.cancel()
            try await eventually(timeout: .seconds(20), "run() returned") { !service.running.load(ordering: .relaxed) }
            _ = await running.result
            let started = transport.started.load(ordering: .relaxed)
            // Every send that started was cancelled, not left hanging, by the time run() returned.
            #expect(transport.cancelled.load(ordering: .relaxed) == started)
        }
        await consumer.close()
    }
}
