import DevStack
import Foundation
import KafkaClient
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
