import DevStack
import Events
import FeishuKit
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import ReplyGateway

@Suite("Feishu event callbacks", .timeLimit(.minutes(1)))
struct FeishuEventHandlerTests {
    let publisher = RecordingPublisher()

    func message(
        _ text: String, eventID: String = "evt_1", rootID: String? = nil, sender: String = "user",
        token: String = TestSecrets.token
    ) -> String {
        FeishuEventFactory.messageEvent(
            eventID: eventID, token: token, text: text, messageID: "om_1", rootID: rootID, senderType: sender)
    }

    func send(_ handler: FeishuEventHandler, _ request: FeishuSignedRequest) async -> IngressAnswer {
        await handler.handle(headers: httpFields(request.headers), body: request.body)
    }

    @Test func encryptedSignedMessagePublishesOneCommandWithoutTheMention() async throws {
        let handler = makeFeishuHandler(publisher)
        let request = FeishuEventFactory.request(
            message("@_user_1 #issue_abc#收到，正在处理"), encryptKey: TestSecrets.encryptKey)
        let answer = await send(handler, request)
        #expect(answer.status == .ok)
        let command = try #require(publisher.commands.first)
        #expect(publisher.commands.count == 1)
        #expect(command.issueUUID == "issue_abc")
        #expect(command.content == "收到，正在处理")
        #expect(command.origin.platform == "feishu")
        #expect(command.origin.messageId == "om_1")
        #expect(command.commandId == CommandIntake.commandID(platform: "feishu", eventID: "evt_1"))
    }

    @Test func theSameEventThreeTimesPublishesOnce() async {
        let handler = makeFeishuHandler(publisher)
        for _ in 0..<3 {
            let request = FeishuEventFactory.request(
                message("@_user_1 #issue_abc#hi"), encryptKey: TestSecrets.encryptKey)
            #expect(await send(handler, request).status == .ok)
        }
        #expect(publisher.commands.count == 1)
    }

    @Test func kafkaDownAnswers503ThenTheRetryIsAccepted() async {
        let handler = makeFeishuHandler(publisher)
        publisher.failing.withLock { $0 = true }
        let first = await send(
            handler, FeishuEventFactory.request(message("#issue_a#x"), encryptKey: TestSecrets.encryptKey))
        #expect(first.status == .serviceUnavailable)
        publisher.failing.withLock { $0 = false }
        let retry = await send(
            handler, FeishuEventFactory.request(message("#issue_a#x"), encryptKey: TestSecrets.encryptKey))
        #expect(retry.status == .ok)
        #expect(publisher.commands.count == 1)
    }

    @Test func challengePlainAndEncrypted() async {
        let plain = makeFeishuHandler(publisher, encryptKey: nil)
        let answer = await send(
            plain,
            FeishuEventFactory.request(
                FeishuEventFactory.challenge("ch1", token: TestSecrets.token), encryptKey: nil))
        #expect(answer.status == .ok)
        #expect(answer.json == #"{"challenge":"ch1"}"#)
        let encrypted = makeFeishuHandler(publisher)
        // Feishu does not sign challenges: only the encrypted body.
        let body = Array(
            #"{"encrypt":"\#(FeishuEventCrypto.encrypt(FeishuEventFactory.challenge("ch2", token: TestSecrets.token), encryptKey: TestSecrets.encryptKey))"}"#
                .utf8)
        let second = await encrypted.handle(headers: [:], body: body)
        #expect(second.json == #"{"challenge":"ch2"}"#)
        let wrongToken = await send(
            plain,
            FeishuEventFactory.request(
                FeishuEventFactory.challenge("ch3", token: "nope"), encryptKey: nil))
        #expect(wrongToken.status == .unauthorized)
    }

