import Foundation
import GuanceAPI
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// An in-memory Guance OpenAPI (issue endpoints) on 127.0.0.1, faithful to
/// docs/protocols/guance-openapi.md: `DF-API-KEY` auth (403 `ft.InvalidAPIKey`), the common envelope,
/// pagination, the per-key 20/min and per-workspace 200/min limits answered with HTTP 401 and the documented codes,
/// the issue list's `{data, pageInfo}` content (or the bare-list variant), reply list (array content, top-level
/// `pageInfo`, `ordering=-createAt`), reply create (`type:"reply"`, `id:null`, `extend` echoed), issue get, and
/// modify (`statusType` 10/20/30 only). Faults can be injected; a small admin API (Swift methods and `/__admin/…`
/// routes) creates issues and replies and counts calls.
///
/// For `make run` (via `dev-stack`) and for tests, in-process: `try await sim.start()`, then `sim.url`, `sim.apiKey`.
public final class GuanceSimulator: Sendable {
    /// The first API key (created with the simulator).
    public let apiKey: String
    /// The workspace of `apiKey`.
    public let workspaceUUID: String
    /// The workspace's `default` channel.
    public let defaultChannelUUID: String
    let state: Mutex<State>
    /// Where changes are pushed (`pushChanges(to:)`), if anywhere.
    let pusher = Mutex<GuanceWebhookPusher?>(nil)
    private let runner = Mutex<(task: Task<Void, any Error>, group: ServiceGroup, port: Int)?>(nil)
    private let logger: Logger

    public init(apiKey: String = "sim-key-" + GuanceSimulator.randomHex(12), options: Options = Options()) {
        var logger = Logger(label: "guance-simulator")
        logger.logLevel = .warning
        self.logger = logger
        self.apiKey = apiKey
        var state = State(options: options)
        let workspace = Self.makeWorkspace(&state, apiKey: apiKey)
        self.workspaceUUID = workspace.uuid
        self.defaultChannelUUID = workspace.channels[0].uuid
        self.state = Mutex(state)
    }

    // MARK: - Lifecycle

