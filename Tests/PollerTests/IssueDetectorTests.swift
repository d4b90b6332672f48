import Events
import GuanceAPI
import Testing

@testable import Poller

@Suite("Issue detection rules")
struct IssueDetectorTests {
    let detector = IssueDetector(factory: IssueEventFactory(workspaceUUID: "wksp_1", channel: nil, consoleURL: nil))

    func issue(_ uuid: String, createAt: Int64 = 1000, updateAt: Int64? = nil, status: Int = 10, level: String = "2")
        -> GuanceIssue
    {
        GuanceIssue(uuid: uuid, name: uuid, level: level, statusType: status, createAt: createAt, updateAt: updateAt)
    }

    func state(known: [GuanceIssue] = [], published: [String] = [], since: Int64 = 0) -> PollerState {
        var state = PollerState(target: "t", cursor: 1000, since: since)
        for issue in known {
            state.known[issue.uuid] = .init(
                createAt: issue.createAt, updateAt: issue.updateAt, statusType: issue.statusType, level: issue.level,
                replyCursor: issue.createAt)
        }
        state.remember(published)
        return state
    }

    @Test func newIssuesAreCreatedOnceOldestFirstEvenWhenPagesOverlap() {
        let detection = detector.detect(
            [issue("b", createAt: 1002), issue("a", createAt: 1001), issue("b", createAt: 1002)], state: state())
        #expect(detection.eventsByIssue.map(\.issueUUID) == ["a", "b"])
        #expect(detection.eventsByIssue.flatMap(\.events).map(\.eventId) == ["a:created", "b:created"])
        #expect(detection.newestCreateAt == 1002)
    }

    @Test func anAlreadyPublishedIdIsNeverRepeated() {
        let detection = detector.detect([issue("a")], state: state(published: ["a:created"]))
        #expect(detection.eventsByIssue.isEmpty)
        #expect(detection.snapshots["a"] != nil)
    }

    @Test func issuesOlderThanTheFirstPollAreRememberedNotAnnounced() {
        let detection = detector.detect([issue("old", createAt: 10)], state: state(since: 500))
        #expect(detection.eventsByIssue.isEmpty)
        #expect(detection.snapshots["old"] != nil)
    }

    @Test func statusOrLevelChangesAreUpdatesAndMovedIssuesGetReplyChecks() {
        let known = [issue("a"), issue("b"), issue("c")]
        let detection = detector.detect(
            [
                issue("a", updateAt: 1010, status: 20), issue("b", updateAt: 1010, level: "3"),
                issue("c", updateAt: 1010),
            ],
            state: state(known: known))
        #expect(
            detection.eventsByIssue.flatMap(\.events).map(\.eventId) == [
                "a:updated:1010:20:2", "b:updated:1010:10:3",
            ])
        #expect(detection.replyChecks.map(\.uuid) == ["a", "b", "c"])
    }

    @Test func aNewIssueUpdatedSinceCreationGetsOneReplyCheck() {
        let detection = detector.detect([issue("a", updateAt: 1005), issue("b")], state: state())
        #expect(detection.replyChecks.map(\.uuid) == ["a"])
        #expect(detection.snapshots["a"]?.replyCursor == 1000)
    }

    @Test func repliesReadDuringTheUpdateSecondAreReadOnceMore() {
        var remembered = state(known: [issue("a", updateAt: 1010)])
        remembered.known["a"]?.recheckReplies = true
        #expect(detector.detect([issue("a", updateAt: 1010)], state: remembered).replyChecks.map(\.uuid) == ["a"])
    }

    @Test func anUnchangedKnownIssueYieldsNothing() {
        let detection = detector.detect([issue("a")], state: state(known: [issue("a")]))
        #expect(detection.eventsByIssue.isEmpty)
        #expect(detection.replyChecks.isEmpty)
    }

    @Test func replyEventsSkipChangeRecordsOurOwnRepliesOldOnesAndPublishedOnes() {
        let replies = [
            GuanceReply(uuid: "r1", issueUUID: "a", type: "change", content: "created", createAt: 1001),
            GuanceReply(uuid: "r2", issueUUID: "a", content: "human", createAt: 1003),
            GuanceReply(
                uuid: "r3", issueUUID: "a", content: "ours", extend: GuanceReplyMarker(commandID: "c").extend(),
                createAt: 1004),
            GuanceReply(uuid: "r4", issueUUID: "a", content: "too old", createAt: 999),
            GuanceReply(uuid: "r5", issueUUID: "a", content: "published", createAt: 1005),
            GuanceReply(uuid: "r6", issueUUID: "a", content: "first", createAt: 1002),
        ]
        let events = detector.replyEvents(
            for: issue("a"), replies: replies, replyCursor: 1000, published: ["a:reply:r5"])
        #expect(events.map(\.eventId) == ["a:reply:r6", "a:reply:r2"])
        #expect(events.allSatisfy { $0.kind == .reply })
    }

    @Test func stateStaysBounded() {
        var state = PollerState(target: "t", cursor: 0, since: 0)
        state.remember((0..<(PollerState.maxRecentEventIDs + 10)).map { "id\($0)" })
        #expect(state.recentEventIDs.count == PollerState.maxRecentEventIDs)
        #expect(state.recentEventIDs.last == "id\(PollerState.maxRecentEventIDs + 9)")
        for index in 0..<(PollerState.maxKnownIssues + 5) {
            state.known["i\(index)"] = .init(
                createAt: Int64(index), updateAt: Int64(index), statusType: 10, level: "1", replyCursor: 0)
        }
        state.pruneKnown()
        #expect(state.known.count == PollerState.maxKnownIssues)
        #expect(state.known["i0"] == nil)
    }
}
