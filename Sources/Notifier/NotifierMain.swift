import ArgumentParser
import Events
import Foundation
import KafkaClient
import Logging
import NIOCore
import NIOPosix
import ServiceKit
import ServiceLifecycle
import Synchronization

/// `notifier`: consumes issue events and delivers them to chat webhooks. With arguments it runs an operator command
/// instead (`notifier dlq list|replay`, see `NotifierCommand`).
@main
enum NotifierMain {
    static func main() async {
        if CommandLine.arguments.count > 1 {
            await NotifierCommand.main()
            return
        }
        // One event-loop thread runs all of the notifier's tasks and its HTTP I/O, with no hand-offs between threads
        // (docs/architecture.md, BENCHMARKS.md): before anything else touches NIO or Swift Concurrency's pool.
        NIOSingletons.groupLoopCountSuggestion = 1
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let basics = ServiceBasics.start(service: "notifier")
        let config: NotifierConfig
        do {
            config = try NotifierConfig.load(basics.config, kafka: basics.kafka)
        } catch {
            StartupFailure.exit(service: basics.service, error)
        }
        await ServiceRunner.run(basics) { producer in
            do {
                _ = try await KafkaTopicCheck.run(
                    topics(for: config), kafka: basics.kafka, logger: basics.logger)
            } catch let problem as KafkaTopicProblem {
                StartupFailure.exit(service: basics.service, problem)
            }
            let consumer = try KafkaConsumerClient(settings: config.consumer, logger: basics.logger)
            let http = HTTPClientService(client: WebhookHTTPClient())
            let service = NotifierService(
                config: config, consumer: consumer, deadLetters: producer,
                transport: HTTPSinkTransport(client: http.client), logger: basics.logger)
            basics.health.register("notifier") { service.running.load(ordering: .relaxed) }
            // Shutdown runs in reverse: the notifier finishes in-flight work, then the consumer commits and leaves,
            // then the HTTP client closes (the producer flushes last, in ServiceRunner).
            return [http, consumer, service]
        }
    }
}

extension NotifierMain {
    /// The topics the notifier uses; it creates none (their partition counts are the operator's choice), and stops
    /// with exit 2 naming the command when one is missing.
    static let topics = [
        KafkaTopicRequirement(name: Topics.issueEvents, partitions: 6),
        KafkaTopicRequirement(name: Topics.deadLetter(of: Topics.issueEvents), partitions: 1),
    ]

    /// `topics`, and `guance.chat-messages` when a Feishu app sink keeps its cards there.
    static func topics(for config: NotifierConfig) -> [KafkaTopicRequirement] {
        guard config.sinks.contains(where: { $0.kind == .feishuApp }) else { return topics }
        return topics + [KafkaTopicRequirement(name: Topics.chatMessages, partitions: 6, compacted: true)]
    }
}

/// Owns the webhook client's lifetime as a `Service`: shuts it down after everything that uses it stopped.
struct HTTPClientService: Service {
    let client: WebhookHTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        await client.shutdown()
    }
}
