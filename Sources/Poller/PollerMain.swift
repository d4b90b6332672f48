import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `poller`: reads the Guance OpenAPI and publishes issue events to Kafka.
@main
enum PollerMain {
    static func main() async {
        let basics = ServiceBasics.start(service: "poller", sections: [PollerConfig.targetsSection])
        let instanceID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let config: PollerConfig
        do {
            config = try PollerConfig.load(basics.config, instanceID: instanceID)
        } catch {
            StartupFailure.exit(service: basics.service, error)
        }
        let logger = basics.logger
        for notice in config.notices { logger.notice("\(notice)") }
        if config.targets.isEmpty {
            let reason = "no poll targets: set GUANCE_API_KEY or poll_targets in CONFIG_FILE"
            basics.health.fail("poller", reason: reason)
            logger.warning("\(reason); idling")
        } else {
            logger.info("poll targets configured", metadata: [
                "targets": "\(config.targets.map(\.name))", "interval": "\(config.settings.pollInterval)",
                "instance": "\(instanceID)",
            ])
        }
        await ServiceRunner.run(basics) { producer in
            await ensureTopics(basics.kafka, logger: logger)
            // The budget of each key is shared with every other process using it (unless GUANCE_BUDGET_MODE=local).
            let ledger = config.settings.budget.shared && config.targets.contains(where: { $0.rateLimit > 0 })
                ? GuanceUsageLedger(kafka: basics.kafka, producer: producer, service: "poller", logger: logger) : nil
            let poller = PollerService(
                config: config, kafka: basics.kafka, publisher: producer, health: basics.health, logger: logger,
                ledger: ledger)
            var services: [any Service] = []
            if let ledger { services.append(ledger) }
            services.append(poller)
            return services
        }
    }

    /// Creates the poller's topics if missing (`guance.poller-state` compacted). Failure is logged, not fatal:
    /// deployments may create topics out of band and forbid it here.
    static func ensureTopics(_ kafka: KafkaClientSettings, logger: Logger) async {
        let wanted = [Topics.pollerState, Topics.pollerCoordination]
        let reader = KafkaTailReader(kafka: kafka, logger: logger)
        if let existing = try? await reader.partitionCounts(topics: wanted), existing.count == wanted.count {
            return
        }
        do {
            let admin = try KafkaAdminClient(settings: kafka, logger: logger)
            let created = try await admin.createMissingTopics([
                .init(name: Topics.pollerState, partitions: 1, config: ["cleanup.policy": "compact"]),
                .init(name: Topics.pollerCoordination, partitions: Topics.pollerCoordinationPartitions),
            ], timeout: .seconds(10))
            if !created.isEmpty { logger.info("created topics", metadata: ["topics": "\(created)"]) }
        } catch {
            logger.warning("could not create the poller's topics; expecting them to exist", metadata: [
                LogKey.error: "\(error)",
            ])
        }
    }
}
