import NIOHTTP1
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

    /// Slack and Teams hand a 429's `Retry-After` (delta-seconds or an HTTP date) to the dispatcher, bounded to
    /// 1 s...1 h; a negative or malformed value leaves the platform's penalty window; other platforms ignore it.
    @Test(arguments: [
        ("7", Duration?.some(.seconds(7))), (" 30 ", .some(.seconds(30))), ("0", .some(.seconds(1))),
        ("9999999999", .some(.seconds(3600))), ("99999999999999999999", nil), ("-5", nil), ("1.5", nil), ("", nil),
        ("Sun, 06 Nov 1994 08:49:37 GMT", .some(.seconds(1))), ("Wed, 21 Oct 2099 07:28:00 GMT", .some(.seconds(3600))),
        ("Sunday, 06-Nov-94 08:49:37 GMT", nil),
    ])
    func retryAfterOfA429IsHonouredBySlackAndTeams(header: String, expected: Duration?) {
        let answer = SinkAnswer(status: 429, body: Array("rate_limited".utf8), headers: ["Retry-After": header])
        for outcome in [SlackSink.classify(answer), TeamsSink.classify(answer)] {
            guard case let .rateLimited(_, retryAfter) = outcome else {
                Issue.record("\(outcome)")
                continue
            }
            #expect(retryAfter == expected)
        }
        let plain = SinkAnswer(status: 429, body: [], headers: ["Retry-After": "7"])
        #expect(WebhookSink.classify(plain) == .rateLimited(reason: "HTTP 429 "))
        #expect(
            SlackSink.classify(SinkAnswer(status: 200, body: Array("ok".utf8), headers: ["Retry-After": "7"]))
                == .delivered)
    }
}
