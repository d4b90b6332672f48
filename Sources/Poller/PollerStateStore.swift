import Foundation
import Logging
import Shared

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

    /// The newest state of `target` (reads the topic to its end), or nil when there is none.
    func load(target: String) async throws(StoreError) -> PollerState? {
        var latest: PollerState?
        var undecodable = 0
        do {
            try await reader.read([KafkaTopicPartition(topic: topic, partition: 0)]) { record in
                guard record.keyString == target else { return }
                guard let value = record.value else {
                    latest = nil  // tombstone: the target was reset
                    return
                }
                if let state = try? EventCoding.decode(PollerState.self, from: value),
                    state.schema == PollerState.schemaV1
                {
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
