import DevStack
import Foundation
import KafkaClient
import Testing

@Suite("Kafka producer and consumer against the mock cluster", .timeLimit(.minutes(2)))
struct KafkaRoundTripTests {
    @Test func keyValueAndHeadersSurviveTheRoundTrip() async throws {
        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createTopic("roundtrip", partitions: 4)
        let headers = [
            KafkaHeader(key: "event-id", string: "evt-1"), KafkaHeader(key: "empty", value: nil),
            KafkaHeader(key: "bytes", value: [0, 255, 7]),
        ]
        let sent = try await withProducer(producerSettings(cluster), logger: testLogger) { producer in
            try await producer.send(topic: "roundtrip", key: "issue_1", value: Array("héllo".utf8), headers: headers)
        }
        #expect(sent.topic == "roundtrip")
        #expect(sent.offset >= 0)

        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-roundtrip", topics: ["roundtrip"]), logger: testLogger)
        let records = try await collect(consumer, count: 1)
        await consumer.close()
        let record = try #require(records.first)
        #expect(record.keyString == "issue_1")
        #expect(record.value == Array("héllo".utf8))
        #expect(record.headers == headers)
        #expect(record.partition == sent.partition)
        #expect(record.offset == sent.offset)
    }

    @Test func sameKeyGoesToTheSamePartitionAndNullValueIsData() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("keyed", partitions: 6)
        let offsets = try await withProducer(producerSettings(cluster), logger: testLogger) { producer in
            var offsets: [KafkaOffset] = []
            for index in 0..<20 {
                offsets.append(
                    try await producer.send(topic: "keyed", key: "issue_same", value: index == 3 ? nil : [1]))
            }
            return offsets
        }
        #expect(Set(offsets.map(\.partition)).count == 1)
        #expect(offsets.map(\.offset) == offsets.map(\.offset).sorted())

        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-keyed", topics: ["keyed"]), logger: testLogger)
        let records = try await collect(consumer, count: 20)
        await consumer.close()
        #expect(records[3].value == nil)
        #expect(records.map(\.offset) == offsets.map(\.offset))
    }

    @Test func injectedProduceErrorsAreRetriedWithoutDuplicates() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("flaky", partitions: 1)
        // Produce is Kafka API key 0: the next three Produce requests fail with retriable errors.
        cluster.pushRequestErrors(apiKey: 0, [.notEnoughReplicas, .requestTimedOut, .notEnoughReplicas])
        let count = 50
        try await withProducer(producerSettings(cluster), logger: testLogger) { producer in
            try await withThrowingTaskGroup(of: KafkaOffset.self) { group in
                for index in 0..<count {
                    group.addTask { try await producer.send(topic: "flaky", key: "k", value: Array("\(index)".utf8)) }
                }
                try await group.waitForAll()
            }
        }
        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-flaky", topics: ["flaky"]), logger: testLogger)
        let records = try await collect(consumer, count: count)
        // Nothing more than the 50 arrives: wait for any straggling duplicate to show up, bounded.
        let extra = try? await collect(consumer, count: 1, timeout: .seconds(2))
        await consumer.close()
        #expect(extra == nil)
        let values = records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        #expect(Set(values).count == count)
        #expect(records.map(\.offset) == Array(0..<Int64(count)))
    }
}
