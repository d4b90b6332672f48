import ArgumentParser
import Events
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle

/// `reply-gateway`: accepts chat callbacks and publishes reply commands (`--role ingress`), writes them to Guance
/// (`--role writer`), or both (default).
@main
struct GatewayMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply-gateway",
        abstract: "Feishu/DingTalk callbacks in, replies written to Guance issues, confirmations back in the chat.")

    @Option(help: "Which parts to run: ingress (HTTP + chat confirmations), writer (Guance replies), or all.")
    var role: GatewayRole = .all

    func run() async throws {
        let basics = ServiceBasics.start(
            service: "reply-gateway", sections: [GatewayConfig.pollTargetsSection])
        let config: GatewayConfig
        do {
            config = try GatewayConfig.load(basics.config, role: role)
        } catch {
            StartupFailure.exit(service: basics.service, error)
        }
        // The producer's message timeout bounds how long a callback waits for Kafka: past it the answer is 503
        // and the platform retries. Consumers keep the plain settings.
        var producerKafka = basics.kafka
        if producerKafka.extraProperties["message.timeout.ms"] == nil {
            producerKafka.extraProperties["message.timeout.ms"] = String(config.publishTimeout.milliseconds)
        }
        let producerBasics = ServiceBasics(
            service: basics.service, config: basics.config, logger: basics.logger, registry: basics.registry,
            health: basics.health, kafka: producerKafka, gracePeriod: basics.gracePeriod)
        let role = role
        await ServiceRunner.run(producerBasics) { producer in
            do {
                let topics = Self.topics(for: role, guanceWebhook: config.guanceWebhook != nil)
                _ = try await KafkaTopicCheck.run(topics, kafka: basics.kafka, logger: basics.logger)
            } catch let problem as KafkaTopicProblem {
                StartupFailure.exit(service: basics.service, problem)
            }
            return try GatewayServices.make(
                config: config, producer: producer, kafka: basics.kafka, health: basics.health,
                logger: basics.logger
            ).services
        }
    }

    /// The topics a role uses; the gateway creates none, and stops with exit 2 naming the command when one is missing.
    /// `guanceWebhook`: the ingress publishes poll triggers.
    static func topics(for role: GatewayRole, guanceWebhook: Bool = false) -> [KafkaTopicRequirement] {
        var topics = [
            KafkaTopicRequirement(name: Topics.replyCommands, partitions: 6),
            KafkaTopicRequirement(name: Topics.replyResults, partitions: 6),
        ]
        if role.runsIngress && guanceWebhook { topics.append(.init(name: Topics.pollTriggers, partitions: 6)) }
        if role.runsWriter { topics.append(.init(name: Topics.deadLetter(of: Topics.replyCommands), partitions: 1)) }
        return topics
    }
}
