import FeishuKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// A fake of Feishu's long connection (docs/protocols/feishu-long-connection.md): hands out one-time endpoint URLs,
/// accepts WebSocket upgrades on 127.0.0.1, answers pings with pongs carrying its `ClientConfig`, and delivers
/// events as data frames (fragmented when `fragmentSize` is set) to one connection at a time, re-sending what was
/// not answered within `ackTimeout` or whose connection dropped, as Feishu does.
///
/// Failure injection: `dropNextDeliveries` (the connection closes mid-event, before the answer),
/// `refuseNextHandshakes` (an upgrade refused with `Handshake-*` headers), `ackTimeout` (an answer later than this
/// counts as none: delayed acks cause re-sends) and `deliverAgainAfterReconnect` (an answered event is sent again
/// after its connection dropped and came back).
public final class FeishuLongConnectionServer: Sendable {
    public struct Settings: Sendable {
        /// Sent in the endpoint answer and in every pong.
        public var clientConfig = FeishuLongConnectionClientConfig(
            reconnectCount: -1, reconnectInterval: 1, reconnectNonce: 0, pingInterval: 120)
        public var ackTimeout: Duration = .seconds(3)
        /// Payloads longer than this are sent in fragments; 0 sends them whole.
        public var fragmentSize = 0
        /// Sends of one event before `deliver` gives up.
        public var maxAttempts = 6
        /// How long `deliver` waits for a connection when none is open.
        public var connectionWait: Duration = .seconds(15)
        /// The app's verification token, put in the events the admin route builds (`header.token`).
        public var verificationToken = ""

        public init() {}
    }

    /// What one `deliver` call saw.
    public struct Delivery: Sendable {
        /// The answer frame's payload.
        public var answer: FeishuFrameAnswer
        /// The answer frame's headers (`biz_rt` included).
        public var headers: [FeishuFrame.Header]
        public var attempts: Int
        /// The connection that answered.
        public var connection: Int
    }

    public enum DeliveryError: Error, CustomStringConvertible {
        case noConnection(waited: Duration)
        case notAnswered(attempts: Int)

        public var description: String {
            switch self {
            case .noConnection(let waited): "no long connection open after \(waited)"
            case .notAnswered(let attempts): "event not answered after \(attempts) sends"
            }
        }
    }

    /// A refused upgrade's answer.
    public struct HandshakeRefusal: Sendable {
        public var httpStatus: Int
        public var status: String
        public var message: String
        public var authErrorCode: String?

        public init(httpStatus: Int = 403, status: String, message: String, authErrorCode: String? = nil) {
            self.httpStatus = httpStatus
            self.status = status
            self.message = message
            self.authErrorCode = authErrorCode
        }

        /// The answer to too many connections of one app (fatal for the SDKs).
        public static let connectionLimit = HandshakeRefusal(
            status: "514", message: "exceeded connection limit",
            authErrorCode: FeishuLongConnectionEndpoint.connectionLimitCode)
    }

    struct Connection: Sendable {
        var id: Int
        var serviceID: Int32
        var outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
        var channel: any Channel
    }

    struct State {
        var port = 0
        var tickets: Set<String> = []
        var connections: [Int: Connection] = [:]
        var nextConnection = 1
        var nextSeq: UInt64 = 1
        var roundRobin = 0
        var waiters: [String: CheckedContinuation<(FeishuFrame, Int)?, Never>] = [:]
        var inFlight: [Int: Set<String>] = [:]
        var dropNext = 0
        var refusals: [HandshakeRefusal] = []
        var pings = 0
        var connectionsOpened = 0
        var sends = 0
    }

    public let appID: String
    public let appSecret: String
    let settings: Settings
    let state = Mutex(State())
    let logger: Logger

    public init(appID: String, appSecret: String, settings: Settings = Settings(), logger: Logger) {
        self.appID = appID
        self.appSecret = appSecret
        self.settings = settings
        self.logger = logger
    }

    // MARK: - Inspection and failure injection

    public var openConnections: Int { state.withLock { $0.connections.count } }
    /// Upgrades accepted since start.
    public var connectionsOpened: Int { state.withLock { $0.connectionsOpened } }
    public var pingsReceived: Int { state.withLock { $0.pings } }
    /// Data frames sent (fragments count one each).
    public var framesSent: Int { state.withLock { $0.sends } }

    /// The next `count` deliveries lose their connection after the first frame is sent, before the answer.
    public func dropNextDeliveries(_ count: Int) {
        state.withLock { $0.dropNext += count }
    }

    /// The next upgrades are refused with `refusal`, one per element.
    public func refuseNextHandshakes(_ refusals: [HandshakeRefusal]) {
        state.withLock { $0.refusals += refusals }
    }

    /// Closes every open connection (clients reconnect).
    public func dropAllConnections() {
        for connection in state.withLock({ Array($0.connections.values) }) { connection.channel.close(promise: nil) }
    }

    // MARK: - Endpoint API

    /// The answer to `POST /callback/ws/endpoint`: a one-time URL for valid credentials.
    /// The code for wrong credentials (10014, as for tenant tokens) is **unconfirmed** for this API.
    public func endpointAnswer(_ request: FeishuLongConnectionEndpoint.Request) -> FeishuLongConnectionEndpoint.Response
    {
        guard request.appID == appID, request.appSecret == appSecret else {
            return .init(code: 10014, msg: "app secret invalid", data: nil)
        }
        let ticket = UUID().uuidString
        let (port, device) = state.withLock { state -> (Int, Int) in
            state.tickets.insert(ticket)
            return (state.port, state.nextConnection)
        }
        let url =
            "ws://127.0.0.1:\(port)/ws?device_id=devstack-\(device)&service_id=\(7000 + device % 1000)&ticket=\(ticket)"
        return .init(code: 0, msg: "ok", data: .init(url: url, clientConfig: settings.clientConfig))
    }
}

/// `FeishuLongConnectionServer` as a `Service` (binds, serves until shutdown).
public struct FeishuLongConnectionService: Service {
    let server: FeishuLongConnectionServer
    let onRunning: @Sendable (Int) async -> Void

    public init(server: FeishuLongConnectionServer, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.server = server
        self.onRunning = onRunning
    }

    /// Ends without an error on graceful shutdown (open connections are closed with the listener).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await server.serve(onRunning: onRunning) }
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            throw error
        }
    }
}
