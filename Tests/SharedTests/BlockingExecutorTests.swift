import DevStack
import Dispatch
import Synchronization
import Testing

@testable import KafkaClient

/// librdkafka calls that outlive their own timeout must not hold the caller: a delivery, or a shutdown, waiting for
/// a broker that went away.
@Suite("Blocking calls that give up", .timeLimit(.minutes(1)))
struct BlockingExecutorTests {
    @Test func aCallThatAnswersInTimeGivesItsAnswer() async {
        let executor = BlockingExecutor(label: "test.answer")
        #expect(await executor.run(givingUpAt: .now + .seconds(30)) { 42 } == 42)
    }

    @Test func aCallHeldPastTheDeadlineIsGivenUpAndTheQueueServesOthersOnceItReturns() async {
        let executor = BlockingExecutor(label: "test.deadline")
        let held = DispatchSemaphore(value: 0)
        let finished = Mutex(false)
        let answer = await executor.run(givingUpAt: .now + .milliseconds(200)) {
            held.wait()
            finished.withLock { $0 = true }
            return 1
        }
        #expect(answer == nil)
        #expect(!finished.withLock { $0 })
        held.signal()
        // The given-up call finishes on the queue, unobserved; the next call runs after it.
        #expect(await executor.run(givingUpAt: .now + .seconds(30)) { 2 } == 2)
        #expect(finished.withLock { $0 })
    }

    @Test func aCancelledCallerIsGivenUpAtOnce() async {
        let executor = BlockingExecutor(label: "test.cancel")
        let held = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let answer = await withTaskGroup(of: Int?.self) { group in
            group.addTask {
                await executor.run(givingUpAt: .now + .seconds(600)) {
                    started.signal()
                    held.wait()
                    return 1
                }
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    started.wait()
                    continuation.resume()
                }
            }
            group.cancelAll()
            return await group.next() ?? 0
        }
        #expect(answer == nil)
        held.signal()
    }

    @Test func aCallerCancelledBeforeItStartsNeverWaits() async {
        let executor = BlockingExecutor(label: "test.precancelled")
        let answer = await withTaskGroup(of: Int?.self) { group in
            group.cancelAll()
            group.addTask { await executor.run(givingUpAt: .now + .seconds(600)) { 1 } }
            return await group.next() ?? 0
        }
        // Cancelled before it started: given up, unless the queue answered first (both are correct, neither waits).
        #expect(answer == nil || answer == 1)
    }
}

/// The watermark query against a cluster whose brokers went away: librdkafka 2.0.2 would wait for the answer
/// however long its request timeouts and retries take; the caller gets a timeout shortly after its own.
@Suite("Watermarks with the brokers gone", .timeLimit(.minutes(1)))
struct WatermarksWithBrokersGoneTests {
    @Test func aWatermarkQueryGivesUpSoonAfterItsTimeout() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("gone", partitions: 1)
        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-gone", topics: []), assignment: [:], logger: testLogger)
        defer { consumer.stopReading() }
        let partition = KafkaTopicPartition(topic: "gone", partition: 0)
        _ = try await consumer.watermarks(partition, timeout: .seconds(10))  // connected, leader known
        try cluster.setBrokerDown(1)
        let started = ContinuousClock.now
        await #expect(throws: KafkaClientError.self) {
            _ = try await consumer.watermarks(partition, timeout: .seconds(1))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
