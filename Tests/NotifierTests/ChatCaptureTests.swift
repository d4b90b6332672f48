import DevStack
import Foundation
import Synchronization
import Testing

@testable import Notifier

/// The DevStack captures behave like the platforms: strict signatures, real error bodies, enforced limits.
@Suite("Chat captures follow the platforms' protocols", .timeLimit(.minutes(1)))
struct ChatCaptureTests {
    static let http = WebhookHTTPClient()

    func post(_ capture: ChatCapture, _ url: String, _ body: String) async throws -> (Int, [String: Any]) {
        let answer = try await HTTPSinkTransport(client: Self.http).send(
            SinkRequest(url: url, headers: [("Content-Type", "application/json")], body: Array(body.utf8)),
            timeout: .seconds(5))
        return (answer.status, json(answer.body))
    }

    @Test func feishuRejectsMissingAndWrongSignaturesWith19021AndAcceptsTheRightOne() async throws {
        let capture = ChatCapture(options: .init(feishuSecret: "s3cr3t", enforceRateLimits: false))
        try await capture.start()
        let text = #""msg_type":"text","content":{"text":"hello"}"#
        var (_, answer) = try await post(capture, capture.feishuURL, "{\(text)}")
        #expect(answer["code"] as? Int == 19021)
        let now = String(Int(Date().timeIntervalSince1970))
        // The DingTalk-style order (key = secret) must be refused.
        let wrong = SinkSigner.dingtalk(timestamp: now, secret: "s3cr3t")
        (_, answer) = try await post(
            capture, capture.feishuURL, #"{"timestamp":"\#(now)","sign":"\#(wrong)",\#(text)}"#)
        #expect(answer["code"] as? Int == 19021)
        let right = SinkSigner.feishu(timestamp: now, secret: "s3cr3t")
        (_, answer) = try await post(
            capture, capture.feishuURL, #"{"timestamp":"\#(now)","sign":"\#(right)",\#(text)}"#)
        #expect(answer["code"] as? Int == 0)
        #expect(answer["msg"] as? String == "success")
        (_, answer) = try await post(
            capture, capture.feishuURL.replacingOccurrences(of: "devstack", with: "other"), "{\(text)}")
        #expect(answer["code"] as? Int == 19001)
        #expect(capture.accepted(.feishu).count == 1)
        await capture.stop()
    }

    @Test func dingtalkNeedsItsSignAndThrottlesThe21stMessageOfAMinute() async throws {
        let capture = ChatCapture(options: .init(dingtalkSecret: "SECxyz"))
        try await capture.start()
        let body = #"{"msgtype":"markdown","markdown":{"title":"t","text":"x"}}"#
        var (_, answer) = try await post(capture, capture.dingtalkURL, body)
        #expect(answer["errcode"] as? Int == 310000)
        let signed = {
            capture.dingtalkURL + "&"
                + SinkSigner.dingtalkQuery(
                    timestamp: String(Int64(Date().timeIntervalSince1970 * 1000)), secret: "SECxyz")
        }
        for _ in 0..<20 {
            (_, answer) = try await post(capture, signed(), body)
            #expect(answer["errcode"] as? Int == 0)
        }
        (_, answer) = try await post(capture, signed(), body)
        #expect(answer["errcode"] as? Int == 130101)
        #expect(capture.rateLimited(.dingtalk) == 1)
        await capture.stop()
    }

    @Test func wecomChecksTypesAndByteLimitsAndInjectedFailuresComeFirst() async throws {
        let capture = ChatCapture(options: .init(enforceRateLimits: false))
        try await capture.start()
        var (_, answer) = try await post(
            capture, capture.wecomURL,
            #"{"msgtype":"markdown","markdown":{"content":"\#(String(repeating: "满", count: 1366))"}}"#)
        #expect(answer["errcode"] as? Int == 45002)  // 4098 bytes
        (_, answer) = try await post(capture, capture.wecomURL, #"{"msgtype":"card"}"#)
        #expect(answer["errcode"] as? Int == 40008)
        capture.inject(.wecom, [.http(502), .code(-1, "system busy")])
        let ok = #"{"msgtype":"markdown","markdown":{"content":"fine"}}"#
        var status: Int
        (status, _) = try await post(capture, capture.wecomURL, ok)
        #expect(status == 502)
        (_, answer) = try await post(capture, capture.wecomURL, ok)
        #expect(answer["errcode"] as? Int == -1)
        (_, answer) = try await post(capture, capture.wecomURL, ok)
        #expect(answer["errcode"] as? Int == 0)
        #expect(capture.accepted(.wecom).map(\.text) == [ok])
        await capture.stop()
    }

    /// `make run` prints every platform's message the same way: `[platform] title`, then indented details.
    @Test(arguments: [
        (ChatCapture.Platform.feishu, "feishu-card.json"), (.feishuFlow, "feishu-flow.json"),
        (.dingtalk, "dingtalk-markdown.json"), (.wecom, "wecom-markdown.json"),
    ])
    func consolePrintsPlatformAndTitleOnTheFirstLineAndDetailsBelow(
        platform: ChatCapture.Platform, file: String
    ) async throws {
        let printed = Mutex<[String]>([])
        var options = ChatCapture.Options(enforceRateLimits: false)
        options.printer = { text in printed.withLock { $0.append(text) } }
        let capture = ChatCapture(options: options)
        try await capture.start()
        let url =
            switch platform {
            case .feishu: capture.feishuURL
            case .feishuFlow: capture.feishuFlowURL
            case .dingtalk: capture.dingtalkURL
            case .wecom: capture.wecomURL
            case .webhook: capture.webhookURL
            }
        let body = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Golden/\(file)"), encoding: .utf8)
        _ = try await post(capture, url, body)
        await capture.stop()
        let text = try #require(printed.withLock { $0.first })
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("[\(platform.rawValue)] "), "\(text)")
        #expect(lines[0].contains("Checkout latency #7"), "the title is on the first line: \(text)")
        #expect(text.components(separatedBy: "Checkout latency #7").count == 2, "the title is printed once: \(text)")
        #expect(lines.count > 1, "\(text)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "details are indented: \(text)")
    }

    /// WeCom counts every request against its 20 per minute, rejected ones included; a DingTalk robot over its limit
    /// answers 130101 for the whole penalty, even once its minute rolled over. (Windows compressed: 1.5 s, 3 s.)
    @Test func wecomCountsRejectedRequestsAndDingTalkKeepsItsPenalty() async throws {
        var options = ChatCapture.Options()
        options.minuteWindow = .milliseconds(1500)
        options.dingtalkPenalty = .seconds(3)
        let capture = ChatCapture(options: options)
        try await capture.start()
        let wecom = #"{"msgtype":"markdown","markdown":{"content":"fine"}}"#
        let dingtalk = #"{"msgtype":"markdown","markdown":{"title":"t","text":"x"}}"#
        var codes: [Int] = []
        for _ in 0..<22 { codes.append(try await post(capture, capture.wecomURL, wecom).1["errcode"] as? Int ?? -99) }
        for _ in 0..<21 {
            codes.append(try await post(capture, capture.dingtalkURL, dingtalk).1["errcode"] as? Int ?? -99)
        }
        let started = ContinuousClock.now
        #expect(codes == Array(repeating: 0, count: 20) + [45009, 45009] + Array(repeating: 0, count: 20) + [130101])
        // The time under test (the window rolling over), not a synchronisation.
        try await Task.sleep(for: .seconds(2))
        #expect(try await post(capture, capture.wecomURL, wecom).1["errcode"] as? Int == 0)
        #expect(try await post(capture, capture.dingtalkURL, dingtalk).1["errcode"] as? Int == 130101)
        try await Task.sleep(until: started + .milliseconds(3200), clock: .continuous)
        #expect(try await post(capture, capture.dingtalkURL, dingtalk).1["errcode"] as? Int == 0)
        await capture.stop()
    }
}
