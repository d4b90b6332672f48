import KafkaClient
import Logging

/// Runs `body` with a producer whose `run()` serves delivery reports in the background, then stops it (tests and
/// tools that publish a few records).
public func withProducer<T: Sendable>(
    _ settings: KafkaProducerSettings, logger: Logger, _ body: (KafkaProducerClient) async throws -> T
) async throws -> T {
    let producer = try KafkaProducerClient(settings: settings, logger: logger)
    let runner = Task { try await producer.run() }
    defer { runner.cancel() }
    let result = try await body(producer)
    runner.cancel()
    _ = await runner.result
    return result
}
