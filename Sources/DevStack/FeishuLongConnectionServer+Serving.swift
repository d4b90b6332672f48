import FeishuKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

extension FeishuLongConnectionServer {
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, serviceID: Int32)
        case refused(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>)
    }

    /// Accepts connections on 127.0.0.1 until cancelled.
    func serve(onRunning: @Sendable (Int) async -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                        maxFrameSize: 1 << 22,
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(self.admit(head) ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, head in
                            channel.eventLoop.makeCompletedFuture {
                                .websocket(
                                    try NIOAsyncChannel(wrappingChannelSynchronously: channel),
                                    serviceID: Self.query(head.uri, "service_id").flatMap { Int32($0) } ?? 0)
                            }
                        })
                    let configuration = NIOTypedHTTPServerUpgradeConfiguration<Upgrade>(
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                .refused(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        state.withLock { $0.port = port }
        await onRunning(port)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await upgrade in inbound {
                    group.addTask {
                        switch try? await upgrade.get() {
                        case .websocket(let socket, let serviceID): await self.serve(socket, serviceID: serviceID)
                        case .refused(let http): await self.refuse(http)
                        case nil: break
                        }
                    }
                }
            }
        }
    }

    /// An upgrade is accepted with an unused ticket and no refusal pending; the ticket is used up.
    private func admit(_ head: HTTPRequestHead) -> Bool {
        let ticket = Self.query(head.uri, "ticket") ?? ""
        return state.withLock { state in
            guard state.refusals.isEmpty, state.tickets.remove(ticket) != nil else { return false }
            return true
        }
    }

    /// Answers a refused upgrade: the pending injected refusal, else 403 "auth failed" (514) for a bad ticket.
    private func refuse(_ http: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let refusal = state.withLock { state in
            state.refusals.isEmpty
                ? HandshakeRefusal(status: "514", message: "auth failed") : state.refusals.removeFirst()
        }
        try? await http.executeThenClose { inbound, outbound in
            for try await part in inbound { if case .end = part { break } }
            var headers = HTTPHeaders()
            headers.add(name: FeishuLongConnectionEndpoint.handshakeStatusHeader, value: refusal.status)
            headers.add(name: FeishuLongConnectionEndpoint.handshakeMessageHeader, value: refusal.message)
            if let code = refusal.authErrorCode {
                headers.add(name: FeishuLongConnectionEndpoint.handshakeAuthErrorHeader, value: code)
            }
            headers.add(name: "Content-Length", value: "0")
            headers.add(name: "Connection", value: "close")
            try await outbound.write(
                .head(
                    HTTPResponseHead(version: .http1_1, status: .init(statusCode: refusal.httpStatus), headers: headers)
                ))
            try await outbound.write(.end(nil))
        }
    }

    /// One client connection: registered for deliveries, pings answered, answers matched to waiting deliveries.
    private func serve(_ socket: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, serviceID: Int32) async {
        try? await socket.executeThenClose { inbound, outbound in
            let id = state.withLock { state -> Int in
                let id = state.nextConnection
                state.nextConnection += 1
                state.connectionsOpened += 1
                state.connections[id] = Connection(
                    id: id, serviceID: serviceID, outbound: outbound, channel: socket.channel)
                return id
            }
            defer { closed(id) }
            for try await message in inbound {
                switch message.opcode {
                case .binary:
                    guard let frame = try? FeishuFrame(decoding: message.unmaskedData.readableBytesView) else {
                        logger.warning("fake long connection: undecodable client frame")
                        continue
                    }
                    try await received(frame, on: id, outbound)
                case .connectionClose:
                    try? await outbound.write(
                        WebSocketFrame(fin: true, opcode: .connectionClose, data: message.unmaskedData))
                    return
                case .ping:
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: message.unmaskedData))
                default:
                    break
                }
            }
        }
    }

    private func received(
        _ frame: FeishuFrame, on connection: Int, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    ) async throws {
        if frame.method == FeishuFrame.Method.control.rawValue {
            guard frame.header(FeishuFrameHeader.type) == FeishuFrameHeader.ping else { return }
            state.withLock { $0.pings += 1 }
            var pong = FeishuFrame(service: frame.service, method: .control)
            pong.setHeader(FeishuFrameHeader.type, FeishuFrameHeader.pong)
            pong.payload = Array((try? JSONEncoder().encode(settings.clientConfig)) ?? Data())
            try await outbound.write(
                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: pong.encoded())))
            return
        }
        guard let messageID = frame.header(FeishuFrameHeader.messageID) else { return }
        let waiter = state.withLock { state in
            state.inFlight[connection]?.remove(messageID)
            return state.waiters.removeValue(forKey: messageID)
        }
        waiter?.resume(returning: (frame, connection))
    }

    /// Forgets a connection and fails the deliveries waiting on it (they are re-sent).
    private func closed(_ id: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<(FeishuFrame, Int)?, Never>] in
            state.connections.removeValue(forKey: id)
            let pending = state.inFlight.removeValue(forKey: id) ?? []
            return pending.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    static func query(_ uri: String, _ name: String) -> String? {
        URLComponents(string: uri)?.queryItems?.first { $0.name == name }?.value
    }
}
