import FeishuKit
import Foundation
import KafkaClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import ServiceKit
import Synchronization

/// Opens the WebSocket of a long-connection URL (`wss://` with TLS, `ws://` for tests on loopback). A refused
/// upgrade becomes `handshakeRefused` with Feishu's `Handshake-*` headers.
struct LongConnectionDialer: Sendable {
    typealias Socket = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    /// Largest WebSocket message accepted (continuation frames are joined up to this size).
    var maxMessageBytes: Int
    var timeout: Duration

    private enum Upgrade: Sendable {
        case websocket(Socket)
        case refused(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    func dial(_ urlText: String) async throws -> Socket {
        guard let url = URLComponents(string: urlText), let host = url.host, !host.isEmpty,
            let scheme = url.scheme?.lowercased(), scheme == "ws" || scheme == "wss"
        else { throw LongConnectionError.badURL(urlText) }
        let tls = scheme == "wss"
        let port = url.port ?? (tls ? 443 : 80)
        let uri =
            (url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath)
            + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        let sslContext = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let maxMessageBytes = self.maxMessageBytes
        let opened = Mutex<(any Channel)?>(nil)
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout.timeAmount)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    opened.withLock { $0 = channel }
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: host))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                        maxFrameSize: min(maxMessageBytes, 1 << 24),
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                                        maxAccumulatedFrameSize: maxMessageBytes))
                                return .websocket(try Socket(wrappingChannelSynchronously: channel))
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: HTTPRequestHead(
                            version: .http1_1, method: .GET, uri: uri, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                .refused(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        let deadline = upgrade.eventLoop.scheduleTask(in: timeout.timeAmount) {
            opened.withLock { $0 }?.close(promise: nil)
        }
        defer { deadline.cancel() }
        switch try await upgrade.get() {
        case .websocket(let socket):
            return socket
        case .refused(let http):
            throw await Self.refusal(http)
        }
    }

    /// Reads the refusing response's head and closes the connection.
    private static func refusal(_ http: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>) async
        -> LongConnectionError
    {
        var head: HTTPResponseHead?
        do {
            try await http.executeThenClose { inbound, _ in
                for try await part in inbound {
                    if case .head(let response) = part {
                        head = response
                        break
                    }
                }
            }
        } catch {}
        let headers = head?.headers
        return .handshakeRefused(
            httpStatus: Int(head?.status.code ?? 0),
            status: headers?.first(name: FeishuLongConnectionEndpoint.handshakeStatusHeader),
            message: headers?.first(name: FeishuLongConnectionEndpoint.handshakeMessageHeader),
            authErrorCode: headers?.first(name: FeishuLongConnectionEndpoint.handshakeAuthErrorHeader))
    }
}
