import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// DevStack's Feishu side for `make run`: the app-API fake on 127.0.0.1 (port 0) with its long-connection fake,
/// freshly generated subscription secrets for the gateway, and, once the gateway answers `/healthz`, one sample
/// message (`@_user_1 #<issue>#…`), signed and encrypted to `POST /feishu/events`, or over the long connection in
/// websocket mode, so a reply can be watched travelling to Guance and the confirmation coming back.
public struct FeishuDevStack: Sendable {
    public let simulator: FeishuAppSimulator
    public let verificationToken: String
    public let encryptKey: String
    public let flowToken: String
    /// Feishu's long connection (`FEISHU_EVENT_MODE=websocket`); its endpoint API is served by `simulator`.
    public let longConnection: FeishuLongConnectionServer
    /// True when the sample message goes over the long connection instead of `POST /feishu/events`.
    public let websocketMode: Bool
    private let port: PortBox

    public init(websocketMode: Bool = false, logger: Logger = Logger(label: "dev-stack")) {
        simulator = FeishuAppSimulator(appSecret: Self.secret())
        verificationToken = Self.secret()
        encryptKey = Self.secret()
        flowToken = Self.secret()
        var settings = FeishuLongConnectionServer.Settings()
        settings.verificationToken = verificationToken
        longConnection = FeishuLongConnectionServer(
            appID: simulator.appID, appSecret: simulator.appSecret, settings: settings, logger: logger)
        simulator.setLongConnection(longConnection)
        self.websocketMode = websocketMode
        port = PortBox()
    }

    /// The services to run in dev-stack's group: the simulator, and the sample sender when `sampleIssueUUID` is set.
    public func services(logger: Logger, gatewayPort: Int, sampleIssueUUID: String?) -> [any Service] {
        let port = self.port
        var services: [any Service] = [
            simulator.application(logger: logger) { bound in port.set(bound) },
            FeishuLongConnectionService(server: longConnection),
        ]
        let gateway = "http://127.0.0.1:\(gatewayPort)"
        simulator.setEventTarget(
            FeishuEventSender(
                url: gateway + "/feishu/events", verificationToken: verificationToken, encryptKey: encryptKey))
        if let sampleIssueUUID {
            services.append(
                SampleReplySender(
                    gateway: gateway,
                    sender: FeishuEventSender(
                        url: gateway + "/feishu/events", verificationToken: verificationToken, encryptKey: encryptKey),
                    longConnection: websocketMode ? longConnection : nil, issueUUID: sampleIssueUUID,
                    simulator: simulator, logger: logger))
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
            "FEISHU_CHAT_ID=\(Self.chatID)",
            "FEISHU_VERIFICATION_TOKEN=\(verificationToken)",
            "FEISHU_ENCRYPT_KEY=\(encryptKey)",
            "FLOW_TOKEN=\(flowToken)",
        ]
    }

    /// The chat the notifier's Feishu app sink posts its cards to.
    public static let chatID = "oc_devstack"

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
