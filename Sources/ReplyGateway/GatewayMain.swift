import ArgumentParser
import Logging
import ServiceLifecycle
import Shared

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
        let basics = ServiceBasics.start(service: "reply-gateway")
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
        await ServiceRunner.run(producerBasics) { producer in
            try GatewayServices.make(
                config: config, producer: producer, kafka: basics.kafka, health: basics.health,
                logger: basics.logger
            ).services
        }
    }
}
