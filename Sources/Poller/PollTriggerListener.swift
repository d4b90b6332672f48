import Events
import KafkaClient
import Logging

/// Reads `PollTrigger`s in a consumer group of this instance's own, starting at the end of the topic, and hands each
/// valid one's target to `wake`. A record that is not a v1 trigger is logged and skipped.
struct PollTriggerListener: Sendable {
    let kafka: KafkaClientSettings
    let topic: String
    let instanceID: String
    let logger: Logger

    var groupID: String { "poller-triggers.\(instanceID)" }

    /// Runs until cancelled; a consumer failure is logged and retried after a pause (polling at the interval goes
    /// on meanwhile).
    func run(wake: @escaping @Sendable (String) -> Bool) async {
        while !Task.isCancelled {
            do {
                var settings = KafkaConsumerSettings(client: kafka, groupID: groupID, topics: [topic])
                settings.startFromEarliest = false
                let consumer = try KafkaConsumerClient(settings: settings, logger: logger)
                // The sequence ends when the task is cancelled.
                do {
                    for try await record in consumer.records {
                        handle(record, wake: wake)
                        consumer.markHandled(record)
                    }
                } catch {
                    logger.error(
                        "poll trigger consumer failed", metadata: [LogKey.topic: "\(topic)", LogKey.error: "\(error)"])
                }
                await consumer.close()
            } catch {
                logger.error(
                    "poll trigger consumer could not start",
                    metadata: [LogKey.topic: "\(topic)", LogKey.error: "\(error)"])
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    func handle(_ record: KafkaRecord, wake: @Sendable (String) -> Bool) {
        guard let value = record.value, let trigger = try? EventCoding.decode(PollTrigger.self, from: value),
            trigger.schema == PollTrigger.schemaV1, PollTrigger.isValidTargetName(trigger.target)
        else {
            logger.warning(
                "skipped a record that is not a poll trigger",
                metadata: [LogKey.topic: "\(topic)", LogKey.offset: "\(record.partition):\(record.offset)"])
            return
        }
        if wake(trigger.target) {
            logger.debug("poll trigger: polling now", metadata: [LogKey.target: "\(trigger.target)"])
        }
    }
}
