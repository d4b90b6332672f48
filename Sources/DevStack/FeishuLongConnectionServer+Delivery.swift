import FeishuKit
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

extension FeishuLongConnectionServer {
    /// Delivers one event (`type` `event`, or `card` for card callbacks) to one open connection, round robin, and
    /// waits for its answer frame; re-sends with the same `message_id` when the connection dropped or the answer
    /// did not come within `ackTimeout`, as Feishu does.
    public func deliver(_ payload: String, type: String = FeishuFrameHeader.event, messageID: String? = nil)
        async throws -> Delivery
    {
        let messageID = messageID ?? "msg_" + UUID().uuidString.lowercased()
        for attempt in 1...settings.maxAttempts {
            let connection = try await anyConnection()
            if let (frame, by) = await send(Array(payload.utf8), type: type, messageID: messageID, to: connection) {
                let answer = frame.payload.flatMap { try? JSONDecoder().decode(FeishuFrameAnswer.self, from: Data($0)) }
                return Delivery(
                    answer: answer ?? FeishuFrameAnswer(code: -1), headers: frame.headers, attempts: attempt,
                    connection: by)
            }
            logger.info("fake long connection: event not answered, re-sending", metadata: ["attempt": "\(attempt)"])
        }
        throw DeliveryError.notAnswered(attempts: settings.maxAttempts)
    }

    /// Duplicate delivery after a reconnect: delivers, drops the connection that answered, waits until as many
    /// connections are open again, and delivers the same event (same `message_id`) once more.
    public func deliverAgainAfterReconnect(_ payload: String, type: String = FeishuFrameHeader.event) async throws
        -> (Delivery, Delivery)
    {
        let messageID = "msg_" + UUID().uuidString.lowercased()
        let before = openConnections
        let first = try await deliver(payload, type: type, messageID: messageID)
        let opened = connectionsOpened
        if let connection = state.withLock({ $0.connections[first.connection] }) {
            connection.channel.close(promise: nil)
        }
        try await eventually(timeout: settings.connectionWait, interval: .milliseconds(20), "reconnect") {
            self.connectionsOpened > opened && self.openConnections >= before
        }
        let second = try await deliver(payload, type: type, messageID: messageID)
        return (first, second)
    }

    /// Sends raw bytes as one binary WebSocket message on every open connection (hostile-frame tests).
    public func sendRaw(_ bytes: [UInt8]) async throws {
        for connection in state.withLock({ Array($0.connections.values) }) {
            try await connection.outbound.write(
                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: bytes)))
        }
    }

    /// The next connection in turn, waiting (bounded) while none is open.
    private func anyConnection() async throws -> Connection {
        let deadline = ContinuousClock.now + settings.connectionWait
        while true {
            let next = state.withLock { state -> Connection? in
                let ids = state.connections.keys.sorted()
                guard !ids.isEmpty else { return nil }
                state.roundRobin += 1
                return state.connections[ids[state.roundRobin % ids.count]]
            }
            if let next { return next }
            guard ContinuousClock.now < deadline else {
                throw DeliveryError.noConnection(waited: settings.connectionWait)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends the event's frames and waits for the answer; nil when the connection dropped or the answer was late.
    private func send(_ payload: [UInt8], type: String, messageID: String, to connection: Connection) async
        -> (FeishuFrame, Int)?
    {
        let frames = self.frames(payload, type: type, messageID: messageID, service: connection.serviceID)
        let drop = state.withLock { state -> Bool in
            guard state.dropNext > 0 else { return false }
            state.dropNext -= 1
            return true
        }
        return await withTaskGroup(of: Void.self) { group in
            let answer = await withCheckedContinuation { continuation in
                state.withLock { state in
                    state.waiters[messageID]?.resume(returning: nil)
                    state.waiters[messageID] = continuation
                    state.inFlight[connection.id, default: []].insert(messageID)
                }
                group.addTask {
                    do {
                        for frame in drop ? Array(frames.prefix(1)) : frames {
                            self.state.withLock { $0.sends += 1 }
                            try await connection.outbound.write(
                                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: frame.encoded())))
                        }
                        if drop { try await connection.channel.close() }
                    } catch {
                        self.answerMissing(messageID)
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: self.settings.ackTimeout)
                    self.answerMissing(messageID)
                }
            }
            group.cancelAll()
            return answer
        }
    }

    private func answerMissing(_ messageID: String) {
        state.withLock { $0.waiters.removeValue(forKey: messageID) }?.resume(returning: nil)
    }

    /// The data frames of one message: whole, or `fragmentSize` pieces with `sum`/`seq`.
    func frames(_ payload: [UInt8], type: String, messageID: String, service: Int32) -> [FeishuFrame] {
        let size = settings.fragmentSize > 0 ? settings.fragmentSize : max(payload.count, 1)
        let pieces = stride(from: 0, to: max(payload.count, 1), by: size).map {
            Array(payload[$0..<min($0 + size, payload.count)])
        }
        let seq = state.withLock { state -> UInt64 in
            defer { state.nextSeq += 1 }
            return state.nextSeq
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return pieces.enumerated().map { index, piece in
            FeishuFrame(
                seqID: seq, logID: seq, service: service, method: .data,
                headers: [
                    .init(FeishuFrameHeader.type, type), .init(FeishuFrameHeader.messageID, messageID),
                    .init(FeishuFrameHeader.sum, "\(pieces.count)"), .init(FeishuFrameHeader.seq, "\(index)"),
                    .init(FeishuFrameHeader.traceID, UUID().uuidString), .init(FeishuFrameHeader.timestamp, "\(now)"),
                ],
                payload: piece)
        }
    }
}