    @Test func forgedRequestsAre4xxAndPublishNothing() async {
        let handler = makeFeishuHandler(publisher)
        let good = message("#issue_a#x")
        var wrongSignature = FeishuEventFactory.request(good, encryptKey: TestSecrets.encryptKey)
        wrongSignature.headers[FeishuHeaders.signature] = String(repeating: "0", count: 64)
        let stale = FeishuEventFactory.request(
            good, encryptKey: TestSecrets.encryptKey, timestamp: Date().addingTimeInterval(-3600))
        let wrongToken = FeishuEventFactory.request(
            message("#issue_a#x", token: "forged"), encryptKey: TestSecrets.encryptKey)
        let otherKey = FeishuEventFactory.request(good, encryptKey: "another-key")
        var unsigned = FeishuEventFactory.request(good, encryptKey: TestSecrets.encryptKey)
        unsigned.headers = [:]
        let malformed = FeishuEventFactory.request("{not json", encryptKey: TestSecrets.encryptKey)
        let notEncrypted = FeishuSignedRequest(body: Array(good.utf8), headers: [:])
        let cases: [(String, FeishuSignedRequest, Int)] = [
            ("wrong signature", wrongSignature, 401), ("stale timestamp", stale, 401), ("wrong token", wrongToken, 401),
            ("other key", otherKey, 401), ("unsigned", unsigned, 401), ("malformed", malformed, 400),
            ("not encrypted", notEncrypted, 400),
        ]
        for (name, request, status) in cases {
            let answer = await send(handler, request)
            #expect(Int(answer.status.code) == status, "\(name): \(answer)")
            #expect(!answer.json.contains(TestSecrets.encryptKey))
        }
        // A correctly signed body whose ciphertext was corrupted.
        let garbage = Array(#"{"encrypt":"\#(Data(repeating: 7, count: 48).base64EncodedString())"}"#.utf8)
        let seconds = String(Int64(Date().timeIntervalSince1970))
        let headers = [
            FeishuHeaders.timestamp: seconds, FeishuHeaders.nonce: "n",
            FeishuHeaders.signature: FeishuEventCrypto.signature(
                timestamp: seconds, nonce: "n", encryptKey: TestSecrets.encryptKey, body: garbage),
        ]
        #expect(await handler.handle(headers: httpFields(headers), body: garbage).status == .badRequest)
        #expect(await handler.handle(headers: [:], body: Array("[1,2".utf8)).status == .badRequest)
        #expect(publisher.commands.isEmpty)
    }

    @Test func botsOtherEventsAndUnparseableMessagesAreIgnoredWith200() async {
        let handler = makeFeishuHandler(publisher)
        let bot = await send(
            handler,
            FeishuEventFactory.request(message("#issue_a#x", sender: "app"), encryptKey: TestSecrets.encryptKey))
        #expect(bot.outcome == "ignored")
        let other =
            #"{"schema":"2.0","header":{"event_id":"e9","event_type":"contact.user.created_v3","token":"\#(TestSecrets.token)"},"event":{}}"#
        let answer = await send(handler, FeishuEventFactory.request(other, encryptKey: TestSecrets.encryptKey))
        #expect(answer.status == .ok && answer.outcome == "ignored")
        let chatter = await send(
            handler,
            FeishuEventFactory.request(message("@_user_1 hello", eventID: "e10"), encryptKey: TestSecrets.encryptKey))
        #expect(chatter.status == .ok && chatter.outcome == "ignored")
        #expect(publisher.commands.isEmpty)
    }

    @Test func aReplyInANotificationThreadFindsTheIssueFromTheRootMessage() async throws {
        let handler = makeFeishuHandler(publisher, threads: FixedThreads(roots: ["om_root": "issue_fromroot"]))
        let answer = await send(
            handler,
            FeishuEventFactory.request(
                message("@_user_1 checking the disk now", rootID: "om_root"), encryptKey: TestSecrets.encryptKey))
        #expect(answer.status == .ok)
        let command = try #require(publisher.commands.first)
        #expect(command.issueUUID == "issue_fromroot")
        #expect(command.content == "checking the disk now")
    }

    @Test func withoutAnEncryptKeyPlainEventsNeedOnlyTheToken() async {
        let handler = makeFeishuHandler(publisher, encryptKey: nil)
        let ok = await send(handler, FeishuEventFactory.request(message("#issue_p#plain"), encryptKey: nil))
        #expect(ok.status == .ok)
        let forged = await send(
            handler, FeishuEventFactory.request(message("#issue_p#plain", eventID: "e2", token: "x"), encryptKey: nil))
        #expect(forged.status == .unauthorized)
        #expect(publisher.commands.count == 1)
    }
}
