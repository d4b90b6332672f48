import AsyncHTTPClient
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
            if await alive(), let result = try? await sender.sendMessage(text: text, eventID: eventID, messageID: messageID),
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

    private func alive() async -> Bool {
        var request = HTTPClientRequest(url: gateway + "/healthz")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }
}
