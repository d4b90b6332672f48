import DevStack
import Events
import FeishuKit
import Foundation
import HTTPTypes
import Testing

@testable import ReplyGateway

/// Requests that once ended the whole gateway process, and their relatives: each must be a 4xx, never a trap.
@Suite("Ingress regressions: outside numbers and lists", .timeLimit(.minutes(1)))
struct IngressRegressionTests {
    let publisher = RecordingPublisher()

    var intake: CommandIntake { CommandIntake(publisher: publisher, dedupeCapacity: 10, logger: gatewayTestLogger) }

    /// `Int(Double)` trapped while the stale-timestamp message was built, before the signature was checked.
    @Test(arguments: [
        "1e300", "inf", "-inf", "nan", "NaN", "-1e300", "1.5", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "", " ", "0x10", "１７００", String(repeating: "9", count: 500),
    ])
    func feishuTimestampThatIsNotASaneIntegerIsRejectedBeforeAnythingElse(timestamp: String) async {
        let handler = makeFeishuHandler(publisher)
        var request = FeishuEventFactory.request(
            FeishuEventFactory.messageEvent(eventID: "e", token: TestSecrets.token, text: "#issue_a#x", messageID: "m"),
            encryptKey: TestSecrets.encryptKey)
        request.headers[FeishuHeaders.timestamp] = timestamp
        let answer = await handler.handle(headers: httpFields(request.headers), body: request.body)
        #expect(answer.status == .unauthorized)
        #expect(answer.outcome == "stale_timestamp" || answer.outcome == "bad_signature")
        #expect(publisher.commands.isEmpty)
    }

    /// The Int64 subtraction `now - timestamp` overflowed and trapped.
    @Test(arguments: [
        "-9223372036854775808", "9223372036854775807", "-9223372036854775807", "1e300", "nan", "-0", "",
    ])
    func dingTalkTimestampAtTheEdgesOfInt64IsRejectedNotATrap(timestamp: String) async {
        let handler = DingTalkHandler(appSecret: "secret", intake: intake, notices: nil, logger: gatewayTestLogger)
        let headers = httpFields([
            "timestamp": timestamp, "sign": DingTalkHandler.sign(timestamp: timestamp, appSecret: "secret"),
        ])
        let answer = await handler.handle(headers: headers, body: Array(#"{"msgId":"m"}"#.utf8))
        #expect(answer.status == .unauthorized)
        #expect(publisher.commands.isEmpty)
    }

    /// DingTalk's `sign` covers only the timestamp: it is a bearer value, accepted for the gateway's replay window.
    @Test func dingTalkSignIsAcceptedOnlyWithinTheSignatureWindow() async {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var handler = DingTalkHandler(
            appSecret: "secret", intake: intake, notices: nil, logger: gatewayTestLogger, window: .seconds(300))
        handler.now = { now }
        func status(secondsAgo: Int64) async -> Int {
            let timestamp = String(1_700_000_000_000 - secondsAgo * 1000)
            let headers = httpFields([
                "timestamp": timestamp, "sign": DingTalkHandler.sign(timestamp: timestamp, appSecret: "secret"),
            ])
            let body = ##"{"msgId":"m\##(secondsAgo)","text":{"content":"#issue_w#in the window"}}"##
            return Int(await handler.handle(headers: headers, body: Array(body.utf8)).status.code)
        }
        #expect(await status(secondsAgo: 299) == 200)
        #expect(await status(secondsAgo: -299) == 200)
        #expect(await status(secondsAgo: 301) == 401)
        #expect(await status(secondsAgo: 1800) == 401)  // within the hour DingTalk itself allows
        #expect(publisher.commands.count == 2)
    }

    /// A mention with an empty key matched everywhere without consuming anything: the strip loop never ended.
    @Test func aMentionWithAnEmptyKeyEndsAndIsIgnored() {
        let stripped = MentionText.strip(
            "@_user_1 #issue_m#hello @_user_2",
            mentions: [
                (key: "", name: "ghost"), (key: "@_user_1", name: "Bot"),
                (key: "@_user_2", name: "Ann"),
            ])
        #expect(stripped == "#issue_m#hello @Ann")
    }

    @Test func anEncryptedMessageWithEmptyMentionKeysIsAnsweredAndPublished() async throws {
        let handler = makeFeishuHandler(publisher)
        let event = FeishuEventFactory.messageEvent(
            eventID: "e_empty", token: TestSecrets.token, text: "@_user_1 #issue_e#still works", messageID: "m",
            mentions: [(key: "", name: "x"), (key: "", name: ""), (key: "@_user_1", name: "Bot")])
        let request = FeishuEventFactory.request(event, encryptKey: TestSecrets.encryptKey)
        let answer = await handler.handle(headers: httpFields(request.headers), body: request.body)
        #expect(answer.status == .ok)
        #expect(publisher.commands.first?.content == "still works")
    }

    /// The `sessionWebhook` comes from the body, which DingTalk's signature does not cover.
    @Test(arguments: [
        "http://127.0.0.1:1/robot/sendBySession?session=x", "https://evil.example/robot/sendBySession?session=x",
        "https://oapi.dingtalk.com.evil.example/robot/sendBySession", "https://oapi.dingtalk.com/other/path",
        "http://oapi.dingtalk.com/robot/sendBySession", "https://user@oapi.dingtalk.com/robot/sendBySession",
        "https://oapi.dingtalk.com:8443/robot/sendBySession", "file:///etc/passwd", "not a url",
    ])
    func aSessionWebhookOffDingTalksEndpointIsDroppedAtTheIngress(webhook: String) async throws {
        let handler = DingTalkHandler(appSecret: "secret", intake: intake, notices: nil, logger: gatewayTestLogger)
        let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
        let headers = httpFields([
            "timestamp": timestamp, "sign": DingTalkHandler.sign(timestamp: timestamp, appSecret: "secret"),
        ])
        let body = try JSONSerialization.data(withJSONObject: [
            "msgId": "m1", "text": ["content": "#issue_s#hi"], "sessionWebhook": webhook,
        ])
        #expect(await handler.handle(headers: headers, body: Array(body)).status == .ok)
        let command = try #require(publisher.commands.first)
        #expect(command.origin.sessionWebhook == nil)
    }

    @Test func dingTalksOwnSessionEndpointIsKept() async throws {
        let handler = DingTalkHandler(appSecret: "secret", intake: intake, notices: nil, logger: gatewayTestLogger)
        let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
        let headers = httpFields([
            "timestamp": timestamp, "sign": DingTalkHandler.sign(timestamp: timestamp, appSecret: "secret"),
        ])
        let webhook = "https://oapi.dingtalk.com/robot/sendBySession?session=abc"
        let body = try JSONSerialization.data(withJSONObject: [
            "msgId": "m1", "text": ["content": "#issue_s#hi"], "sessionWebhook": webhook,
        ])
        #expect(await handler.handle(headers: headers, body: Array(body)).status == .ok)
        #expect(publisher.commands.first?.origin.sessionWebhook == webhook)
    }
}
