import Synchronization
import Testing

@testable import ReplyGateway

/// A flood of bad callbacks writes a bounded number of log lines, and the next line says how many were left out.
@Suite("Rejection log throttle")
struct RejectionLogThrottleTests {
    @Test func atMostTenLinesASecondAndTheNextSecondSaysHowManyWereLeftOut() {
        let second = Mutex<Int64>(100)
        let throttle = RejectionLogThrottle(perSecond: 10, currentSecond: { second.withLock { $0 } })
        let first = (0..<1000).map { _ in throttle.admit() }
        #expect(first.filter(\.log).count == 10)
        #expect(first.allSatisfy { $0.notLoggedBefore == 0 })
        second.withLock { $0 = 101 }
        let next = throttle.admit()
        #expect(next.log)
        #expect(next.notLoggedBefore == 990)
        #expect(throttle.admit().notLoggedBefore == 0)
    }
}
