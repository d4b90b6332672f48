import FeishuKit
import Foundation
import KafkaClient
import Logging
import Metrics
import ServiceKit
import ServiceLifecycle
import Timing

/// `FEISHU_EVENT_MODE=websocket`: keeps one long connection to Feishu open. Asks the endpoint API for a URL, dials
/// it, runs the session, and after every ending reconnects with back-off and jitter (`LongConnectionBackoff`).
/// While it is not connected `/readyz` reports `feishu.long-connection`, and
/// `reply_gateway_feishu_connection_state` is 0 (1 connecting, 2 connected). Errors retrying cannot fix
/// (refused credentials, too many connections) stop the service, and with it the process, saying why.
struct LongConnectionService: Service {
    enum State: Int {
        case disconnected = 0
        case connecting = 1
        case connected = 2
    }

    static let healthName = "feishu.long-connection"

    let settings: LongConnectionSettings
    let dispatcher: LongConnectionDispatcher
    let health: HealthChecks
    let logger: Logger
    var endpoints: LongConnectionEndpointClient
    var random: @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }

    init(settings: LongConnectionSettings, dispatcher: LongConnectionDispatcher, health: HealthChecks, logger: Logger) {
        self.settings = settings
        self.dispatcher = dispatcher
        self.health = health
        self.logger = logger
        self.endpoints = LongConnectionEndpointClient(settings: settings)
    }

    func run() async throws {
        let config = ConfigBox(FeishuLongConnectionClientConfigValues(settings.defaults))
        let backoff = LongConnectionBackoff(minimum: settings.minimumBackoff)
        var failures = 0
        var everConnected = false
        health.fail(Self.healthName, reason: "not connected yet")
        defer { record(.disconnected) }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let ending: LongConnectionError
            do {
                record(.connecting)
                ending = try await connectAndRun(config: config)
                if Task.isShuttingDownGracefully { return }
                failures = 0
                everConnected = true
            } catch let error as LongConnectionError {
                ending = error
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                ending = .connectionLost("\(error)")
            }
            record(.disconnected)
            health.fail(Self.healthName, reason: ending.description)
            Counter(label: "reply_gateway_feishu_reconnects_total", dimensions: [("reason", ending.label)]).increment()
            if ending.isFatal {
                logger.critical("Feishu long connection stopped", metadata: [LogKey.error: "\(ending)"])
                throw ending
            }
            let values = config.value
            if values.reconnectCount >= 0 && failures > values.reconnectCount {
                throw LongConnectionError.reconnectsExhausted(failures)
            }
            // The first wait after a connection that worked is the SDK's random nonce; failures back off.
            let delay = backoff.delay(attempt: everConnected ? failures : failures + 1, config: values, random: random)
            failures += 1
            logger.warning(
                "Feishu long connection down; reconnecting",
                metadata: [LogKey.error: "\(ending)", "retry_in_ms": "\(delay.nanoseconds / 1_000_000)"])
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                return
            }
        }
    }

    /// One connection from endpoint request to its end; returns why it ended (throws when it never opened).
    private func connectAndRun(config: ConfigBox) async throws
        -> LongConnectionError
    {
        let endpoint = try await endpoints.fetch()
        let values = FeishuLongConnectionClientConfigValues(endpoint.config, fallback: settings.defaults)
        config.value = values
        let serviceID =
            URLComponents(string: endpoint.url)?.queryItems?
            .first { $0.name == "service_id" }?.value.flatMap { Int32($0) } ?? 0
        let socket = try await LongConnectionDialer(
            maxMessageBytes: settings.maxMessageBytes, timeout: settings.connectTimeout
        ).dial(endpoint.url)
        record(.connected)
        health.clear(Self.healthName)
        logger.info("Feishu long connection open", metadata: ["ping_interval_s": "\(values.pingInterval)"])
        let settingsDefaults = settings.defaults
        let session = LongConnectionSession(
            socket: socket, serviceID: serviceID, dispatcher: dispatcher, maxMessageBytes: settings.maxMessageBytes,
            logger: logger,
            onConfig: { update in
                config.value = FeishuLongConnectionClientConfigValues(update, fallback: settingsDefaults)
            })
        switch await session.run(pingInterval: values.pingInterval) {
        case .stopped:
            logger.info("Feishu long connection closed for shutdown")
            return .closedByServer
        case .failed(let error):
            return error
        }
    }

    private func record(_ state: State) {
        Gauge(label: "reply_gateway_feishu_connection_state").record(state.rawValue)
    }
}

extension LongConnectionService {
    /// The service with the `/feishu/events` pipeline behind it: the same handler type, card clicks included,
    /// without an encrypt key (payloads on the connection are plain JSON).
    static func make(
        settings: LongConnectionSettings, intake: CommandIntake, appClient: FeishuAppClient?, notices: NoticeQueue,
        cardActions: CardActionHandler?, signatureWindow: Duration, health: HealthChecks, logger: Logger
    ) -> LongConnectionService {
        let handler = FeishuEventHandler(
            settings: FeishuSubscriptionSettings(verificationToken: settings.verificationToken, encryptKey: nil),
            intake: intake, threads: appClient.map { FeishuThreadIssueLookup(client: $0) }, notices: notices,
            signatureWindow: signatureWindow, logger: logger, cardActions: cardActions)
        let dispatcher = LongConnectionDispatcher(handler: handler, encryptKey: settings.encryptKey, logger: logger)
        return LongConnectionService(settings: settings, dispatcher: dispatcher, health: health, logger: logger)
    }
}
