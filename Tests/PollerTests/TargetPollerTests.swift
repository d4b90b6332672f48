import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import Poller

/// A publisher that forwards to Kafka but fails writes to one topic, as a crash right before them would.
final class FailingTopicPublisher: EventPublisher {
    let inner: any EventPublisher
    let failing = Mutex<Set<String>>([])

    init(_ inner: any EventPublisher) {
        self.inner = inner
    }

    func send(
        topic: String, key: String?, value: [UInt8]?, headers: [KafkaHeader]
    ) async throws(KafkaClientError) -> KafkaOffset {
        if failing.withLock({ $0.contains(topic) }) { throw .closed }
        return try await inner.send(topic: topic, key: key, value: value, headers: headers)
    }
}

@Suite("Target poller against the simulator and the mock cluster", .timeLimit(.minutes(2)))
struct TargetPollerTests {
    /// Takes the target over and returns a function that runs one poll.
    func start(_ poller: TargetPoller) async throws -> (state: PollerState, channel: IssueEvent.Channel) {
        let state = try #require(await poller.takeOver())
        return (state, try await poller.resolveChannel())
    }

    @Test func twoHundredFiftyIssuesBetweenTwoPollsBecomeExactly250EventsInOrder() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            try await poller.cycle(&state, channel: channel, started: Date())
            #expect(try await harness.events().isEmpty)

            let base = nowSeconds() - 30
            var uuids: [String] = []
            for index in 0..<250 {
                uuids.append(
                    harness.simulator.addIssue(.init(name: "burst \(index)", createAt: base + Int64(index % 20))).uuid)
            }
            try await poller.cycle(&state, channel: channel, started: Date())
            let events = try await harness.events()
            #expect(events.count == 250)
            #expect(Set(events.map(\.event.eventId)).count == 250)
            #expect(Set(events.map(\.event.issue.uuid)) == Set(uuids))
            #expect(events.allSatisfy { $0.event.kind == .created && $0.key == $0.event.issue.uuid })
            let issueListCalls = harness.simulator.calls().filter { $0.endpoint == "issue_list" }.count
            #expect(issueListCalls == 1 + 3)  // first poll (empty) + three pages

            // Headers on every record.
            let first = try #require(events.first)
            #expect(first.headers[EventHeaders.eventID] == first.event.eventId)
            #expect(first.headers[EventHeaders.contentType] == "application/json")
            #expect(first.headers[EventHeaders.schema] == IssueEvent.schemaV1)
            #expect(first.headers[EventHeaders.traceparent]?.hasPrefix("00-") == true)
            // The poller's line for the event carries the trace id of that header.
            let trace = try #require(first.headers[EventHeaders.traceparent].flatMap(Traceparent.init))
            let published = harness.logs.entries.first {
                $0.message == "published" && $0.metadata[LogKey.eventID] == first.event.eventId
            }
            #expect(published?.metadata[LogKey.traceID] == trace.traceID)
            #expect(first.event.issue.url == "https://console.example.com/keyevents/issues/\(first.event.issue.uuid)")
            #expect(first.event.channel?.name == "default")

