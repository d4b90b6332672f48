import DevStack
import KafkaClient
import Logging

let testLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()

func producerSettings(_ cluster: MockKafkaCluster, timeout: Duration = .seconds(30)) -> KafkaProducerSettings {
    var settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
    settings.messageTimeout = timeout
    return settings
}

func consumerSettings(_ cluster: MockKafkaCluster, group: String, topics: [String]) -> KafkaConsumerSettings {
    var settings = KafkaConsumerSettings(
        client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), groupID: group, topics: topics)
    settings.sessionTimeout = .seconds(3)
    settings.commitInterval = .milliseconds(200)
    return settings
}

/// Reads records until `count` have arrived or `timeout` passes.
func collect(
    _ consumer: KafkaConsumerClient, count: Int, timeout: Duration = .seconds(30),
    markHandled: Bool = true
) async throws -> [KafkaRecord] {
    try await withThrowingTaskGroup(of: [KafkaRecord].self) { group in
        group.addTask {
            var records: [KafkaRecord] = []
            for try await record in consumer.records {
                records.append(record)
                if markHandled { consumer.markHandled(record) }
                if records.count >= count { break }
            }
            return records
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw ConditionTimedOut(description: "expected \(count) records within \(timeout)")
        }
        let records = try await group.next()!
        group.cancelAll()
        return records
    }
}
