import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a service process: creates the producer, checks Kafka is reachable within a bounded time, then runs the
/// producer, the observability server and the service's own services in one `ServiceGroup` until SIGTERM/SIGINT.
public enum ServiceRunner {
    /// How long start-up waits for a broker to answer before giving up with a clear error.
    public static let connectTimeout: Duration = .seconds(15)

    public static func run(
        _ basics: ServiceBasics,
        makeServices: @Sendable (KafkaProducerClient) async throws -> [any Service]
    ) async {
        let logger = basics.logger
        do {
            let producer: KafkaProducerClient
            do {
                producer = try KafkaProducerClient(
                    settings: KafkaProducerSettings(client: basics.kafka), logger: logger)
            } catch {
                StartupFailure.exit(service: basics.service, error)
            }
            do {
                try await producer.checkConnection(timeout: connectTimeout)
            } catch {
                StartupFailure.exit(service: basics.service, error, code: StartupFailure.dependencyExitCode)
            }
            basics.health.register("kafka") { await (try? producer.checkConnection(timeout: .seconds(2))) != nil }
            let own = try await makeServices(producer)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: producer)]
            if let port = try basics.config.int(.metricsPort, default: -1, range: -1...65535) as Int?, port >= 0 {
                services.append(
                    .init(
                        service: ObservabilityServer.make(
                            port: port, registry: basics.registry, health: basics.health, logger: logger)))
                services.append(.init(service: HealthRefresher(health: basics.health)))
            }
            services += own.map { .init(service: $0) }
            services.append(
                .init(
                    service: StartAnnouncer(
                        service: basics.service, brokers: basics.kafka.bootstrapServers,
                        logger: logger)))
            var configuration = ServiceGroupConfiguration(services: services, logger: logger)
            configuration.gracefulShutdownSignals = [.sigterm, .sigint]
            configuration.maximumGracefulShutdownDuration = basics.gracePeriod
            try await ServiceGroup(configuration: configuration).run()
            logger.info("\(basics.service) stopped")
        } catch {
            logger.error("\(basics.service) failed", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
    }
}

/// Logs "<service> started" from inside the running `ServiceGroup`, i.e. after its SIGTERM/SIGINT handling is in
/// place: whoever waits for that line may signal the process at once.
struct StartAnnouncer: Service {
    let service: String
    let brokers: String
    let logger: Logger

    func run() async throws {
        logger.info("\(service) started", metadata: ["kafka.brokers": "\(brokers)"])
        try? await gracefulShutdown()
    }
}
