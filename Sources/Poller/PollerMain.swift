import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle

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
        logger.info(
            "poll targets configured",
            metadata: [
                "targets": "\(config.targets.map(\.name))", "interval": "\(config.settings.pollInterval)",
                "instance": "\(instanceID)",
            ])
        await ServiceRunner.run(basics) { producer in
            do {
                _ = try await KafkaTopicCheck.run(topics, kafka: basics.kafka, logger: logger)
            } catch let problem as KafkaTopicProblem {
                StartupFailure.exit(service: basics.service, problem)
            }
            // The budget of each key is shared with every other process using it (unless GUANCE_BUDGET_MODE=local).
            let ledger =
                config.settings.budget.shared && config.targets.contains(where: { $0.rateLimit > 0 })
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

    /// The topics the poller uses: it creates its own two when missing (where the cluster allows) and stops with
    /// exit 2 naming the fix when one is still missing or the state topic is not compacted.
    static let topics = [
        KafkaTopicRequirement(name: Topics.issueEvents, partitions: 6),
        KafkaTopicRequirement(name: Topics.pollerState, partitions: 1, compacted: true, createIfMissing: true),
        KafkaTopicRequirement(
            name: Topics.pollerCoordination, partitions: Topics.pollerCoordinationPartitions, createIfMissing: true),
        KafkaTopicRequirement(name: Topics.pollTriggers, partitions: 6, createIfMissing: true),
    ]
}
