import ArgumentParser
import Foundation
import GuanceAPI
import Logging
import ServiceLifecycle
import UnixSignals

/// `dev-stack`: the outside world on one laptop. Starts a mock Kafka cluster with the product's topics, prints
/// `KAFKA_BROKERS=<bootstrap>` as its first stdout line, and runs until SIGINT/SIGTERM.
@main
struct DevStackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-stack",
        abstract: "Run a local Kafka (librdkafka mock cluster) and simulators for guance-chatops.",
        subcommands: [
            KafkaBenchCommand.self, GuancePollerBenchmark.self, FeishuLoadCommand.self, StormBenchmark.self,
            CardStormBenchmark.self,
        ])

    @Option(help: "Number of mock brokers.")
    var brokers = 3

    @Option(help: "Partitions of guance.issue-events, guance.reply-commands and guance.reply-results.")
    var partitions = 6

    @Option(name: .customLong("create-topic"), help: "Create an extra topic, NAME:PARTITIONS (repeatable).")
    var extraTopics: [String] = []

    @Option(help: "Also write KAFKA_BROKERS=... (and the simulators' variables) to this file.")
    var envFile: String?

    @Flag(help: "Do not start the Guance OpenAPI simulator (it is skipped anyway when GUANCE_API_KEY is set).")
    var noGuanceSimulator = false

    @Flag(inversion: .prefixedNo, help: "Enforce the chat platforms' rate limits in the chat captures.")
    var chatRateLimits = true

    @Option(
        help: ArgumentHelp(
            "Seconds of the Guance simulator's rate window (Guance: 60); also written as GUANCE_RATE_WINDOW.",
            discussion: "Benchmarks shorten it so the per-key limit of 20 calls does not pace what they measure."))
    var guanceRateWindow: Int = 60

    @Flag(help: "Do not print messages the chat captures receive (benchmarks).")
    var quietCaptures = false

    @Flag(help: "Also run the Slack and Teams webhook fakes; writes DEVSTACK_SLACK_URL and DEVSTACK_TEAMS_URL.")
    var hookCaptures = false

    @Flag(
        help: "Once the sample issue's Feishu card is sent, reply to the issue and resolve it in the Guance simulator.")
    var cardDemo = false

    func validate() throws {
        guard (1...10).contains(brokers) else { throw ValidationError("--brokers must be 1...10") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be 1...256") }
        guard (1...3600).contains(guanceRateWindow) else {
            throw ValidationError("--guance-rate-window must be 1...3600")
        }
    }

    func run() async throws {
        let logger = Logger(label: "dev-stack")
        let cluster = try MockKafkaCluster(brokers: brokers)
        try cluster.createProductTopics(partitions: partitions)
        for spec in extraTopics {
            let parts = spec.split(separator: ":")
            guard parts.count == 2, let count = Int(parts[1]), count > 0 else {
                throw ValidationError("--create-topic expects NAME:PARTITIONS, got \(spec)")
            }
            try cluster.createTopic(String(parts[0]), partitions: count)
        }
        // KAFKA_BROKERS first (tools read the first line), then the simulators' lines; the env file is written
        // once, complete, because `make run` starts the services as soon as it is non-empty.
        var lines = ["KAFKA_BROKERS=\(cluster.bootstrapServers)"]
        FileHandle.standardOutput.write(Data((lines[0] + "\n").utf8))
        let chat = try await ChatCapture.startForDevStack(rateLimits: chatRateLimits, print: !quietCaptures)
        let chatLines = chat.environmentLines(skipping: ProcessInfo.processInfo.environment)
        lines += chatLines
        FileHandle.standardOutput.write(Data(chatLines.map { $0 + "\n" }.joined().utf8))
        let guance = try await startGuanceSimulator()
        if let guance {
            lines += guance.lines
            FileHandle.standardOutput.write(Data((guance.lines.joined(separator: "\n") + "\n").utf8))
            logger.info(
                "Guance OpenAPI simulator running with sample issues", metadata: ["url": "\(guance.simulator.url)"])
        } else {
            logger.info("Guance simulator not started (GUANCE_API_KEY is set, or --no-guance-simulator)")
        }
        logger.info(
            "mock Kafka cluster running",
            metadata: [
                "brokers": "\(brokers)", "partitions": "\(partitions)", "bootstrap": "\(cluster.bootstrapServers)",
            ])
        // Feishu app-API fake + gateway secrets; once the gateway is ready, one signed and encrypted sample message
        // answering an issue of the Guance simulator.
        let feishu = FeishuDevStack(
            websocketMode: ProcessInfo.processInfo.environment["FEISHU_EVENT_MODE"]?.lowercased() == "websocket",
            logger: logger)
        let gatewayPort = Int(ProcessInfo.processInfo.environment["GATEWAY_PORT"] ?? "") ?? 8080
        let sampleIssue = guance?.simulator.addIssue(
            GuanceSimulator.IssueDraft(
                name: "sample: answer me from Feishu",
                description:
                    "<p>dev-stack sends a Feishu message <code>#uuid#…</code> for this issue once the gateway is ready.</p>"
            ))
        let realFeishu = ProcessInfo.processInfo.environment["FEISHU_APP_ID"].map { !$0.isEmpty } ?? false
        var services: [any Service] = [UntilShutdown()]
        if !realFeishu {
            services += feishu.services(logger: logger, gatewayPort: gatewayPort, sampleIssueUUID: sampleIssue?.uuid)
            if cardDemo, let simulator = guance?.simulator, let sampleIssue {
                services.append(
                    SampleCardLifecycle(
                        chats: feishu.simulator.chats, chatID: FeishuDevStack.chatID, guance: simulator,
                        issueUUID: sampleIssue.uuid, logger: logger))
            }
        }
        if let simulator = guance?.simulator {
            // Guance's webhook notification target, pointed at the gateway: pushes wake the poller.
            let token =
                ProcessInfo.processInfo.environment["GUANCE_WEBHOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
                ?? GuanceSimulator.randomHex(32)
            services.append(
                simulator.pushChanges(
                    to: "http://127.0.0.1:\(gatewayPort)/guance/webhook/default", token: token))
            lines.append("GUANCE_WEBHOOK_TOKEN=\(token)")
        }
        let hooks = hookCaptures ? HookCapturesForDevStack(rateLimits: chatRateLimits) : nil
        if let hooks { services += hooks.captures }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0, successTerminationBehavior: .ignore) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The env file is written once, complete, after every simulator is listening: `make run` reads it as
            // soon as it is non-empty.
            if !realFeishu {
                let feishuLines = await feishu.envLines()
                lines += feishuLines
                FileHandle.standardOutput.write(Data((feishuLines.joined(separator: "\n") + "\n").utf8))
            }
            if let hooks { lines += try await hooks.envLines() }
            let text = lines.joined(separator: "\n") + "\n"
            if let envFile {
                try text.write(toFile: envFile, atomically: true, encoding: .utf8)
            }
            try await tasks.next()
        }
        await chat.stop()
        await guance?.simulator.stop()
        withExtendedLifetime(cluster) {}
        logger.info("dev-stack stopped")
    }
}

extension DevStackCommand {
    /// Starts the Guance simulator with sample issues unless real credentials are given; returns its env lines.
    func startGuanceSimulator() async throws -> (simulator: GuanceSimulator, lines: [String])? {
        let realKey = ProcessInfo.processInfo.environment["GUANCE_API_KEY"].map { !$0.isEmpty } ?? false
        guard !noGuanceSimulator, !realKey else { return nil }
        var options = GuanceSimulator.Options()
        options.rateLimitWindow = .seconds(guanceRateWindow)
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        simulator.addSampleIssues()
        return (
            simulator,
            [
                "GUANCE_OPENAPI_URL=\(simulator.url)",
                "GUANCE_API_KEY=\(simulator.apiKey)",
                "GUANCE_CONSOLE_URL=\(simulator.url)/console",
            ] + (guanceRateWindow == 60 ? [] : ["GUANCE_RATE_WINDOW=\(guanceRateWindow)"])
        )
    }
}

/// A service that does nothing but wait for graceful shutdown.
struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
