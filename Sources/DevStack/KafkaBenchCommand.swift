import ArgumentParser
import Foundation
import KafkaClient
import Logging
import Timing

/// `dev-stack bench-kafka`: produces and consumes N messages through the Swift Kafka layer against a running broker
/// and prints the rates. `scripts/bench-kafka.sh` runs it next to kcat against the same dev-stack broker.
struct KafkaBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-kafka", abstract: "Measure produce and consume rates of the Swift Kafka layer.")

    @Option(help: "Bootstrap servers of a running broker (dev-stack's KAFKA_BROKERS).")
    var bootstrap: String

    @Option(help: "Topic to use (must exist, empty).")
    var topic: String

    @Option(help: "Number of messages.")
    var messages = 200_000

    @Option(help: "Message size in bytes.")
    var size = 1024

    @Option(help: "Sends awaiting acknowledgement at once.")
    var window = 10_000

    @Option(help: "Also measure one `send` per message (concurrent tasks) into this topic.")
    var singleSendTopic: String?

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel =
            ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        var settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: bootstrap))
        settings.maxInFlightMessages = window
        let producer = try KafkaProducerClient(settings: settings, logger: logger)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let count = messages
        let produceTime = try await producer.withRunning { producer in
            let records = (0..<count).map { index in
                KafkaProducerMessage(topic: topic, key: "k\(index)", value: payload)
            }
            let produceStart = ContinuousClock.now
            let outcomes = try await producer.send(records)
            for outcome in outcomes { _ = try outcome.get() }
            let produceTime = ContinuousClock.now - produceStart
            if let singleSendTopic {
                let singleStart = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<count {
                        if index >= window { try await group.next() }
                        group.addTask {
                            _ = try await producer.send(topic: singleSendTopic, key: "k\(index)", value: payload)
                        }
                    }
                    try await group.waitForAll()
                }
                let singleTime = ContinuousClock.now - singleStart
                print("swift produce (one send per message): \(count) msgs = \(rate(count, singleTime)) msg/s")
            }
            return produceTime
        }

        var consumerSettings = KafkaConsumerSettings(
            client: KafkaClientSettings(bootstrapServers: bootstrap), groupID: "bench-\(UUID().uuidString)",
            topics: [topic])
        consumerSettings.batchSize = 1000
        let consumer = try KafkaConsumerClient(settings: consumerSettings, logger: logger)
        var consumed = 0
        var consumeStart: ContinuousClock.Instant?
        for try await record in consumer.records {
            if consumeStart == nil { consumeStart = .now }
            consumer.markHandled(record)
            consumed += 1
            if consumed % 10_000 == 0 { logger.debug("consumed", metadata: ["count": "\(consumed)"]) }
            if consumed == count { break }
        }
        let consumeTime = ContinuousClock.now - consumeStart!
        await consumer.close()
        print("swift produce: \(count) msgs in \(seconds(produceTime)) s = \(rate(count, produceTime)) msg/s")
        print("swift consume: \(count) msgs in \(seconds(consumeTime)) s = \(rate(count, consumeTime)) msg/s")
    }

    private func seconds(_ duration: Duration) -> String {
        String(format: "%.3f", duration.seconds)
    }

    private func rate(_ count: Int, _ duration: Duration) -> Int {
        Int(Double(count) / duration.seconds)
    }
}
