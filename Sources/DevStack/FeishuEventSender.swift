import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends Feishu event callbacks to a gateway exactly as Feishu would: encrypted with the encrypt key, signed with
/// `X-Lark-Signature`, carrying the verification token. For `make run` (a sample reply travelling back) and tests.
public struct FeishuEventSender: Sendable {
    public struct Result: Sendable {
        public var status: Int
        public var body: String
        public var eventID: String
        public var messageID: String
    }

    /// e.g. `http://127.0.0.1:8080/feishu/events`
    public var url: String
    public var verificationToken: String
    public var encryptKey: String?
    public var httpClient: HTTPClient = .shared

    public init(url: String, verificationToken: String, encryptKey: String?) {
        self.url = url
        self.verificationToken = verificationToken
        self.encryptKey = encryptKey
    }

    /// Sends an `im.message.receive_v1` with this text (e.g. `@_user_1 #issue_x#收到`). Returns the gateway's answer.
    public func sendMessage(
        text: String, rootID: String? = nil, eventID: String = "ev_" + UUID().uuidString.lowercased(),
        messageID: String = "om_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    ) async throws -> Result {
        let event = FeishuEventFactory.messageEvent(
            eventID: eventID, token: verificationToken, text: text, messageID: messageID, rootID: rootID)
        let (status, body) = try await send(FeishuEventFactory.request(event, encryptKey: encryptKey))
        return Result(status: status, body: body, eventID: eventID, messageID: messageID)
    }

    /// Sends a prepared request (to replay one, or to forge one in tests).
    public func send(_ request: FeishuSignedRequest) async throws -> (status: Int, body: String) {
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await httpClient.execute(http, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
