import Testing

@testable import Notifier

@Suite("Success is decided by the body code, not only the HTTP status")
struct SendOutcomeTests {
    func classify(_ kind: SinkKind, _ status: Int, _ body: String) -> SendOutcome {
        guard let platform = kind.platform as? any WebhookPlatform.Type else {
            Issue.record("\(kind) answers no plain webhook")
            return .rejected(reason: "not a webhook platform")
        }
        return platform.classify(status: status, body: Array(body.utf8))
    }

    @Test func feishuCodes() {
        #expect(classify(.feishu, 200, #"{"code":0,"data":{},"msg":"success"}"#) == .delivered)
        #expect(classify(.feishu, 200, #"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#) == .delivered)
        guard case .rejected = classify(.feishu, 200, #"{"code":19021,"msg":"sign match fail"}"#) else {
            Issue.record("19021 must be non-retryable")
            return
        }
        for code in [19024, 19022, 19001, 9499] {
            guard case .rejected = classify(.feishu, 200, #"{"code":\#(code),"msg":"x"}"#) else {
                Issue.record("\(code) must be non-retryable")
                return
            }
        }
        guard case .rateLimited = classify(.feishu, 200, #"{"code":11232,"msg":"frequency limited"}"#) else {
            Issue.record("11232 must be a rate limit")
            return
        }
        guard case .retryable = classify(.feishu, 500, "oops") else {
            Issue.record("5xx must be retryable")
            return
        }
        guard case .rejected = classify(.feishu, 400, #"{"StatusCode":9499,"StatusMessage":"Bad Request"}"#) else {
            Issue.record("9499 with HTTP 400 must be non-retryable")
            return
        }
    }

    @Test func dingtalkAndWeComCodes() {
        #expect(classify(.dingtalk, 200, #"{"errcode":0,"errmsg":"ok"}"#) == .delivered)
        guard case .rateLimited = classify(.dingtalk, 200, #"{"errcode":130101,"errmsg":"send too fast"}"#) else {
            Issue.record("130101 is a rate limit")
            return
        }
        guard case .rejected = classify(.dingtalk, 200, #"{"errcode":310000,"errmsg":"sign not match"}"#) else {
            Issue.record("310000 must be non-retryable")
            return
        }
        #expect(classify(.wecom, 200, #"{"errcode":0,"errmsg":"ok"}"#) == .delivered)
        guard
            case .rateLimited = classify(.wecom, 200, #"{"errcode":45009,"errmsg":"api freq out of limit"}"#)
        else {
            Issue.record("45009 is a rate limit")
            return
        }
        guard case .retryable = classify(.wecom, 200, #"{"errcode":-1,"errmsg":"system busy"}"#) else {
            Issue.record("-1 is retryable")
            return
        }
        guard case .rejected = classify(.wecom, 200, #"{"errcode":40008,"errmsg":"invalid message type"}"#) else {
            Issue.record("40008 is fatal")
            return
        }
    }

    @Test func genericWebhookByStatus() {
        #expect(classify(.webhook, 204, "") == .delivered)
        guard case .retryable = classify(.webhook, 503, "") else {
            Issue.record("503 retryable")
            return
        }
        guard case .rateLimited = classify(.webhook, 429, "") else {
            Issue.record("429 rate limit")
            return
        }
        guard case .rejected = classify(.webhook, 401, "") else {
            Issue.record("401 fatal")
            return
        }
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(8))
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, jitter: 1) == .seconds(4))
        #expect(policy.delay(afterAttempt: 10, jitter: 1) == .seconds(8))
        #expect(policy.delay(afterAttempt: 2, jitter: 0.5) == .seconds(1))
    }
}
