import Events
import Foundation
import HTTPTypes
import Testing

@testable import ReplyGateway

@Suite("Flow and DingTalk callbacks", .timeLimit(.minutes(1)))
struct FlowAndDingTalkHandlerTests {
    let publisher = RecordingPublisher()

    var intake: CommandIntake { CommandIntake(publisher: publisher, dedupeCapacity: 10, logger: gatewayTestLogger) }

    @Test func flowNeedsTheBearerToken() async throws {
        let flow = FlowHandler(token: "flow-secret", intake: intake, logger: gatewayTestLogger)
        let body = Array(##"{"content":"#issue_f#from the flow"}"##.utf8)
        #expect(await flow.handle(headers: [:], body: body).status == .unauthorized)
        #expect(
            await flow.handle(headers: httpFields(["Authorization": "Bearer wrong"]), body: body).status
                == .unauthorized)
        #expect(publisher.commands.isEmpty)
        let answer = await flow.handle(headers: httpFields(["Authorization": "Bearer flow-secret"]), body: body)
        #expect(answer.status == .ok)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.json.utf8)) as? [String: String])
        #expect(json["issueUUID"] == "issue_f")
        #expect(json["commandId"] == publisher.commands.first?.commandId)
        #expect(publisher.commands.first?.content == "from the flow")
        let bad = await flow.handle(
            headers: httpFields(["Authorization": "Bearer flow-secret"]), body: Array(#"{"content":"no issue"}"#.utf8))
        #expect(bad.status == .badRequest)
    }

    @Test func dingTalkChecksTheHeaderSignAndWindow() async throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var handler = DingTalkHandler(
            appSecret: "testAppSecret", intake: intake, notices: nil, logger: gatewayTestLogger)
        handler.now = { now }
        let body = Array(
            #"{"msgId":"msg1","msgtype":"text","text":{"content":" #issue_d#ding reply"},"senderNick":"Jioby","sessionWebhook":"http://127.0.0.1:1/s","sessionWebhookExpiredTime":1700005400000}"#
                .utf8)
        let signed = httpFields(["timestamp": "1700000000000", "sign": "6eme9OZpsZ0xT14aKlxRPyaQRga1PwA6MpSWONOX6mQ="])
        #expect(await handler.handle(headers: [:], body: body).status == .unauthorized)
        #expect(
            await handler.handle(headers: httpFields(["timestamp": "1700000000000", "sign": "AAAA"]), body: body).status
                == .unauthorized)
        let staleSign = DingTalkHandler.sign(timestamp: "1699990000000", appSecret: "testAppSecret")
        #expect(
            await handler.handle(headers: httpFields(["timestamp": "1699990000000", "sign": staleSign]), body: body)
                .status == .unauthorized)
        #expect(publisher.commands.isEmpty)
        #expect(await handler.handle(headers: signed, body: body).status == .ok)
        #expect(await handler.handle(headers: signed, body: body).outcome == "duplicate")
        let command = try #require(publisher.commands.first)
        #expect(publisher.commands.count == 1)
        #expect(command.content == "ding reply")
        #expect(command.origin.sessionWebhook == nil)  // not DingTalk's session endpoint: refused
    }
}
