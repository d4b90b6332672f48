import Signing
import Testing

/// The platforms' published signature vectors (docs/protocols/test-vectors.md), checked on the one implementation
/// the notifier, the gateway and DevStack's captures share.
@Suite("Chat platform signatures and hex")
struct SigningTests {
    @Test func feishuWebhookSignatureMatchesItsVector() {
        #expect(
            FeishuWebhookSignature.sign(timestamp: "1700000000", secret: "s3cr3t")
                == "CNNNRL0wSY2j+cKcY98lQAfVvb21u/iW3phZyXRkmcY=")
        // The DingTalk order (secret as key) is the common mistake and gives another value.
        #expect(
            FeishuWebhookSignature.sign(timestamp: "1700000000", secret: "s3cr3t")
                != "APRjwSrmu2gntY/NUIZCw/i74wzW+CEcuSp2qg2XrSQ=")
    }

    @Test func dingTalkSignatureMatchesItsVector() {
        #expect(
            DingTalkSignature.sign(timestamp: "1700000000000", appSecret: "SECxyz")
                == "0PUR1j8g85Xg3vlFV/UrEcxXfF5HpCAGzcjrNfyJoyg=")
    }

    @Test func webhookSignatureIsTheHexHMACOverTimestampAndBody() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
        #expect(
            WebhookSignature.sign(timestamp: "1700000000", body: Array("{\"a\":1}".utf8), secret: "k")
                == "sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3")
    }

    @Test func hexIsTwoLowercaseDigitsPerByteInOrder() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff, 0x7e]) == "000fa0ff7e")
        for byte in UInt8.min...UInt8.max {
            #expect(Hex.encode([byte]) == String(byte, radix: 16).leftPadded(to: 2))
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