    /// Starts the HTTP server on 127.0.0.1 (port 0 = any free port) and returns when it listens.
    public func start(port: Int = 0) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "guance-simulator"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var bound: Int?
        for await value in stream {
            bound = value
            break
        }
        guard let bound else { throw SimulatorError.notStarted }
        runner.withLock { $0 = (task, group, bound) }
    }

    /// Stops the server.
    public func stop() async {
        guard
            let running = runner.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return }
        await running.group.triggerGracefulShutdown()
        _ = await running.task.result
    }

    public enum SimulatorError: Error { case notStarted }

    /// The base URL (`http://127.0.0.1:PORT`); valid after `start`.
    public var url: String {
        "http://127.0.0.1:\(runner.withLock { $0?.port ?? 0 })"
    }

    public var port: Int { runner.withLock { $0?.port ?? 0 } }

    // MARK: - Admin (Swift)

    /// Adds an API key with its own workspace (and `default` channel); returns (workspace, channel).
    @discardableResult
    public func addWorkspace(apiKey: String) -> (workspaceUUID: String, channelUUID: String) {
        state.withLock { state in
            let workspace = Self.makeWorkspace(&state, apiKey: apiKey)
            return (workspace.uuid, workspace.channels[0].uuid)
        }
    }

    /// Creates an issue in the workspace of `apiKey` (default: the first key). Also writes the system change record
    /// Guance adds at creation.
    @discardableResult
    public func addIssue(_ draft: IssueDraft, apiKey: String? = nil) -> GuanceIssue {
        let issue = state.withLock { state in
            let key = apiKey ?? self.apiKey
            let workspaceUUID = state.keys[key] ?? self.workspaceUUID
            let now = Self.nowSeconds()
            state.seq += 1
            let created = draft.createAt ?? now
            let issue = StoredIssue(
                seq: state.seq, uuid: "issue_" + Self.randomHex(32), workspaceUUID: workspaceUUID, draft: draft,
                statusType: draft.statusType, createAt: created, updateAt: created)
            state.issues[issue.uuid] = issue
            state.issueOrder.append(issue.uuid)
            Self.appendReply(
                &state, issueUUID: issue.uuid, type: "change", content: "成员创建了Issue。", extend: .emptyObject,
                creatorName: draft.creatorName, createAt: created, movesIssue: false)
            return Self.decodeIssue(issue, state: state)
        }
        push("issue.add", issueUUID: issue.uuid)
        return issue
    }

    /// Adds a reply as a person in the Guance console would (moves the issue's `updateAt`).
    @discardableResult
    public func addReply(
        issueUUID: String, content: String, extend: GuanceJSON = .emptyObject, creatorName: String = "console-user",
        createAt: Int64? = nil
    ) -> GuanceReply? {
        let reply = state.withLock { state -> GuanceReply? in
            guard state.issues[issueUUID] != nil else { return nil }
            return Self.appendReply(
                &state, issueUUID: issueUUID, type: "reply", content: content, extend: extend,
                creatorName: creatorName, createAt: createAt ?? Self.nowSeconds(),
                movesIssue: state.options.replyMovesIssueUpdateAt
            ).asReply
        }
        if reply != nil { push("issueReply.add", issueUUID: issueUUID) }
        return reply
    }

    /// Every reply and change record of an issue, oldest first.
    public func replies(issueUUID: String) -> [GuanceReply] {
        state.withLock { $0.replies[issueUUID, default: []].map(\.asReply) }
    }

    /// An issue as the API would return it, if it exists.
    public func issue(uuid: String) -> GuanceIssue? {
        state.withLock { state in state.issues[uuid].map { Self.decodeIssue($0, state: state) } }
    }

    /// Changes an issue's status as the console would (moves `updateAt`).
    public func setStatus(issueUUID: String, statusType: Int, at time: Int64? = nil) {
        let changed = state.withLock { state in
            guard var issue = state.issues[issueUUID] else { return false }
            issue.statusType = statusType
            issue.updateAt = max(time ?? Self.nowSeconds(), issue.updateAt)
            state.issues[issueUUID] = issue
            return true
        }
        if changed { push("issue.modify", issueUUID: issueUUID) }
    }

    /// The next `count` requests to `endpoint` (`issue_list`, `reply_list`, `reply_create`, `issue_get`,
    /// `issue_modify`, `channel_list`; nil = any) get `fault`.
    public func injectFault(_ fault: Fault, endpoint: String? = nil, count: Int = 1) {
        state.withLock { $0.faults.append((fault, endpoint, count)) }
    }

    /// Injected faults not yet served (a request takes its fault when it arrives, before any delay).
    public var pendingFaults: Int {
        state.withLock { $0.faults.reduce(0) { $0 + $1.remaining } }
    }

    /// Changes behaviour switches at run time.
    public func updateOptions(_ change: (inout Options) -> Void) {
        state.withLock { change(&$0.options) }
    }

    /// Every request received with a `DF-API-KEY` header equal to `apiKey` (nil: all keys).
    public func calls(apiKey: String? = nil) -> [CallRecord] {
        state.withLock { state in state.calls.filter { apiKey == nil || $0.apiKey == apiKey } }
    }

    /// Requests of one key answered with a rate-limit error (401 `ft.TriggerApi…CurrentLimiting`).
    public func rateLimitedAnswers(apiKey: String) -> Int {
        calls(apiKey: apiKey).filter { $0.status == 401 }.count
    }

    /// The most requests of one key inside any sliding window of `window` length (rate-limited answers included).
    public func maxCallsInAnyWindow(apiKey: String, window: Duration) -> Int {
        let times = calls(apiKey: apiKey).map(\.at).sorted()
        var best = 0
        var start = 0
        for end in times.indices {
            while times[end] - times[start] >= window { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }

    // MARK: - Helpers

    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement()! })
    }

    private static func makeWorkspace(_ state: inout State, apiKey: String) -> Workspace {
        let workspace = Workspace(
            uuid: "wksp_" + randomHex(32), channels: [(uuid: "chan_" + randomHex(32), name: "default")])
        state.keys[apiKey] = workspace.uuid
        state.workspaces[workspace.uuid] = workspace
        return workspace
    }

    @discardableResult
    static func appendReply(
        _ state: inout State, issueUUID: String, type: String, content: String, extend: GuanceJSON,
        creatorName: String, createAt: Int64, movesIssue: Bool
    ) -> StoredReply {
        state.seq += 1
        let issue = state.issues[issueUUID]!
        let reply = StoredReply(
            seq: state.seq, uuid: "repim_" + randomHex(32), issueUUID: issueUUID,
            workspaceUUID: issue.workspaceUUID, type: type, content: content, extend: extend,
            creatorName: creatorName, createAt: createAt)
        state.replies[issueUUID, default: []].append(reply)
        if movesIssue { state.issues[issueUUID]!.updateAt = max(createAt, issue.updateAt) }
        return reply
    }

    static func decodeIssue(_ issue: StoredIssue, state: State) -> GuanceIssue {
        let workspace = state.workspaces[issue.workspaceUUID]!
        let data = try! JSONSerialization.data(withJSONObject: issue.json(workspace: workspace))
        return (try? JSONDecoder().decode(GuanceIssue.self, from: data))
            ?? GuanceIssue(uuid: issue.uuid, name: issue.draft.name, createAt: issue.createAt)
    }
}
