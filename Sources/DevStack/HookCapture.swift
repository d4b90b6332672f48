import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A fake of one webhook platform on its own loopback port, for platforms whose rules fit one function
/// (`SlackCapture`, `TeamsCapture`): every request is recorded with what the rules answered; answers can be injected;
/// an optional sliding-window limit answers the platform's throttling.
public final class HookCapture: Service, Sendable {
    /// What the fake answers, and whether the platform would show the message.
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
        public var headers: [(String, String)]
        /// The message reaches the channel (a platform may answer success and fail later, as Teams flows do).
        public var shown: Bool
        /// Why the message is not shown, when it is not.
        public var problem: String?

        public init(
            status: Int, body: String, headers: [(String, String)] = [], shown: Bool = false, problem: String? = nil
        ) {
            self.status = status
            self.body = body
            self.headers = headers
            self.shown = shown
            self.problem = problem
        }
    }

    /// One request as received, with the answer.
    public struct Message: Sendable {
        public let body: [UInt8]
        /// Header names in lower case.
        public let headers: [String: String]
        public let path: String
        public let query: String
        public let answer: Answer
        public let receivedAt: Date

        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The platform's rules: the answer to a request that was neither injected nor throttled.
    public typealias Rules = @Sendable (_ request: Message) -> Answer

    private struct State {
        var messages: [Message] = []
        var injected: [Answer] = []
        var recent: [Date] = []
        var port: Int?
        var runner: (group: ServiceGroup, task: Task<Void, any Error>)?
    }

    private let name: String
    private let rules: Rules
    /// At most `count` requests per `window`, else `throttled` (nil: no limit).
    private let limit: (count: Int, window: Duration, throttled: Answer)?
    private let logger: Logger
    private let state = Mutex(State())

    public init(
        name: String, limit: (count: Int, window: Duration, throttled: Answer)? = nil, logger: Logger? = nil,
        rules: @escaping Rules
    ) {
        self.name = name
        self.rules = rules
        self.limit = limit
        self.logger = logger ?? Logger(label: name)
    }

    /// The bound port (after `start()`).
    public var port: Int { state.withLock { $0.port } ?? 0 }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request in arrival order.
    public var requests: [Message] { state.withLock { $0.messages } }
    /// The messages the platform would show.
    public var shown: [Message] { requests.filter(\.answer.shown) }

    /// The next requests get these answers, in order.
    public func inject(_ answers: [Answer]) {
        state.withLock { $0.injected.append(contentsOf: answers) }
    }

    /// Starts serving on 127.0.0.1, port 0, in the background; returns once the port is bound.
    public func start() async throws {
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        let task = Task { try await group.run() }
        state.withLock { $0.runner = (group, task) }
        try await eventually(timeout: .seconds(10), interval: .milliseconds(5), "\(name) listening") { self.port != 0 }
    }

    /// Stops a capture started with `start()`.
    public func stop() async {
        let runner = state.withLock { value in
            defer { value.runner = nil }
            return value.runner
        }
        guard let running = runner else { return }
        await running.group.triggerGracefulShutdown()
        _ = await running.task.result
    }

    public func run() async throws {
        let router = Router()
        router.post("**") { request, _ in try await self.handle(request) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: name),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger)
        try await app.run()
    }

    private func handle(_ request: Request) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: 8 << 20))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let now = Date()
        let received = Message(
            body: body, headers: headers, path: request.uri.path, query: request.uri.query ?? "",
            answer: Answer(status: 0, body: ""), receivedAt: now)
        let answer =
            state.withLock { state -> Answer? in
                if !state.injected.isEmpty { return state.injected.removeFirst() }
                guard let limit else { return nil }
                let window =
                    Double(limit.window.components.seconds) + Double(limit.window.components.attoseconds) / 1e18
                state.recent = state.recent.filter { now.timeIntervalSince($0) < window }
                if state.recent.count >= limit.count { return limit.throttled }
                state.recent.append(now)
                return nil
            } ?? rules(received)
        let message = Message(
            body: body, headers: headers, path: received.path, query: received.query, answer: answer, receivedAt: now)
        state.withLock { $0.messages.append(message) }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            guard let field = HTTPFields.Element.Name(name) else { continue }
            fields.append(HTTPFields.Element(name: field, value: value))
        }
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
