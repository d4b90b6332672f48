import Events
import Foundation
import KafkaClient
import Logging

/// Reads and writes `PollerState` records in the compacted topic `guance.poller-state` (key = target name).
struct PollerStateStore: Sendable {
    var publisher: any EventPublisher
    var reader: KafkaTailReader
    var topic = Topics.pollerState

    enum StoreError: Error, CustomStringConvertible {
        case read(KafkaTailReader.ReadError)
        case write(target: String, KafkaClientError)

        var description: String {
            switch self {
            case let .read(error): "reading \(Topics.pollerState) failed: \(error)"
            case let .write(target, error): "writing the state of target \(target) failed: \(error)"
            }
        }
    }

    /// The newest state of `target`, or nil when there is none. Reads every partition of the topic to its end:
    /// records are keyed by target, so on a topic with several partitions (a broker's default) a target's state
    /// lives on whichever partition its key hashes to, and that can change when partitions are added.
    func load(target: String) async throws(StoreError) -> PollerState? {
        var latest: PollerState?
        var undecodable = 0
        do {
            let count = try await reader.partitionCounts(topics: [topic])[topic] ?? 1
            let partitions = (0..<Int32(count)).map { KafkaTopicPartition(topic: topic, partition: $0) }
            // Records arrive in offset order per partition but interleaved across partitions. A key moves to
            // another partition only when partitions are added; then the later producer timestamp wins.
            var newest: Int64 = .min
            try await reader.read(partitions) { record in
                guard record.keyString == target else { return }
                let timestamp = record.timestampMilliseconds ?? .min
                guard timestamp >= newest else { return }
                guard let value = record.value else {
                    newest = timestamp
                    latest = nil  // tombstone: the target was reset
                    return
                }
                if let state = try? EventCoding.decode(PollerState.self, from: value),
                    state.schema == PollerState.schemaV1
                {
                    newest = timestamp
                    latest = state
                } else {
                    undecodable += 1
                }
            }
        } catch {
            throw .read(error)
        }
        if undecodable > 0 {
            reader.logger.warning(
                "ignored undecodable state records", metadata: [LogKey.target: "\(target)", "count": "\(undecodable)"])
        }
        return latest
    }

    /// Writes the state and waits for the broker's acknowledgement.
    func save(_ state: PollerState) async throws(StoreError) {
        var state = state
        state.writtenAt = EventCoding.rfc3339(Date())
        let value: [UInt8]
        do { value = try EventCoding.encode(state) } catch {
            preconditionFailure("PollerState always encodes: \(error)")
        }
        do {
            _ = try await publisher.send(
                topic: topic, key: state.target, value: value,
                headers: [
                    KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                    KafkaHeader(key: EventHeaders.schema, string: PollerState.schemaV1),
                ])
        } catch {
            throw .write(target: state.target, error)
        }
    }
}
