import Testing

@testable import ReplyGateway

/// Which `sessionWebhook` addresses from a DingTalk callback body the gateway may call.
@Suite struct SessionWebhookPolicyTests {
    @Test func dingTalksOwnEndpointIsAllowedWhateverTheCaseOfItsHost() {
        let policy = SessionWebhookPolicy()
        #expect(policy.refusal("https://oapi.dingtalk.com/robot/sendBySession?session=abc") == nil)
        #expect(policy.refusal("https://OAPI.DingTalk.com:443/robot/sendBySession?session=abc") == nil)
    }

    @Test func everyOtherAddressIsRefusedWithItsReason() {
        let policy = SessionWebhookPolicy()
        let refused: [(String, String)] = [
            ("https://evil.example/robot/sendBySession", "origin https://evil.example is not allowed"),
            ("http://oapi.dingtalk.com/robot/sendBySession", "origin http://oapi.dingtalk.com is not allowed"),
            ("https://oapi.dingtalk.com:8443/robot/sendBySession", "is not allowed"),
            ("https://oapi.dingtalk.com/robot/other", "path is not /robot/sendBySession"),
            ("https://user@oapi.dingtalk.com/robot/sendBySession", "user info or fragment present"),
            ("https://oapi.dingtalk.com/robot/sendBySession#x", "user info or fragment present"),
            // Hosts are compared as written: an escaped or punycode spelling is another origin.
            ("https://%6Fapi.dingtalk.com/robot/sendBySession", "is not allowed"),
            ("https://xn--oapi-dingtalk-9ba.com/robot/sendBySession", "is not allowed"),
            ("/robot/sendBySession", "not an absolute URL"),
            ("", "not an absolute URL"),
        ]
        for (address, reason) in refused {
            let refusal = policy.refusal(address)
            #expect(refusal?.contains(reason) == true, "\(address): \(refusal ?? "allowed")")
        }
    }

    @Test func configuredOriginsAreNormalisedAndNonOriginsDropped() {
        let policy = SessionWebhookPolicy(origins: [
            " HTTP://127.0.0.1:8080/ ", "https://Example.com:443", "https://example.org/path", "ftp://x", "nonsense",
        ])
        #expect(policy.origins == ["http://127.0.0.1:8080", "https://example.com"])
        #expect(policy.refusal("http://127.0.0.1:8080/robot/sendBySession") == nil)
        #expect(policy.refusal("https://example.com/robot/sendBySession") == nil)
    }
}
