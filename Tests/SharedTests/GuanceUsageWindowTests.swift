import Foundation
import GuanceAPI
import Testing

/// The usage log's rule, replayed without Kafka: what every process computes from the same records.
@Suite("The usage log's rule")
struct GuanceUsageWindowTests {
    static let windowMs: Int64 = 62_000

    static func claim(_ process: String, _ priority: GuanceCallPriority, limit: Int = 20, reserve: Int = 4)
        -> GuanceUsageRecord
    {
        GuanceUsageRecord(
            kind: .claim, key: "k", process: process, priority: priority, limit: limit, reserve: reserve,
            windowMs: windowMs)
    }

    @Test func neverMoreThanTheLimitInAnyWindowWhateverTheClaimers() {
        var window = GuanceUsageWindow()
        var granted: [Int64] = []
        var offset: Int64 = 0
        var time: Int64 = 1_000_000
        for step in 0..<600 {
            time += Int64((step * 7919) % 700)
            // One to three processes look at the same replay at once and claim when they see room: they race.
            let claimers = 1 + step % 3
            let priorities: [GuanceCallPriority] = (0..<claimers).map { ($0 + step) % 3 == 0 ? .interactive : .polling }
            let seeing = priorities.filter {
                window.room(priority: $0, limit: 20, reserve: 4, windowMs: Self.windowMs, at: time) == .now
            }
            for (index, priority) in seeing.enumerated() {
                let at = time + Int64(index)
                if window.apply(Self.claim("p\(index)", priority), offset: offset, time: at) == .granted {
                    granted.append(at)
                }
                offset += 1
            }
        }
        for (index, start) in granted.enumerated() {
            let inWindow = granted[index...].prefix { $0 - start < Self.windowMs }.count
            #expect(inWindow <= 20, "\(inWindow) granted claims within one window from \(start)")
        }
        // ~210 s of eager claimers: about 3.4 windows of 20, a few lost to races.
        #expect(granted.count >= 55, "the budget is used, not wasted: \(granted.count)")
    }

    @Test func pollingLeavesTheReserveToInteractiveCalls() {
        var window = GuanceUsageWindow()
        var offset: Int64 = 0
        // Claimers claim only when their replay shows room, as the budget does.
        func tryClaim(_ priority: GuanceCallPriority, at time: Int64) -> Bool {
            guard window.room(priority: priority, limit: 20, reserve: 4, windowMs: Self.windowMs, at: time) == .now
            else { return false }
            defer { offset += 1 }
            return window.apply(Self.claim("p", priority), offset: offset, time: time) == .granted
        }
        #expect((0..<30).filter { tryClaim(.polling, at: 1000 + Int64($0)) }.count == 16)
        #expect((0..<10).filter { tryClaim(.interactive, at: 2000 + Int64($0)) }.count == 4)
        #expect(!tryClaim(.interactive, at: 3000))
        #expect(tryClaim(.interactive, at: 1000 + Self.windowMs + 1), "the first claim left the window")
        #expect(!tryClaim(.polling, at: 1000 + Self.windowMs + 2), "polling still leaves the reserve")
    }

    @Test func aWaitingReplyStopsPollingUntilItIsServedOrTheDemandExpires() {
        var window = GuanceUsageWindow()
        window.apply(
            GuanceUsageRecord(kind: .demand, key: "k", process: "writer@b", windowMs: Self.windowMs),
            offset: 0, time: 1000)
        #expect(window.apply(Self.claim("poller@a", .polling), offset: 1, time: 1100) == .denied)
        #expect(window.apply(Self.claim("writer@b", .interactive), offset: 2, time: 1200) == .granted)
        #expect(
            window.room(priority: .polling, limit: 20, reserve: 4, windowMs: Self.windowMs, at: 1300)
                == .after(1000 + Self.windowMs + 1))
        window.apply(GuanceUsageRecord(kind: .clear, key: "k", process: "writer@b"), offset: 3, time: 1300)
        #expect(window.apply(Self.claim("poller@a", .polling), offset: 4, time: 1400) == .granted)

        window.apply(
            GuanceUsageRecord(kind: .demand, key: "k", process: "crashed@c", windowMs: Self.windowMs),
            offset: 5, time: 2000)
        #expect(window.apply(Self.claim("poller@a", .polling), offset: 6, time: 2000 + Self.windowMs - 1) == .denied)
        #expect(
            window.apply(Self.claim("poller@a", .polling), offset: 7, time: 2001 + Self.windowMs) == .granted,
            "a demand nobody clears expires after one window")
    }

    @Test func readersStartingAnywhereAWindowBackAgreeOnEveryLaterDecision() {
        var records: [(GuanceUsageRecord, Int64)] = []
        var time: Int64 = 0
        for index in 0..<300 {
            time += Int64((index * 104_729) % 1500)
            records.append((Self.claim("p\(index % 3)", index % 5 == 0 ? .interactive : .polling), time))
        }
        func decisions(from start: Int) -> [Int: GuanceUsageWindow.Decision] {
            var window = GuanceUsageWindow()
            var result: [Int: GuanceUsageWindow.Decision] = [:]
            for index in start..<records.count {
                result[index] = window.apply(records[index].0, offset: Int64(index), time: records[index].1)
            }
            return result
        }
        let full = decisions(from: 0)
        let late = decisions(from: 120)
        let agreeFrom = records.firstIndex { $0.1 >= records[120].1 + Self.windowMs }!
        for index in agreeFrom..<records.count {
            #expect(full[index] == late[index], "claim \(index)")
        }
    }

    @Test func aLogWithoutItsStartGrantsNothingForAWindow() {
        var window = GuanceUsageWindow()
        window.blindUntil = 5000 + Self.windowMs
        #expect(window.apply(Self.claim("p", .interactive), offset: 40, time: 5000) == .denied)
        #expect(window.apply(Self.claim("p", .interactive), offset: 41, time: 5000 + Self.windowMs) == .granted)
    }

    @Test func foreignOrHostileValuesCountNothing() {
        #expect(GuanceUsageRecord.decode(Array("not json".utf8)) == nil)
        #expect(GuanceUsageRecord.decode(Array(#"{"kind":"claim"}"#.utf8)) == nil)
        #expect(GuanceUsageRecord.decode([UInt8](repeating: 0x7b, count: 10_000)) == nil)
        let record = Self.claim("poller@host", .polling)
        #expect(GuanceUsageRecord.decode(record.encoded()) == record)
        let hash = GuanceUsageRecord.keyHash(of: "secret-api-key")
        #expect(hash.count == 16 && !hash.contains("secret"))
    }
}
