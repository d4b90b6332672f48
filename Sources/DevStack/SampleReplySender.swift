import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Waits (bounded) for the gateway's `/readyz`, sends one sample message, then waits for the confirmation.
struct SampleReplySender: Service {
    let gateway: String
    let sender: FeishuEventSender
    let issueUUID: String
    let simulator: FeishuAppSimulator
    let logger: Logger

    func run() async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if await ready() { break }
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        guard await ready() else {
            logger.notice("gateway not ready at \(gateway); no sample Feishu message sent")
            return try await gracefulShutdown()
        }
        do {
            let text = "@_user_1 #\(issueUUID)#收到，正在处理 (sample from dev-stack)"
            let result = try await sender.sendMessage(text: text)
            logger.notice(
                "sample Feishu message sent to the gateway",
                metadata: ["status": "\(result.status)", "issue": "\(issueUUID)", "message_id": "\(result.messageID)"])
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

    private func ready() async -> Bool {
        var request = HTTPClientRequest(url: gateway + "/readyz")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }
}
