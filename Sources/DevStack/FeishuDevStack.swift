import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// DevStack's Feishu side for `make run`: the app-API fake on 127.0.0.1 (port 0), freshly generated subscription
/// secrets for the gateway, and, once the gateway answers `/readyz`, one signed and encrypted sample message
/// (`@_user_1 #<issue>#…`) so a reply can be watched travelling to Guance and the confirmation coming back.
public struct FeishuDevStack: Sendable {
    public let simulator: FeishuAppSimulator
    public let verificationToken: String
    public let encryptKey: String
    public let flowToken: String
    private let port: PortBox

    public init() {
        simulator = FeishuAppSimulator(appSecret: Self.secret())
        verificationToken = Self.secret()
        encryptKey = Self.secret()
        flowToken = Self.secret()
        port = PortBox()
    }

    /// The services to run in dev-stack's group: the simulator, and the sample sender when `sampleIssueUUID` is set.
    public func services(logger: Logger, gatewayPort: Int, sampleIssueUUID: String?) -> [any Service] {
        let port = self.port
        var services: [any Service] = [
            simulator.application(logger: logger) { bound in port.set(bound) }
        ]
        let gateway = "http://127.0.0.1:\(gatewayPort)"
        simulator.setEventTarget(FeishuEventSender(
            url: gateway + "/feishu/events", verificationToken: verificationToken, encryptKey: encryptKey))
        if let sampleIssueUUID {
            services.append(SampleReplySender(
                gateway: gateway, sender: FeishuEventSender(
                    url: gateway + "/feishu/events", verificationToken: verificationToken, encryptKey: encryptKey),
                issueUUID: sampleIssueUUID, simulator: simulator, logger: logger))
        }
        return services
    }

    /// The env lines for the gateway, once the simulator is listening.
    public func envLines() async -> [String] {
        let bound = await port.value()
        return [
            "FEISHU_OPENAPI_URL=http://127.0.0.1:\(bound)",
            "FEISHU_APP_ID=\(simulator.appID)",
            "FEISHU_APP_SECRET=\(simulator.appSecret)",
            "FEISHU_VERIFICATION_TOKEN=\(verificationToken)",
            "FEISHU_ENCRYPT_KEY=\(encryptKey)",
            "FLOW_TOKEN=\(flowToken)",
        ]
    }

    static func secret() -> String {
        String((0..<24).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }
}

/// The port a server bound, handed from its `onServerRunning` to whoever waits for it.
final class PortBox: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    func set(_ port: Int) { continuation.yield(port) }

    func value() async -> Int {
        for await port in stream { return port }
        return 0
    }
}

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
            let result = try await sender.sendMessage(text: "@_user_1 #\(issueUUID)#收到，正在处理 (sample from dev-stack)")
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
