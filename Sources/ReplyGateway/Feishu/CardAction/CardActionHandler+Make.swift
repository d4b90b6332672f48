import KafkaClient
import Logging

extension CardActionHandler {
    /// Feishu answers a click only if the callback responds within 3 s: the directory lookup and the Kafka
    /// acknowledgement together must fit, so the publish waits at most this long (less if GATEWAY_PUBLISH_TIMEOUT
    /// is shorter).
    static let publishBudget: Duration = .milliseconds(1800)

    /// The handler of one gateway process: publishes through its producer, names people through `identities`.
    static func make(
        config: GatewayConfig, producer: KafkaProducerClient, identities: (any ChatIdentityResolver)? = nil,
        notices: NoticeQueue, logger: Logger
    ) -> CardActionHandler {
        CardActionHandler(
            publisher: KafkaIssueActionPublisher(
                producer: producer, timeout: min(config.publishTimeout, publishBudget)),
            identities: identities, notices: notices, dedupeCapacity: config.dedupeCapacity, logger: logger)
    }
}
