import AsyncHTTPClient
import FeishuKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Waits (bounded) for the gateway's `/healthz`, sends one sample message (again with the same event id while the
/// gateway answers other than 200, as Feishu retries), then waits for the confirmation.
struct SampleReplySender: Service {
    let gateway: String
    let sender: FeishuEventSender
    /// Set in websocket mode: the message goes over the long connection once the gateway is connected.
    var longConnection: FeishuLongConnectionServer? = nil
    let issueUUID: String
    let simulator: FeishuAppSimulator
    let logger: Logger

    func run() async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        let text = "@_user_1 #\(issueUUID)#收到，正在处理 (sample from dev-stack)"
        let eventID = "ev_" + UUID().uuidString.lowercased()
        let messageID = "om_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var accepted: FeishuEventSender.Result?
        while ContinuousClock.now < deadline, accepted == nil {
            if await alive(), let result = try? await send(text: text, eventID: eventID, messageID: messageID),
                result.status == 200
            {
                accepted = result
                break
            }
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        guard let result = accepted else {
            logger.notice("gateway did not accept the sample Feishu message at \(gateway)")
            return try await gracefulShutdown()
        }
        logger.notice(
            "sample Feishu message sent to the gateway",
            metadata: ["status": "\(result.status)", "issue": "\(issueUUID)", "message_id": "\(result.messageID)"])
        do {
            try await eventually(timeout: .seconds(120), interval: .milliseconds(500)) {
                simulator.replies.contains { $0.messageID == result.messageID }
            }
            let reply = simulator.replies.first { $0.messageID == result.messageID }
            logger.notice("confirmation answered in the Feishu thread", metadata: ["text": "\(reply?.text ?? "")"])
        } catch {
            logger.notice("sample reply did not complete", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }

    /// Over HTTP, or over the long connection (its answer code as the status) once the gateway is connected.
    private func send(text: String, eventID: String, messageID: String) async throws -> FeishuEventSender.Result? {
        guard let longConnection else {
            return try await sender.sendMessage(text: text, eventID: eventID, messageID: messageID)
        }
        guard longConnection.openConnections > 0 else { return nil }
        let event = FeishuEventFactory.messageEvent(
            eventID: eventID, token: sender.verificationToken, text: text, messageID: messageID)
        let delivery = try await longConnection.deliver(event)
        return FeishuEventSender.Result(
            status: delivery.answer.code, body: "", eventID: eventID, messageID: messageID)
    }

    private func alive() async -> Bool {
        var request = HTTPClientRequest(url: gateway + "/healthz")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }
}
