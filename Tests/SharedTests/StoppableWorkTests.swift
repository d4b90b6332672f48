import ServiceKit
import Synchronization
import Testing

@Suite("StoppableWork: one child of a task group stopped on its own", .timeLimit(.minutes(1)))
struct StoppableWorkTests {
    final class Flags: Sendable {
        let firstCancelled = Atomic<Bool>(false)
        let secondFinished = Atomic<Bool>(false)
    }

    @Test func stopCancelsOnlyThatWorkAndReturnsOnceItEnded() async {
        let first = StoppableWork()
        let second = StoppableWork()
        let flags = Flags()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        await withDiscardingTaskGroup { group in
            group.addTask {
                await first.run {
                    try? await Task.sleep(for: .seconds(3600))
                    flags.firstCancelled.store(Task.isCancelled, ordering: .relaxed)
                }
            }
            group.addTask {
                await second.run {
                    for await _ in release { break }
                    flags.secondFinished.store(!Task.isCancelled, ordering: .relaxed)
                }
            }
            await first.stop()
            // `stop()` returned: the work has ended, and it ended by cancellation.
            #expect(first.hasEnded)
            let cancelled = flags.firstCancelled.load(ordering: .relaxed)
            #expect(cancelled)
            #expect(!second.hasEnded)
            releaseContinuation.yield()  // the other work ends by itself, uncancelled
        }
        #expect(second.hasEnded)
        let finished = flags.secondFinished.load(ordering: .relaxed)
        #expect(finished)
    }

    @Test func workThatReturnsByItselfEndsAndAStopBeforeOrAfterDoesNotHang() async {
        let work = StoppableWork()
        work.cancel()  // before run: the work starts cancelled and ends at once
        await withDiscardingTaskGroup { group in
            group.addTask { await work.run { try? await Task.sleep(for: .seconds(3600)) } }
        }
        #expect(work.hasEnded)
        await work.stop()

        let quick = StoppableWork()
        await quick.run {}
        #expect(quick.hasEnded)
        await quick.stop()
    }

    @Test func cancellingTheOwningGroupEndsTheWork() async {
        let work = StoppableWork()
        let task = Task {  // test scaffolding: the owner cancelled from outside
            await withDiscardingTaskGroup { group in
                group.addTask { await work.run { try? await Task.sleep(for: .seconds(3600)) } }
            }
        }
        task.cancel()
        await task.value
        #expect(work.hasEnded)
    }
}
