import FeishuKit
import Foundation
import KafkaClient
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import ServiceKit
import ServiceLifecycle
import Timing

/// One open long connection: pings at the server's interval, reassembles data messages, hands each to the
/// dispatcher concurrently and writes its answer frame once the handler returned (after the Kafka ack). On
/// graceful shutdown it takes no new message, waits for the handlers in flight, and closes with a close frame.
struct LongConnectionSession: Sendable {
    enum Ending: Sendable {
        /// Graceful shutdown: closed cleanly.
        case stopped
        case failed(LongConnectionError)
    }

    let socket: LongConnectionDialer.Socket
    let serviceID: Int32
    let dispatcher: LongConnectionDispatcher
    let maxMessageBytes: Int
    let logger: Logger
    /// Called with every `ClientConfig` a pong carries.
    let onConfig: @Sendable (FeishuLongConnectionClientConfig) -> Void

    func run(pingInterval: Int) async -> Ending {
        let state = SessionState(pingInterval: pingInterval)
        do {
            return try await socket.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup(returning: Ending.self) { group in
                    group.addTask { await ping(outbound, state) }
                    group.addTask { await closeOnShutdown(outbound, state) }
                    var assembler = FragmentAssembler(maxBytes: maxMessageBytes)
                    for try await message in inbound {
                        state.received()
                        switch message.opcode {
                        case .binary:
                            receive(message.unmaskedData, state: state, assembler: &assembler) { frame, type, payload in
                                group.addTask { await handle(frame, type: type, payload: payload, outbound, state) }
                            }
                        case .ping:
                            try await outbound.write(Self.masked(.pong, message.unmaskedData))
                        case .connectionClose:
                            if !state.isStopping {
                                try? await outbound.write(Self.masked(.connectionClose, message.unmaskedData))
                            }
                            group.cancelAll()
                            return ending(state)
                        default:
                            break
                        }
                    }
                    group.cancelAll()
                    return ending(state)
                }
            }
        } catch {
            if state.isStopping { return .stopped }
            return .failed(state.failure ?? .connectionLost("\(error)"))
        }
    }

    private func ending(_ state: SessionState) -> Ending {
        state.isStopping ? .stopped : .failed(state.failure ?? .closedByServer)
    }

    /// Decodes one binary message; control frames are handled here, complete data messages go to `dispatch`.
    private func receive(
        _ bytes: ByteBuffer, state: SessionState, assembler: inout FragmentAssembler,
        dispatch: (FeishuFrame, String, [UInt8]) -> Void
    ) {
        let frame: FeishuFrame
        do {
            frame = try FeishuFrame(decoding: bytes.readableBytesView)
        } catch {
            Self.frames.malformed.increment()
            logger.warning("undecodable long-connection frame ignored", metadata: [LogKey.error: "\(error)"])
            return
        }
        let type = frame.header(FeishuFrameHeader.type) ?? ""
        guard frame.method == FeishuFrame.Method.data.rawValue else {
            if type == FeishuFrameHeader.pong, let payload = frame.payload, !payload.isEmpty,
                let config = try? JSONDecoder().decode(FeishuLongConnectionClientConfig.self, from: Data(payload))
            {
                onConfig(config)
                state.pingInterval = FeishuLongConnectionClientConfigValues(config).pingInterval
            }
            return
        }
        guard type == FeishuFrameHeader.event || type == FeishuFrameHeader.card else {
            logger.debug("long-connection data frame of an unknown type ignored", metadata: ["frame_type": "\(type)"])
            return
        }
        switch assembler.add(frame) {
        case .complete(let payload):
            guard state.begin() else { return }
            dispatch(frame, type, payload)
        case .waiting:
            break
        case .dropped(let reason):
            Self.frames.dropped.increment()
            logger.warning("long-connection fragment dropped", metadata: ["reason": "\(reason)"])
        }
    }

    /// Runs the handler and writes the answer: the same frame with `biz_rt` and the answer payload.
    private func handle(
        _ frame: FeishuFrame, type: String, payload: [UInt8], _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        _ state: SessionState
    ) async {
        defer { state.end() }
        let started = ContinuousClock.now
        let (answer, outcome) = await dispatcher.answer(type: type, payload: payload)
        var reply = frame
        reply.setHeader(FeishuFrameHeader.bizRT, "\((ContinuousClock.now - started).nanoseconds / 1_000_000)")
        reply.payload = answer.encoded()
        do {
            try await outbound.write(Self.masked(.binary, ByteBuffer(bytes: reply.encoded())))
        } catch {
            logger.warning(
                "answer frame not sent; Feishu will re-send the event",
                metadata: ["outcome": "\(outcome)", LogKey.error: "\(error)"])
        }
    }

    /// Sends a ping every `pingInterval` seconds; closes the connection as `silent` when nothing arrived for three
    /// intervals.
    private func ping(_ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, _ state: SessionState) async {
        while !Task.isCancelled {
            let interval = state.pingInterval
            do {
                try await Task.sleep(for: .seconds(interval))
                let silence = ContinuousClock.now - state.lastReceived
                if silence > .seconds(3 * interval) {
                    state.failure = .silent(seconds: Int(silence.inSeconds))
                    socket.channel.close(promise: nil)
                    return
                }
                var frame = FeishuFrame(service: serviceID, method: .control)
                frame.setHeader(FeishuFrameHeader.type, FeishuFrameHeader.ping)
                try await outbound.write(Self.masked(.binary, ByteBuffer(bytes: frame.encoded())))
            } catch {
                return
            }
        }
    }

    /// On graceful shutdown: no new messages, the handlers in flight answer, then a close frame (1000).
    private func closeOnShutdown(_ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, _ state: SessionState) async
    {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        await state.stopAndDrain()
        var code = ByteBuffer()
        code.writeInteger(UInt16(1000))
        try? await outbound.write(Self.masked(.connectionClose, code))
        // The server answers with its close frame, which ends the read loop; a silent server is not waited for long.
        try? await Task.sleep(for: .seconds(2))
        if !Task.isCancelled { socket.channel.close(promise: nil) }
    }

    /// Client frames are masked (RFC 6455 §5.3).
    static func masked(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
    }

    static let frames = (
        malformed: Counter(label: "reply_gateway_feishu_frames_dropped_total", dimensions: [("reason", "malformed")]),
        dropped: Counter(label: "reply_gateway_feishu_frames_dropped_total", dimensions: [("reason", "fragment")])
    )
}
