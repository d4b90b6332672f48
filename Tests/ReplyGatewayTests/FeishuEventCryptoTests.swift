import Crypto
import FeishuKit
import Foundation
import Testing

@testable import ReplyGateway

/// The worked vectors of docs/protocols/test-vectors.md (3 to 6).
@Suite("Feishu and DingTalk crypto vectors")
struct FeishuEventCryptoTests {
    static let encryptedBody =
        #"{"encrypt":"AAECAwQFBgcICQoLDA0ODygxCRD00ikE2ev/uv2HP2cPQwyluYwOGj0jaTC8TJINQ4QaZKL2Bc8iIcohiCmQChbYbO26ThZ5C+52IeqBNw0BAwbuigD3t23590yi20lT"}"#
    static let encrypted =
        "AAECAwQFBgcICQoLDA0ODygxCRD00ikE2ev/uv2HP2cPQwyluYwOGj0jaTC8TJINQ4QaZKL2Bc8iIcohiCmQChbYbO26ThZ5C+52IeqBNw0BAwbuigD3t23590yi20lT"
    static let challenge = #"{"challenge":"ajls384kdjx98XX","token":"xxxxxx","type":"url_verification"}"#

    @Test func larkSignatureOverTheEncryptedBody() {
        let signature = FeishuEventCrypto.signature(
            timestamp: "1700000000", nonce: "7d0f9c1e2b", encryptKey: "kudryavka", body: Array(Self.encryptedBody.utf8))
        #expect(signature == "4f4451fee25750024502cd90a8acbf0e38118ee1a77520cf7f4b43828e63a4a2")
    }

    @Test func larkSignatureOverAPlainBody() {
        let body =
            #"{"schema":"2.0","header":{"event_id":"evt_1","event_type":"im.message.receive_v1","token":"vt"},"event":{}}"#
        let signature = FeishuEventCrypto.signature(
            timestamp: "1700000000", nonce: "7d0f9c1e2b", encryptKey: "kudryavka", body: Array(body.utf8))
        #expect(signature == "723553080ac1ebc5635b56b293dbe9bc29a18bf08e41e0b7452e0cf8611ad36c")
    }

    @Test func aesKeyIsTheSHA256OfTheEncryptKey() {
        let key = FeishuEventCrypto.aesKey("kudryavka").withUnsafeBytes { Array($0) }
        let hex = key.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "59460ecb25d61e39e44da6fe9a0c408a42f0793277dca07e04f5da170f6b0c22")
    }

    @Test func encryptsWithAFixedIVExactlyLikeTheVector() {
        let encrypted = FeishuEventCrypto.encrypt(Self.challenge, encryptKey: "kudryavka", iv: Array(0..<16))
        #expect(encrypted == Self.encrypted)
    }

    @Test func decryptsTheVector() throws {
        #expect(try FeishuEventCrypto.decrypt(Self.encrypted, encryptKey: "kudryavka") == Self.challenge)
    }

    @Test func decryptsTheOfficialGoSDKKnownAnswer() throws {
        let ciphertext =
            "bZ3L7yh6m3Fkuffl4g+3uGjIHnhOm5fVZbKVuyT8t7tcd5ABMYm8l28/X900ZL3knZ7n+sCREu/H2WnIzft0amC7+xWqNH8o25IU63N4BnZWfHh+4hyG76QPd19vkw2bPJCx9aqxK8Nz+xqFNbk0RdgyWhmgd30jSxHtcQXAllkI7FMpGpOCteJad3bLXPDBQIV/xkCtKICCS7Z63gakpxZCLaRZ3qCXP1fapHh+LBIupxenrU6ysc7I3nHmjmKie41IiWwS5puG4zQHhVbq6KWLcgWm/3NBZOPQy53ucMu75SXA55I7jarVLZXWUcqBGrcgE3vouWbtwgZuzmoTQl0GSh5VYSVvpW992BuGxUWj0XjPYdICJm6Cr7xouNXwMcdb7N8caVdkdSZeEnswG19qSyDoQhklwzNGW0yiaayulBqJNjfge/G5V3401c2XaIuAeEIo+QQ4RSNpRGfnHkbu/j55FGQAGWjpuBNaIwZbaUoVP3NkGP+vM5rpEDe3sL2GN+Xsd+g9yBs7FqdMV8mXTGgLjCqjrPrke5/km76Q3Pe6KPs2YexMRG4MkSx3xUTzZnNn7zIzShPcjeSwBd2pxk6ht5N+fzueZdxl6Oo="
        let expected =
            #"{"schema":"2.0","header":{"event_id":"f7984f25108f8137722bb63cee927e66","event_type":"contact.user.created_v3","app_id":"cli_xxxxxxxx","tenant_key":"xxxxxxx","create_time":"1603977298000000","token":"v"},"event":{"object":{"open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","union_id":"on_576833b917gda3d939b9a3c2d53e72c8","user_id":"e33ggbyz","name":"张三","employee_no":"employee_no"}},"challenge":"1212","type":"url_verification"}"#
        #expect(try FeishuEventCrypto.decrypt(ciphertext, encryptKey: "1212121212") == expected)
    }

    @Test func rejectsWrongKeysAndMalformedBlobs() {
        #expect(throws: FeishuEventCrypto.DecryptionError.self) {
            try FeishuEventCrypto.decrypt(Self.encrypted, encryptKey: "not-the-key")
        }
        #expect(throws: FeishuEventCrypto.DecryptionError.badLength(16)) {
            try FeishuEventCrypto.decrypt(Data(repeating: 1, count: 16).base64EncodedString(), encryptKey: "k")
        }
        #expect(throws: FeishuEventCrypto.DecryptionError.badLength(40)) {
            try FeishuEventCrypto.decrypt(Data(repeating: 1, count: 40).base64EncodedString(), encryptKey: "k")
        }
        #expect(throws: FeishuEventCrypto.DecryptionError.notBase64) {
            try FeishuEventCrypto.decrypt("%%%not base64%%%", encryptKey: "k")
        }
    }

    @Test func dingTalkCallbackSignVector() {
        #expect(
            DingTalkHandler.sign(timestamp: "1700000000000", appSecret: "testAppSecret")
                == "6eme9OZpsZ0xT14aKlxRPyaQRga1PwA6MpSWONOX6mQ=")
    }
}
