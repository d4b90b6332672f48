import KafkaClient
import Logging

/// Runs `body` with a producer whose `run()` serves delivery reports in the background, then stops it (tests and
/// tools that publish a few records).
public func withProducer<T: Sendable>(
    _ settings: KafkaProducerSettings, logger: Logger, _ body: (KafkaProducerClient) async throws -> T
) async throws -> T {
    try await KafkaProducerClient(settings: settings, logger: logger).withRunning(body)
}
