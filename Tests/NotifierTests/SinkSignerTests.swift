import Foundation
import Testing

@testable import Notifier

@Suite("Signatures match the platforms' test vectors")
struct SinkSignerTests {
    @Test func feishuSignMatchesVector1() {
        #expect(
            SinkSigner.feishu(timestamp: "1700000000", secret: "s3cr3t")
                == "CNNNRL0wSY2j+cKcY98lQAfVvb21u/iW3phZyXRkmcY=")
        // The DingTalk-style order is the common bug and must not be what we send.
        #expect(
            SinkSigner.feishu(timestamp: "1700000000", secret: "s3cr3t")
                != "APRjwSrmu2gntY/NUIZCw/i74wzW+CEcuSp2qg2XrSQ=")
    }

    @Test func dingtalkSignMatchesVector2() {
        #expect(
            SinkSigner.dingtalk(timestamp: "1700000000000", secret: "SECxyz")
                == "0PUR1j8g85Xg3vlFV/UrEcxXfF5HpCAGzcjrNfyJoyg=")
        #expect(
            SinkSigner.dingtalkQuery(timestamp: "1700000000000", secret: "SECxyz")
                == "timestamp=1700000000000&sign=0PUR1j8g85Xg3vlFV%2FUrEcxXfF5HpCAGzcjrNfyJoyg%3D")
    }

    @Test func signedFeishuRequestCarriesTimestampAndSignAtTopLevel() {
        let sink = SinkDefinition(
            name: "feishu", kind: .feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/t", secret: "s3cr3t")
        let request = FeishuSink.request(
            sink, body: Array(#"{"content":{"text":"hello"},"msg_type":"text"}"#.utf8),
            now: Date(timeIntervalSince1970: 1_700_000_000))
        let body = json(request.body)
        #expect(body["timestamp"] as? String == "1700000000")
        #expect(body["sign"] as? String == "CNNNRL0wSY2j+cKcY98lQAfVvb21u/iW3phZyXRkmcY=")
        #expect(body["msg_type"] as? String == "text")
        #expect(request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/t")
    }

    @Test func signedDingTalkRequestAppendsTheVectorsQuery() {
        let sink = SinkDefinition(
            name: "dingtalk", kind: .dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=TOKEN",
            secret: "SECxyz")
        let request = DingTalkSink.request(
            sink, body: Array("{}".utf8), now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(
            request.url == "https://oapi.dingtalk.com/robot/send?access_token=TOKEN"
                + "&timestamp=1700000000000&sign=0PUR1j8g85Xg3vlFV%2FUrEcxXfF5HpCAGzcjrNfyJoyg%3D"
        )
    }

    @Test func webhookSignatureIsHMACOverTimestampAndBody() {
        let sink = SinkDefinition(name: "webhook", kind: .webhook, url: "https://example.com/hook", secret: "k")
        let request = WebhookSink.request(
            sink, body: Array("{\"a\":1}".utf8), now: Date(timeIntervalSince1970: 1_700_000_000))
        let headers = Dictionary(request.headers, uniquingKeysWith: { $1 })
        #expect(headers["X-Signature-Timestamp"] == "1700000000")
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
        #expect(headers["X-Signature"] == "sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3")
    }

    @Test func signaturesAreComputedOncePerSecondAndFollowTheClock() {
        let sink = SinkDefinition(
            name: "feishu", kind: .feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/t", secret: "s3cr3t")
        let body = Array(#"{"msg_type":"text"}"#.utf8)
        let first = json(FeishuSink.request(sink, body: body, now: Date(timeIntervalSince1970: 1_700_000_000.2)).body)
        let sameSecond = json(
            FeishuSink.request(sink, body: body, now: Date(timeIntervalSince1970: 1_700_000_000.9)).body)
        let next = json(FeishuSink.request(sink, body: body, now: Date(timeIntervalSince1970: 1_700_000_001)).body)
        #expect(first["sign"] as? String == "CNNNRL0wSY2j+cKcY98lQAfVvb21u/iW3phZyXRkmcY=")
        #expect(sameSecond["sign"] as? String == first["sign"] as? String)
        #expect(next["timestamp"] as? String == "1700000001")
        #expect(next["sign"] as? String == SinkSigner.feishu(timestamp: "1700000001", secret: "s3cr3t"))
        // Another secret in the same second gets its own signature, not the cached one.
        let other = SinkDefinition(name: "f2", kind: .feishu, url: sink.url, secret: "other")
        let otherBody = json(
            FeishuSink.request(other, body: body, now: Date(timeIntervalSince1970: 1_700_000_001)).body)
        #expect(otherBody["sign"] as? String == SinkSigner.feishu(timestamp: "1700000001", secret: "other"))

        let dingtalk = SinkDefinition(
            name: "dingtalk", kind: .dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=T",
            secret: "SECxyz")
        let later = DingTalkSink.request(dingtalk, body: body, now: Date(timeIntervalSince1970: 1_700_000_000.75)).url
        #expect(later.hasSuffix("&timestamp=1700000000000&sign=0PUR1j8g85Xg3vlFV%2FUrEcxXfF5HpCAGzcjrNfyJoyg%3D"))
    }
}
