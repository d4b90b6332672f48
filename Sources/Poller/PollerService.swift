import AsyncHTTPClient
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle

/// The poller process's own service: owns the shared `HTTPClient`, the per-key request budgets and the coordinator
/// that starts and stops target pollers.
struct PollerService: Service {
    let coordinator: PollerCoordinator
    let http: HTTPClient
    /// Whether `run` shuts `http` down at the end (only a client this service created).
    let ownsHTTPClient: Bool
    let logger: Logger

    /// `http`: a client to share (the caller shuts it down); nil = create one and shut it down at the end.
    init(
        config: PollerConfig, kafka: KafkaClientSettings, publisher: any EventPublisher, health: HealthChecks,
        logger: Logger, http: HTTPClient? = nil, ledger: GuanceUsageLedger? = nil
    ) {
        self.ownsHTTPClient = http == nil
        let http = http ?? GuanceOpenAPIClient.makeHTTPClient()
        self.http = http
        self.logger = logger
        // One budget per API key, shared by every target using that key (and, through the ledger, every process).
        var budgets: [String: GuanceRequestBudget] = [:]
        for target in config.targets where budgets[target.keyDigest] == nil {
            budgets[target.keyDigest] = GuanceRequestBudget(
                apiKey: target.apiKey, limit: target.rateLimit, settings: config.settings.budget, ledger: ledger)
        }
        let tail = KafkaPartitionReader(kafka: kafka, logger: logger, groupPrefix: "poller-reader")
        let store = PollerStateStore(publisher: publisher, reader: tail)
        let settings = config.settings
        coordinator = PollerCoordinator(config: config, kafka: kafka, health: health, logger: logger) {
            [budgets, http] target in
            var clientSettings = GuanceOpenAPIClient.Settings(baseURL: target.openAPIURL, apiKey: target.apiKey)
            clientSettings.retry = settings.retry
            clientSettings.requestTimeout = settings.requestTimeout
            clientSettings.priority = .polling
            let client = GuanceOpenAPIClient(
                settings: clientSettings, httpClient: http, budget: budgets[target.keyDigest]!, logger: logger)
            return TargetPoller(
                target: target, settings: settings, client: client, publisher: publisher, store: store, tail: tail,
                health: health, logger: logger)
        }
    }

    func run() async throws {
        do {
            try await coordinator.run()
        } catch {
            if ownsHTTPClient { try? await http.shutdown() }
            throw error
        }
        if ownsHTTPClient { try await http.shutdown() }
    }
}
