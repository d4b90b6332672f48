import Foundation
import KafkaClient
import Logging
import ServiceKit
import Synchronization

/// Handles one partition: records are handed to the sinks in order, up to `maxInFlight` at once, and their
/// offsets are stored strictly in order, each only after every routed sink succeeded or the record was parked in
/// the DLQ. The consumer is paused while this partition's buffer is full and resumed when it drains; a rebalance
/// that revokes the partition resumes it in the consumer layer, so the next worker for it never starts paused.
final class PartitionWorker: Sendable {
    let partition: KafkaTopicPartition
    private let consumer: KafkaConsumerClient
    private let handler: RecordHandler
    private let maxInFlight: Int
    private let metrics = NotifierMetrics.shared

    private let input: AsyncStream<KafkaRecord>
    private let inputContinuation: AsyncStream<KafkaRecord>.Continuation
    /// Cancelled on its own when the partition is revoked, while the worker is a child task of the service.
    private let work = StoppableWork()
    private struct Flow {
        var buffered = 0
        var paused = false
        var stopping = false
        var revoked = false
        var inFlight = 0
        var windowWaiter: CheckedContinuation<Void, Never>?
    }
    private let flow = Mutex(Flow())

    /// Pause fetching above this many buffered records, resume below half of it.
    static let highWatermark = 1000

    init(partition: KafkaTopicPartition, consumer: KafkaConsumerClient, handler: RecordHandler, maxInFlight: Int) {
        self.partition = partition
        self.consumer = consumer
        self.handler = handler
        self.maxInFlight = maxInFlight
        (input, inputContinuation) = AsyncStream.makeStream()
    }

    /// Adds a record (from the consumer loop, in partition order).
    func push(_ record: KafkaRecord) {
        let pause = flow.withLock { flow -> Bool in
            flow.buffered += 1
            guard flow.buffered >= Self.highWatermark, !flow.paused else { return false }
            flow.paused = true
            return true
        }
        if pause { consumer.pause([partition]) }
        inputContinuation.yield(record)
    }

    /// Graceful stop: take no new records, finish the ones already handed to sinks.
    func stop() {
        flow.withLock { $0.stopping = true }
        inputContinuation.finish()
        releaseWindow()
    }

    /// Revoked: queued work is dropped and nothing more is marked; `run()` returns soon after.
    func revoke() {
        flow.withLock { $0.revoked = true }
        work.cancel()
    }

    /// Runs until `stop()` (after the in-flight records finished), `revoke()` or cancellation (queued work is
    /// dropped, nothing more is marked).
    func run() async {
        await work.run { await self.handleRecords() }
    }

    private func handleRecords() async {
        let (pending, pendingContinuation) = AsyncStream<RecordHandler.InFlight>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.commitInOrder(pending) }
            for await record in input {
                if flow.withLock({ $0.stopping }) || Task.isCancelled { break }
                let resume = flow.withLock { flow -> Bool in
                    flow.buffered -= 1
                    guard flow.paused, flow.buffered <= Self.highWatermark / 2 else { return false }
                    flow.paused = false
                    return true
                }
                if resume { consumer.resume([partition]) }
                await waitForWindow()
                // A stop while this record waited for the window: it was not handed to any sink, so it stays for the
                // next owner (it comes after every record that was, so the stored offset stays below it).
                if flow.withLock({ $0.stopping }) || Task.isCancelled { break }
                let started = await handler.start(record)
                pendingContinuation.yield(started)
            }
            pendingContinuation.finish()
            await group.waitForAll()
        }
        let wasPaused = flow.withLock { flow -> Bool in
            defer { flow.paused = false }
            return flow.paused
        }
        if wasPaused && !Task.isCancelled { consumer.resume([partition]) }
    }

    /// Awaits each record's sinks in offset order and stores its offset.
    private func commitInOrder(_ pending: AsyncStream<RecordHandler.InFlight>) async {
        var iterator = pending.makeAsyncIterator()
        while let item = await iterator.next() {
            // A record its sinks took (or the DLQ parked) is stored even when the stop's grace ran out meanwhile:
            // the consumer still commits on its way out. Not after a revoke: the partition is someone else's.
            let handled = await handler.finish(item)
            if !handled || flow.withLock({ $0.revoked }) {
                await cancel(item)
                flow.withLock { $0.stopping = true }
                releaseWindow()
                while let rest = await iterator.next() { await cancel(rest) }
                return
            }
            consumer.markHandled(item.record)
            if let timestamp = item.record.timestampMilliseconds {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                // The record's timestamp is whatever its producer set: no Int64 arithmetic on it.
                metrics.lag(seconds: max(0, Double(now) - Double(timestamp)) / 1000)
            }
            releaseWindow(finished: 1)
        }
    }

    private func cancel(_ item: RecordHandler.InFlight) async {
        for (sink, ticket) in item.deliveries {
            ticket.fulfil(.cancelled)
            await handler.dispatchers[sink]?.cancel(ticket.id)
        }
    }

    private func waitForWindow() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = flow.withLock { flow -> Bool in
                if flow.inFlight < maxInFlight || flow.stopping {
                    flow.inFlight += 1
                    return true
                }
                flow.windowWaiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func releaseWindow(finished: Int = 0) {
        let waiter = flow.withLock { flow -> CheckedContinuation<Void, Never>? in
            flow.inFlight -= finished
            guard let waiter = flow.windowWaiter, flow.inFlight < maxInFlight || flow.stopping else { return nil }
            flow.windowWaiter = nil
            flow.inFlight += 1
            return waiter
        }
        waiter?.resume()
    }
}
