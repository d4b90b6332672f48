import FeishuKit
import Foundation
import HTTPTypes
import KafkaClient
import Logging
import Metrics
import ServiceKit
import Timing

/// Hands one reassembled data message to the same handler the HTTP route uses and turns its answer into the
/// answer frame's payload. Messages (`type: event`) and card callbacks (`type: card`, or an event whose
/// `event_type` is `card.action.trigger`, as Feishu sometimes sends them) take the same path as `POST /feishu/events`,
/// so token check, event-id dedupe, mention parsing and the Kafka ack before the answer are the HTTP route's.
struct LongConnectionDispatcher: Sendable {
    /// The `/feishu/events` handler configured without an encrypt key: payloads on the connection are plain JSON.
    let handler: any IngressHandler
    /// Decrypts an `{"encrypt": …}` payload first, should Feishu send one.
    let encryptKey: String?
    let logger: Logger

    static let route = "/feishu/events"
    static let cardAction = "card.action.trigger"

    /// The answer payload: code 200 unless the handler could not get the command acknowledged (500, so Feishu
    /// re-sends); `data` is the handler's JSON for card callbacks (the toast), null for plain events.
    func answer(type: String, payload: [UInt8]) async -> (FeishuFrameAnswer, outcome: String) {
        let started = ContinuousClock.now
        let body = plain(payload)
        let answer = await handler.handle(headers: HTTPFields(), body: body)
        let isCard = type == FeishuFrameHeader.card || Self.eventType(of: body) == Self.cardAction
        Counter(
            label: "reply_gateway_requests_total",
            dimensions: [("route", Self.route), ("outcome", answer.outcome), ("transport", "websocket")]
        ).increment()
        Metrics.Timer(
            label: "reply_gateway_request_duration_seconds",
            dimensions: [("route", Self.route), ("transport", "websocket")]
        ).recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        if let detail = answer.detail {
            logger.log(
                level: answer.status == .serviceUnavailable ? .error : .warning,
                "long-connection event rejected",
                metadata: ["status": "\(answer.status.code)", "reason": "\(detail)", "frame_type": "\(type)"])
        }
        let code = answer.status == .serviceUnavailable ? 500 : 200
        let data: Data? = isCard ? Data((answer.status == .ok ? answer.json : "{}").utf8) : nil
        return (FeishuFrameAnswer(code: code, data: data), answer.outcome)
    }

    /// The payload, decrypted when it is `{"encrypt": …}` and a key is configured; as it is otherwise.
    private func plain(_ payload: [UInt8]) -> [UInt8] {
        struct Outer: Decodable { var encrypt: String? }
        guard let encryptKey, let outer = try? JSONDecoder().decode(Outer.self, from: Data(payload)),
            let encrypted = outer.encrypt, let text = try? FeishuEventCrypto.decrypt(encrypted, encryptKey: encryptKey)
        else { return payload }
        return Array(text.utf8)
    }

    private static func eventType(of body: [UInt8]) -> String? {
        (try? JSONDecoder().decode(FeishuCallback.self, from: Data(body)))?.header?.eventType
    }
}
