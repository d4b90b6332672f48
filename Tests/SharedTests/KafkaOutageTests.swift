import DevStack
import Foundation
import KafkaClient
import Synchronization
import Testing

@Suite("Kafka producer during broker outages", .timeLimit(.minutes(2)))
struct KafkaOutageTests {
    @Test func sendsContinueAfterTheLeaderComesBack() async throws {
        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createTopic("outage", partitions: 1)
        try cluster.setLeader(topic: "outage", partition: 0, broker: 2)
        try await withProducer(producerSettings(cluster, timeout: .seconds(60)), logger: testLogger) { producer in
            _ = try await producer.send(topic: "outage", key: "k", value: [0])
            try cluster.setBrokerDown(2)
            let pending = Task { try await producer.send(topic: "outage", key: "k", value: [1]) }
            try await eventually("send is waiting for the leader") { producer.pendingDeliveries == 1 }
            try cluster.setBrokerUp(2)
            let offset = try await pending.value
            #expect(offset.offset == 1)
        }
    }

    @Test func allBrokersDownPastTheMessageTimeoutThrowsATypedErrorNamingTheTopic() async throws {
        let cluster = try MockKafkaCluster(brokers: 2)
        try cluster.createTopic("down", partitions: 1)
        try await withProducer(producerSettings(cluster, timeout: .seconds(2)), logger: testLogger) { producer in
            _ = try await producer.send(topic: "down", key: "k", value: [0])
            for broker in cluster.brokerIDs { try cluster.setBrokerDown(broker) }
            do {
                _ = try await producer.send(topic: "down", key: "k", value: [1])
                Issue.record("send succeeded with every broker down")
            } catch let error {
                guard case let KafkaClientError.delivery(topic, code) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(topic == "down")
                #expect(code == .messageTimedOut)
                #expect("\(error)".contains("down"))
            }
        }
    }

    /// A send with a timeout gives up at its deadline (checked by the producer's poll loop, no timer task), while
    /// librdkafka would keep retrying for the whole message timeout (its own error would be `.delivery`).
    @Test func aSendWithATimeoutGivesUpAtItsDeadline() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("deadline", partitions: 1)
        try await withProducer(producerSettings(cluster, timeout: .seconds(20)), logger: testLogger) { producer in
            _ = try await producer.send(topic: "deadline", key: "k", value: [0])
            for broker in cluster.brokerIDs { try cluster.setBrokerDown(broker) }
            let started = ContinuousClock.now
            do {
                _ = try await producer.send(
                    KafkaProducerMessage(topic: "deadline", key: "k", value: [2]), timeout: .milliseconds(400))
                Issue.record("send succeeded with the broker down")
            } catch let error {
                let elapsed = ContinuousClock.now - started
                guard case let KafkaClientError.timedOut(operation, _) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(operation.contains("deadline"))
                #expect(elapsed >= .milliseconds(400))
                #expect(elapsed < .seconds(10), "gave up only after \(elapsed)")
            }
            // The broker back, so that the producer's final flush does not wait for the abandoned message.
            for broker in cluster.brokerIDs { try cluster.setBrokerUp(broker) }
        }
    }

    @Test func aCancelledSendThatMayGiveUpStopsWaitingAtOnce() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("cancelled", partitions: 1)
        try await withProducer(producerSettings(cluster, timeout: .seconds(20)), logger: testLogger) { producer in
            _ = try await producer.send(topic: "cancelled", key: "k", value: [0])
            for broker in cluster.brokerIDs { try cluster.setBrokerDown(broker) }
            let started = Mutex<ContinuousClock.Instant?>(nil)
            let send = Task {
                started.withLock { $0 = .now }
                return try await producer.send(
                    KafkaProducerMessage(topic: "cancelled", key: "k", value: [1]), timeout: .seconds(30),
                    giveUpOnCancel: true)
            }
            try await eventually("the send started") { started.withLock { $0 } != nil }
            let cancelledAt = ContinuousClock.now
            send.cancel()
            let result = await send.result
            guard case let .failure(KafkaClientError.timedOut(operation, _)) = result else {
                Issue.record("a cancelled send ended with \(result)")
                return
            }
            #expect(operation.contains("cancelled"))
            #expect(ContinuousClock.now - cancelledAt < .seconds(2), "a cancelled send waited for its deadline")
            for broker in cluster.brokerIDs { try cluster.setBrokerUp(broker) }
        }
    }

    @Test func anUnreachableBrokerIsReportedWithinABoundedTime() async throws {
        var settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: "127.0.0.1:1"))
        settings.messageTimeout = .seconds(2)
        let producer = try KafkaProducerClient(settings: settings, logger: testLogger)
        let started = ContinuousClock.now
        await #expect(throws: KafkaClientError.self) {
            try await producer.checkConnection(timeout: .seconds(2))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aPropertyLibrdkafkaRejectsFailsWithItsOwnMessage() throws {
        var settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: "127.0.0.1:9092"))
        settings.client.extraProperties = ["no.such.property": "1"]
        do {
            _ = try KafkaProducerClient(settings: settings, logger: testLogger)
            Issue.record("an unknown property was accepted")
        } catch {
            guard case let .invalidSetting(key, reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(key == "no.such.property")
            #expect(reason.contains("No such configuration property"))
        }
    }
}
