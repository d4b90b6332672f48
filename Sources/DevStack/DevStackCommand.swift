import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `dev-stack`: the outside world on one laptop. Starts a mock Kafka cluster with the product's topics, prints
/// `KAFKA_BROKERS=<bootstrap>` as its first stdout line, and runs until SIGINT/SIGTERM.
@main
struct DevStackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-stack",
        abstract: "Run a local Kafka (librdkafka mock cluster) and simulators for guance-chatops.")

    @Option(help: "Number of mock brokers.")
    var brokers = 3

    @Option(help: "Partitions of guance.issue-events, guance.reply-commands and guance.reply-results.")
    var partitions = 6

    @Option(help: "Also write KAFKA_BROKERS=... to this file.")
    var envFile: String?

    func validate() throws {
        guard (1...10).contains(brokers) else { throw ValidationError("--brokers must be 1...10") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be 1...256") }
    }

    func run() async throws {
        let logger = Logger(label: "dev-stack")
        let cluster = try MockKafkaCluster(brokers: brokers)
        try cluster.createProductTopics(partitions: partitions)
        let line = "KAFKA_BROKERS=\(cluster.bootstrapServers)"
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        logger.info(
            "mock Kafka cluster running",
            metadata: ["brokers": "\(brokers)", "partitions": "\(partitions)", "bootstrap": "\(cluster.bootstrapServers)"])
        // Feishu app-API fake + gateway secrets + one sample message once the gateway is ready.
        let feishu = FeishuDevStack()
        let gatewayPort = Int(ProcessInfo.processInfo.environment["GATEWAY_PORT"] ?? "") ?? 8080
        var services: [any Service] = [UntilShutdown()]
        services += feishu.services(logger: logger, gatewayPort: gatewayPort, sampleIssueUUID: nil)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0, successTerminationBehavior: .ignore) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The env file is written once, complete, after every simulator is listening: `make run` reads it as
            // soon as it is non-empty.
            let extra = await feishu.envLines()
            FileHandle.standardOutput.write(Data((extra.joined(separator: "\n") + "\n").utf8))
            if let envFile {
                try ([line] + extra).joined(separator: "\n").appending("\n")
                    .write(toFile: envFile, atomically: true, encoding: .utf8)
            }
            try await tasks.next()
        }
        withExtendedLifetime(cluster) {}
        logger.info("dev-stack stopped")
    }
}

/// A service that does nothing but wait for graceful shutdown.
struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
