import Events
import KafkaClient
import Logging

/// Notices targets no live instance polls. Every owner writes its target's state at least every lease interval
/// (`PollerSettings.leaseInterval`), so every instance, reading the state topic as it grows, knows when each target
/// was last written by anyone. A target silent for `timeout` is unowned: its partition of the coordination topic has
/// no member that polls it (topic missing or re-partitioned, instances configured with different targets, a stuck
/// owner). Every instance sees the same, so readiness goes false everywhere and the targets are logged by name.
struct TargetOwnershipWatch: Sendable {
    var targets: [String]
    var tail: KafkaPartitionReader
    var topic = Topics.pollerState
    var timeout: Duration
    /// How often the topic is read.
    var checkInterval: Duration = .seconds(5)

    /// Runs until cancelled; calls `report` with the sorted unowned targets after every read.
    func run(report: @Sendable ([String]) -> Void) async {
        let started = ContinuousClock.now
        // Seen at start: a target gets `timeout` from now to be written (the state topic's history is not read).
        var lastWrite = Dictionary(uniqueKeysWithValues: targets.map { ($0, started) })
        var next: [KafkaTopicPartition: Int64]?
        while !Task.isCancelled {
            do {
                let ends = Dictionary(
                    uniqueKeysWithValues: try await tail.endOffsets(topic: topic).map {
                        (KafkaTopicPartition(topic: topic, partition: $0.key), $0.value)
                    })
                if let from = next {
                    // Only partitions that grew (a partition added since is read from its beginning).
                    let grown = ends.filter { $0.value > (from[$0.key] ?? 0) }.map(\.key)
                    let now = ContinuousClock.now
                    try await tail.read(grown, from: from) { record in
                        if let key = record.keyString, lastWrite[key] != nil { lastWrite[key] = now }
                    }
                }
                next = ends
            } catch {
                if Task.isCancelled { return }
                tail.logger.warning(
                    "could not read the state topic to check target ownership",
                    metadata: [
                        LogKey.topic: "\(topic)", LogKey.error: "\(error)",
                    ])
            }
            let now = ContinuousClock.now
            report(lastWrite.filter { now - $0.value > timeout }.keys.sorted())
            try? await Task.sleep(for: checkInterval)
        }
    }
}
