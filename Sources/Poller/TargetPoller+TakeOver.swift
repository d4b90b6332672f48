import Crypto
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import Signing
import Timing

/// Taking a target over: the state its last owner saved, and what it published after saving it.
extension TargetPoller {
    /// Loads the state (waiting briefly for a live previous owner to let go), recovers event ids published after
    /// the last state write, and writes the state as ours. Retries until it succeeds or the task is cancelled.
    func takeOver() async -> PollerState? {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                var state = try await loadReleasedState()
                if state == nil {
                    let now = Int64(Date().timeIntervalSince1970)
                    let lookback = settings.lookback.components.seconds
                    var fresh = PollerState(target: target.name, cursor: now - lookback, since: now - lookback)
                    fresh.eventOffsets = try await currentEventOffsets()
                    state = fresh
                    logger.info("no saved state: starting fresh", metadata: ["since": "\(fresh.since)"])
                } else {
                    try await recover(&state!)
                }
                state!.owner = settings.instanceID
                state!.released = false
                try await store.save(state!)
                return state
            } catch {
                if Task.isCancelled { return nil }
                let delay = Self.takeoverBackoff.delay(afterFailures: attempt + 1)
                logger.warning(
                    "taking the target over failed; retrying",
                    metadata: [
                        LogKey.error: "\(error)", "retry_in": "\(delay)",
                    ])
                try? await Task.sleep(for: delay)
            }
        }
        return nil
    }

    private func loadReleasedState() async throws -> PollerState? {
        let deadline = ContinuousClock.now + settings.handoverGrace
        while true {
            let state = try await store.load(target: target.name)
            guard let state, let owner = state.owner, owner != settings.instanceID, !state.released else {
                return state
            }
            if ContinuousClock.now >= deadline {
                logger.info(
                    "previous owner did not release the target in time; taking it over",
                    metadata: [
                        "previous_owner": "\(owner)"
                    ])
                return state
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Adds the ids of events published after the state was written (a crash between publishing and saving).
    private func recover(_ state: inout PollerState) async throws {
        let starts = Dictionary(
            uniqueKeysWithValues: state.eventOffsets.compactMap { key, offset in
                Int32(key).map { (KafkaTopicPartition(topic: settings.eventsTopic, partition: $0), offset) }
            })
        var found: [String] = []
        let known = Set(state.recentEventIDs)
        var ends = state.eventOffsets
        try await tail.read(Array(starts.keys), from: starts) { record in
            ends[String(record.partition)] = max(ends[String(record.partition)] ?? 0, record.offset + 1)
            if let id = record.header(EventHeaders.eventID), !known.contains(id) { found.append(id) }
        }
        if !found.isEmpty {
            logger.info("recovered events published after the last state write", metadata: ["count": "\(found.count)"])
            state.remember(found)
        }
        state.eventOffsets = ends
    }

    private func currentEventOffsets() async throws -> [String: Int64] {
        try await tail.endOffsets(topic: settings.eventsTopic).reduce(into: [:]) { $0[String($1.key)] = $1.value }
    }
}