            // A third poll over the same window publishes nothing more.
            try await poller.cycle(&state, channel: channel, started: Date())
            #expect(try await harness.events().count == 250)
        }
    }

    @Test func issuesAtTheWindowBoundaryAreNotLost() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            var settings = harness.settings()
            settings.overlap = .seconds(10)
            let poller = harness.poller(harness.target(), settings: settings)
            var (state, channel) = try await start(poller)
            let edge = nowSeconds() - 20
            harness.simulator.addIssue(.init(name: "first", createAt: edge))
            try await poller.cycle(&state, channel: channel, started: Date())
            #expect(state.cursor == edge)
            // Created in the same second as the cursor, after the poll; and exactly at cursor - overlap.
            harness.simulator.addIssue(.init(name: "same second", createAt: edge))
            harness.simulator.addIssue(.init(name: "at overlap edge", createAt: edge - 10))
            try await poller.cycle(&state, channel: channel, started: Date())
            let names = try await harness.events().map(\.event.issue.name)
            #expect(names.sorted() == ["at overlap edge", "first", "same second"])
        }
    }

    @Test func anIssueFromTheFutureDoesNotHideLaterIssues() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let now = nowSeconds()
            // A skewed clock stamped this issue's time 200 s ahead (still inside the listing's end time of now + 300).
            harness.simulator.addIssue(.init(name: "from the future", createAt: now + 200))
            try await poller.cycle(&state, channel: channel, started: Date())
            #expect(state.cursor <= nowSeconds() + Int64(poller.settings.maxClockSkew.components.seconds))
            harness.simulator.addIssue(.init(name: "later", createAt: now + 1))
            try await poller.cycle(&state, channel: channel, started: Date())
            try await poller.cycle(&state, channel: channel, started: Date())
            let names = try await harness.events().map(\.event.issue.name)
            #expect(names.sorted() == ["from the future", "later"])
        }
    }

    @Test func aReplyInGuanceBecomesOneReplyEventAndOurOwnRepliesNone() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let issue = harness.simulator.addIssue(.init(name: "db slow", createAt: nowSeconds() - 20))
            try await poller.cycle(&state, channel: channel, started: Date())

            harness.simulator.addReply(
                issueUUID: issue.uuid, content: "<p>restarting <b>db-01</b> &amp; watching</p>",
                creatorName: "alice", createAt: nowSeconds() - 10)
            try await poller.cycle(&state, channel: channel, started: Date())
            try await poller.cycle(&state, channel: channel, started: Date())
            var replies = try await harness.events().filter { $0.event.kind == .reply }
            #expect(replies.count == 1)
            #expect(replies.first?.event.reply?.content == "restarting db-01 & watching")
            #expect(replies.first?.event.reply?.creator?.name == "alice")

            // A reply written by this product (the reply writer's marker) is not echoed.
            harness.simulator.addReply(
                issueUUID: issue.uuid, content: "from chat",
                extend: GuanceReplyMarker(commandID: "cmd-1").extend(), createAt: nowSeconds() - 5)
            try await poller.cycle(&state, channel: channel, started: Date())
            replies = try await harness.events().filter { $0.event.kind == .reply }
            #expect(replies.count == 1)
            #expect(harness.simulator.calls().filter { $0.endpoint == "reply_list" }.count == 2)

            // An issue that got a reply before the poller first saw it: created, then the reply.
            let early = harness.simulator.addIssue(.init(name: "early", createAt: nowSeconds() - 30))
            harness.simulator.addReply(issueUUID: early.uuid, content: "first words", createAt: nowSeconds() - 25)
            try await poller.cycle(&state, channel: channel, started: Date())
            let earlyEvents = try await harness.events().filter { $0.event.issue.uuid == early.uuid }
            #expect(earlyEvents.map(\.event.kind) == [.created, .reply])
        }
    }

    @Test func aSecondReplyInTheSameSecondIsNotMissed() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let issue = harness.simulator.addIssue(.init(name: "busy", createAt: nowSeconds() - 20))
            try await poller.cycle(&state, channel: channel, started: Date())
            // Whole-second timestamps: the second reply does not move updateAt again.
            let second = nowSeconds() + 1
            harness.simulator.addReply(issueUUID: issue.uuid, content: "one", createAt: second)
            try await poller.cycle(&state, channel: channel, started: Date())
            harness.simulator.addReply(issueUUID: issue.uuid, content: "two", createAt: second)
            try await poller.cycle(&state, channel: channel, started: Date())
            let replies = try await harness.events().compactMap(\.event.reply?.content)
            #expect(replies == ["one", "two"])
        }
    }

    @Test func aStatusChangeBecomesOneUpdatedEvent() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let issue = harness.simulator.addIssue(.init(name: "cpu", createAt: nowSeconds() - 20))
            try await poller.cycle(&state, channel: channel, started: Date())
            harness.simulator.setStatus(issueUUID: issue.uuid, statusType: 20, at: nowSeconds() - 5)
            try await poller.cycle(&state, channel: channel, started: Date())
            try await poller.cycle(&state, channel: channel, started: Date())
            let kinds = try await harness.events().map(\.event.kind)
            #expect(kinds == [.created, .updated])
            #expect(try await harness.events().last?.event.issue.statusType == 20)
        }
    }

    @Test func aCrashBetweenPublishingAndSavingStatePublishesNothingTwice() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let publisher = FailingTopicPublisher(harness.producer)
            let first = harness.poller(harness.target(), publisher: publisher)
            var (state, channel) = try await start(first)
            for index in 0..<30 { harness.simulator.addIssue(.init(name: "i\(index)", createAt: nowSeconds() - 10)) }
            publisher.failing.withLock { $0 = [Topics.pollerState] }  // events go out, the state write "crashes"
            await #expect(throws: (any Error).self) {
                try await first.cycle(&state, channel: channel, started: Date())
            }
            #expect(try await harness.events().count == 30)

            // A new instance takes over from the last saved state (before the 30 events) and must not repeat them.
            for index in 0..<5 { harness.simulator.addIssue(.init(name: "late\(index)", createAt: nowSeconds() - 5)) }
            var settings = harness.settings(instance: "test-2")
            settings.handoverGrace = .milliseconds(100)
            let second = harness.poller(harness.target(), settings: settings)
            var (resumed, _) = try await start(second)
            try await second.cycle(&resumed, channel: channel, started: Date())
            let events = try await harness.events()
            #expect(events.count == 35)
            #expect(Set(events.map(\.event.eventId)).count == 35)
            #expect(harness.logs.contains(level: .info, "recovered events published after the last state write"))
        }
    }

    @Test func badAnswersAreLoggedWithContextAndThePollContinues() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            var settings = harness.settings()
            settings.retry = .none
            let poller = harness.poller(harness.target(), settings: settings)
            var (state, channel) = try await start(poller)
            harness.simulator.addIssue(.init(name: "good", createAt: nowSeconds() - 20))
            let broken = harness.simulator.addIssue(
                .init(name: "no uuid time", createAt: nowSeconds() - 20, omittedFields: ["createAt"]))
            let faults: [GuanceSimulator.Fault] = [
                .malformedJSON, .htmlPage(status: 502), .successFalse(errorCode: "ft.Oops", message: "bad"),
            ]
            for fault in faults {
                harness.simulator.injectFault(fault, endpoint: "issue_list")
                await #expect(throws: GuanceAPIError.self) {
                    try await poller.cycle(&state, channel: channel, started: Date())
                }
                #expect(try await harness.events().isEmpty)
            }
            try await poller.cycle(&state, channel: channel, started: Date())
            let events = try await harness.events()
            #expect(events.map(\.event.issue.name) == ["good"])
            #expect(harness.logs.contains(level: .error, broken.uuid))
            #expect(
                harness.logs.entries.contains {
                    $0.level == .error && $0.metadata[LogKey.error]?.contains("createAt") == true
                })
        }
    }

    /// A shutdown (or lost ownership) in the middle of a poll is not a failure: nothing is logged as one, and the
    /// replies not yet listed are not each reported as failed.
    @Test func aPollCancelledMidwayLogsNoFailure() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let issues = (1...3).map {
                harness.simulator.addIssue(.init(name: "issue \($0)", createAt: nowSeconds() - 20))
            }
            try await poller.cycle(&state, channel: channel, started: Date())
            for issue in issues {
                harness.simulator.addReply(issueUUID: issue.uuid, content: "on it", createAt: nowSeconds() - 5)
            }
            harness.simulator.injectFault(.delay(.seconds(3)), endpoint: "reply_list", count: 3)
            let polling = Task { [state, channel] in
                var state = state
                try await poller.cycle(&state, channel: channel, started: Date())
            }
            try await eventually("the poll waits on its first reply list") { harness.simulator.pendingFaults == 2 }
            polling.cancel()
            _ = await polling.result
            #expect(!harness.logs.entries.contains { $0.level >= .warning }, "\(harness.logs.lines)")
        }
    }

    @Test func aHugeDescriptionIsPublishedCutToReadableText() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target())
            var (state, channel) = try await start(poller)
            let huge = "<p>" + String(repeating: "<span>log line &lt;error&gt;</span><br>", count: 40_000) + "</p>"
            harness.simulator.addIssue(.init(name: "huge", description: huge, createAt: nowSeconds() - 20))
            try await poller.cycle(&state, channel: channel, started: Date())
            let event = try #require(try await harness.events().first?.event)
            #expect(event.issue.description.hasSuffix(HTMLText.truncationMark))
            #expect(event.issue.description.count <= HTMLText.defaultLimit + HTMLText.truncationMark.count)
            #expect(event.issue.description.hasPrefix("log line <error>\nlog line <error>"))
            #expect(harness.logs.contains(level: .notice, event.issue.uuid))
        }
    }

    @Test func anInvalidKeyStopsPollingAndFailsReadiness() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let poller = harness.poller(harness.target(apiKey: "revoked-key"))
            let task = Task { await poller.run() }
            try await eventually("readiness fails") { await !harness.health.evaluate().isEmpty }
            let failing = await harness.health.evaluate()
            #expect(failing["guance.default"]?.contains("ft.InvalidAPIKey") == true)
            let calls = harness.simulator.calls(apiKey: "revoked-key").count
            try await Task.sleep(for: .seconds(1))  // several poll intervals: no further calls may happen
            #expect(harness.simulator.calls(apiKey: "revoked-key").count == calls)
            #expect(calls == 1)
            #expect(harness.logs.contains(level: .error, "API key"))
            task.cancel()
            await task.value
        }
    }
}
