import Events
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization

/// Where every issue's card lives, from the compacted topic `guance.chat-messages` (ChatMessage v1, key
/// `<sink>/<issue uuid>`). Each notifier instance reads the whole topic from the beginning and keeps following it
/// (outside any consumer group), so any instance can update a card another one sent. A lookup that finds nothing
/// first reads the topic to its current end (`catchUp`): what the previous owner of a partition recorded before it
/// committed is then known, after restarts and rebalances alike.
final class ChatMessageStore: Service, Sendable {
    enum StoreError: Error, CustomStringConvertible {
        case kafka(KafkaClientError)
        case notCaughtUp(after: Duration)
        case write(key: String, KafkaClientError)
        case notFollowing

        var description: String {
            switch self {
            case .kafka(let error): "reading \(Topics.chatMessages) failed: \(error)"
            case .notCaughtUp(let after): "could not read \(Topics.chatMessages) to its end within \(after)"
            case .write(let key, let error): "recording the chat message \(key) failed: \(error)"
            case .notFollowing: "\(Topics.chatMessages) is not being read (the sink is stopping or failed to start)"
            }
        }
    }

    private struct State {
        var messages: [String: ChatMessage] = [:]
        /// The next offset to read, per partition.
        var positions: [Int32: Int64] = [:]
        var ignored = 0
    }

    private let kafka: KafkaClientSettings
    private let publisher: any DeadLetterPublisher
    private let logger: Logger
    private let topic: String
    private let state = Mutex(State())
    /// The consumer following the topic (and a second handle that asks for the partitions' ends, so those questions
    /// never queue behind the follower's fetches); `.stopped` once `run()` ended (lookups then fail at once).
    private enum Follower {
        case starting
        case following(KafkaConsumerClient, ends: KafkaConsumerClient)
        case stopped
    }
    private let follower = Mutex(Follower.starting)
    /// How long a lookup may wait for the topic to be read to its end.
    let catchUpTimeout: Duration

    init(
        kafka: KafkaClientSettings, publisher: any DeadLetterPublisher, logger: Logger,
        topic: String = Topics.chatMessages, catchUpTimeout: Duration = .seconds(15)
    ) {
        self.catchUpTimeout = catchUpTimeout
        self.kafka = kafka
        self.publisher = publisher
        self.logger = logger
        self.topic = topic
    }

    /// The card of an issue at a sink, as far as read so far.
    func message(sink: String, issueUUID: String) -> ChatMessage? {
        state.withLock { $0.messages[ChatMessage.key(sink: sink, issueUUID: issueUUID)] }
    }

    /// The card of an issue at a sink after reading the topic to its current end.
    func currentMessage(sink: String, issueUUID: String) async throws(StoreError) -> ChatMessage? {
        try await catchUp()
        return message(sink: sink, issueUUID: issueUUID)
    }

    /// Records where a card lives: published (and acknowledged by Kafka), then known here at once.
    func record(_ message: ChatMessage) async throws(StoreError) {
        let value: [UInt8]
        do { value = try EventCoding.encode(message) } catch { preconditionFailure("ChatMessage always encodes") }
        let record = KafkaProducerMessage(
            topic: topic, key: message.key, value: value,
            headers: [
                KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                KafkaHeader(key: EventHeaders.schema, string: ChatMessage.schemaV1),
            ])
        do { try await publisher.publish(record) } catch { throw .write(key: message.key, error) }
        state.withLock { $0.messages[message.key] = message }
    }

    // MARK: - Following the topic

    /// Follows the topic until cancelled. Not on graceful shutdown: deliveries still finishing then need lookups; the
    /// sink's dispatcher cancels this once they are done.
    func run() async throws {
        defer { follower.withLock { $0 = .stopped } }
        let (consumer, probe) = try await startFollowing()
        do {
            for try await batch in consumer.recordBatches {
                apply(batch)
            }
        } catch {
            follower.withLock { $0 = .stopped }
            probe.stopReading()
            consumer.stopReading()
            throw error
        }
        follower.withLock { $0 = .stopped }
        probe.stopReading()
        consumer.stopReading()
    }

    private func startFollowing() async throws(StoreError) -> (KafkaConsumerClient, KafkaConsumerClient) {
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: "notifier-chat-messages-\(UUID().uuidString.prefix(8))", topics: [])
        settings.batchSize = 1000
        // A reader commits nothing: without the periodic commit its handle also stops at once.
        settings.client.extraProperties["enable.auto.commit"] = "false"
        let probe: KafkaConsumerClient
        do { probe = try KafkaConsumerClient(settings: settings, assignment: [:], logger: logger) } catch {
            throw .kafka(error)
        }
        do {
            let count = try await probe.partitionCount(topic: topic) ?? 1
            let partitions = (0..<Int32(count)).map { KafkaTopicPartition(topic: topic, partition: $0) }
            let consumer = try KafkaConsumerClient(
                settings: settings,
                assignment: Dictionary(
                    uniqueKeysWithValues: partitions.map { ($0, KafkaConsumerClient.offsetBeginning) }),
                logger: logger)
            state.withLock { state in for partition in partitions { state.positions[partition.partition] = 0 } }
            follower.withLock { $0 = .following(consumer, ends: probe) }
            return (consumer, probe)
        } catch {
            probe.stopReading()
            throw .kafka(error)
        }
    }

    private func apply(_ batch: [KafkaRecord]) {
        state.withLock { state in
            for record in batch {
                state.positions[record.partition] = record.offset + 1
                guard let key = record.keyString else { continue }
                guard let value = record.value, !value.isEmpty else {
                    state.messages.removeValue(forKey: key)  // tombstone
                    continue
                }
                guard let message = try? EventCoding.decode(ChatMessage.self, from: value),
                    message.schema == ChatMessage.schemaV1, message.key == key
                else {
                    state.ignored += 1
                    continue
                }
                state.messages[key] = message
            }
        }
    }

    /// Waits until every partition was read up to the high watermark it has now (bounded by `catchUpTimeout`).
    func catchUp() async throws(StoreError) {
        let deadline = ContinuousClock.now + catchUpTimeout
        var consumer: KafkaConsumerClient?
        while consumer == nil {
            switch follower.withLock({ $0 }) {
            case .following(_, let ends): consumer = ends
            case .stopped: throw .notFollowing
            case .starting:
                guard ContinuousClock.now < deadline, !Task.isCancelled else {
                    throw .notCaughtUp(after: catchUpTimeout)
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let consumer else { throw .notFollowing }
        var ends: [Int32: Int64] = [:]
        for partition in state.withLock({ Array($0.positions.keys) }) {
            do {
                ends[partition] = try await consumer.highWatermark(
                    KafkaTopicPartition(topic: topic, partition: partition))
            } catch {
                throw .kafka(error)
            }
        }
        // The follower moves on its own; this only waits for it to pass the ends seen above.
        while !state.withLock({ state in ends.allSatisfy { (state.positions[$0.key] ?? 0) >= $0.value } }) {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { throw .notCaughtUp(after: catchUpTimeout) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
