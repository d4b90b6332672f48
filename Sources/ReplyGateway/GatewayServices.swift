import Events
import FeishuKit
import GuanceAPI
import Hummingbird
import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle
import Timing

/// Builds the services of one gateway process for its role. `main` and the tests use the same assembly.
struct GatewayServices {
    /// In start order; the group stops them in reverse (HTTP first, consumers last).
    var services: [any Service]
    var appClient: FeishuAppClient?
    var intake: CommandIntake?
    var writer: ReplyWriter?

    static func make(
        config: GatewayConfig, producer: KafkaProducerClient, kafka: KafkaClientSettings, health: HealthChecks,
        logger: Logger,
        tuneConsumer: (inout KafkaConsumerSettings) -> Void = { _ in },
        afterCreate: (@Sendable (ReplyCommand) throws -> Void)? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> GatewayServices {
        var result = GatewayServices(services: [])
        if config.role.runsIngress {
            let appClient = config.app.map { FeishuAppClient(credentials: $0) }
            let responder = PlatformChatResponder(feishu: appClient, sessionWebhooks: config.sessionWebhooks)
            let notices = NoticeQueue(responder: responder, logger: logger)
            let identities: FeishuIdentityResolver? =
                config.identities != nil || appClient != nil
                ? FeishuIdentityResolver(file: config.identities, directory: appClient, logger: logger) : nil
            let intake = CommandIntake(
                publisher: KafkaCommandPublisher(producer: producer, timeout: config.publishTimeout),
                dedupeCapacity: config.dedupeCapacity,
                logger: logger)
            var handlers = GatewayRoutes.Handlers()
            if let feishu = config.feishu {
                handlers.callbacks[.feishu] = FeishuEventHandler(
                    settings: feishu, intake: intake, threads: appClient.map { FeishuThreadIssueLookup(client: $0) },
                    notices: notices, signatureWindow: config.signatureWindow, logger: logger,
                    cardActions: CardActionHandler.make(
                        config: config, producer: producer, identities: identities, notices: notices, logger: logger),
                    identities: identities)
            }
            if let token = config.flowToken {
                handlers.callbacks[.feishuFlow] = FlowHandler(token: token, intake: intake, logger: logger)
            }
            if let secret = config.dingtalkAppSecret {
                handlers.callbacks[.dingtalk] = DingTalkHandler(
                    appSecret: secret, intake: intake, notices: notices, logger: logger,
                    window: config.signatureWindow, sessionWebhooks: config.sessionWebhooks)
            }
            if let webhook = config.guanceWebhook {
                handlers.guance = GuanceWebhookHandler(
                    token: webhook.token, targets: webhook.targets,
                    publisher: KafkaPollTriggerPublisher(producer: producer, timeout: config.publishTimeout),
                    logger: logger)
            }
            if config.feishuUnencryptedAllowed {
                logger.warning(
                    """
                    FEISHU_ALLOW_UNENCRYPTED=true: /feishu/events runs without FEISHU_ENCRYPT_KEY, protected by the \
                    verification token only (no signature, no replay window)
                    """)
            }
            let router = Router()
            GatewayRoutes.add(to: router, handlers: handlers, maxBodyBytes: config.maxBodyBytes, logger: logger)
            let port = config.port
            let readTimeout = config.readTimeout
            let app = HTTPServerService(
                router: router,
                server: .http1(
                    configuration: .init(
                        additionalChannelHandlers: [ReadDeadlineHandler(deadline: readTimeout)],
                        idleTimeout: .milliseconds(config.idleTimeout.milliseconds))),
                address: .hostname(config.host, port: port), serverName: "reply-gateway", logger: logger,
                onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
            var confirmerSettings = KafkaConsumerSettings(
                client: kafka, groupID: ReplyConfirmer.groupID, topics: [Topics.replyResults])
            tuneConsumer(&confirmerSettings)
            let confirmerConsumer = try KafkaConsumerClient(settings: confirmerSettings, logger: logger)
            let confirmer = ReplyConfirmer(consumer: confirmerConsumer, responder: responder, logger: logger)
            result.services += [notices, confirmerConsumer, confirmer, app]
            if let longConnection = config.longConnection {
                // Stopped first: it drains the events in flight before the consumers behind it stop.
                result.services.append(
                    LongConnectionService.make(
                        settings: longConnection, intake: intake, appClient: appClient, notices: notices,
                        cardActions: CardActionHandler.make(
                            config: config, producer: producer, notices: notices, logger: logger),
                        signatureWindow: config.signatureWindow, health: health, logger: logger))
            }
            result.appClient = appClient
            result.intake = intake
            if config.app == nil {
                logger.notice("FEISHU_APP_ID/FEISHU_APP_SECRET not set: reply results are logged, not answered in chat")
            }
        }
        if config.role.runsWriter, let guance = config.guance {
            // Reply writes are interactive: polling on the same key yields to them, in every process.
            let ledger =
                guance.budget.shared && guance.rateLimit > 0
                ? GuanceUsageLedger(kafka: kafka, producer: producer, service: "reply-gateway", logger: logger) : nil
            let budget = GuanceRequestBudget(
                apiKey: guance.apiKey, limit: guance.rateLimit, settings: guance.budget, ledger: ledger)
            var clientSettings = GuanceOpenAPIClient.Settings(baseURL: guance.baseURL, apiKey: guance.apiKey)
            clientSettings.requestTimeout = guance.requestTimeout
            let client = GuanceOpenAPIClient(
                settings: clientSettings, httpClient: .outbound, budget: budget, logger: logger)
            var writerSettings = KafkaConsumerSettings(
                client: kafka, groupID: ReplyWriter.groupID, topics: [Topics.replyCommands])
            // One command at a time, each far slower than a poll (Guance calls): a batch poll would hold a lone
            // command (a card click) until the batch filled or the poll's 100 ms passed.
            writerSettings.batchSize = 1
            tuneConsumer(&writerSettings)
            let writerConsumer = try KafkaConsumerClient(settings: writerSettings, logger: logger)
            var settings = config.writer
            settings.ambiguityWait = client.settings.requestTimeout
            let writer = ReplyWriter(
                consumer: writerConsumer, producer: producer, guance: client, settings: settings, logger: logger,
                health: health, afterCreate: afterCreate,
                actions: IssueActionWriter(
                    guance: client,
                    events: IssueEventFactory(workspaceUUID: "", channel: nil, consoleURL: guance.consoleURL),
                    maxAttempts: settings.maxAttempts, retryDelay: settings.retryDelay,
                    ambiguityWait: settings.ambiguityWait))
            if let ledger { result.services.append(ledger) }
            result.services += [writerConsumer, writer]
            result.writer = writer
        }
        return result
    }
}
