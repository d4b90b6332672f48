import Events
import Foundation
import KafkaClient
import ServiceKit
import Testing

@testable import Notifier

@Suite("Routing: the routes file and the router")
struct RoutesFileTests {
    let env = ["OPS_DT_URL": "https://oapi.dingtalk.com/robot/send?access_token=x", "OPS_DT_SECRET": "SECx"]

    @Test func levelRouteSendsCriticalToDingTalkAndEverythingToFeishu() throws {
        let file = try RoutesFile.parse(
            """
            sinks:
              ops-dingtalk:
                type: dingtalk
                url_env: OPS_DT_URL
                secret_env: OPS_DT_SECRET
            routes:
              - name: critical
                match: {level: critical}
                sinks: [ops-dingtalk]
              - sinks: [feishu]
            """, environment: env, knownSinks: ["feishu"])
        #expect(file.sinks.map(\.name) == ["ops-dingtalk"])
        #expect(file.sinks[0].secret == "SECx")
        #expect(file.sinks[0].limits == SinkKind.dingtalk.documentedLimits)
        let router = EventRouter(sinkNames: ["feishu", "ops-dingtalk"], routes: try #require(file.routes))
        #expect(router.sinks(for: makeEvent(level: "critical")) == ["ops-dingtalk", "feishu"])
        #expect(router.sinks(for: makeEvent(level: "system_level_0")) == ["ops-dingtalk", "feishu"])
        #expect(router.sinks(for: makeEvent(level: "warning")) == ["feishu"])
    }

    /// The example compose users start from (config/routes.example.yaml) is a valid routes file.
    @Test func theShippedExampleParses() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/routes.example.yaml")
        let file = try RoutesFile.parse(
            try String(contentsOf: example, encoding: .utf8),
            environment: [
                "OPS_DINGTALK_URL": "https://oapi.dingtalk.com/robot/send?access_token=x",
                "OPS_DINGTALK_SECRET": "SECx",
            ],
            knownSinks: ["feishu"])
        #expect(file.sinks.map(\.name) == ["ops-dingtalk"])
        #expect(file.routes?.count == 2)
    }

    @Test func channelResourceGlobAndKindConditions() throws {
        let file = try RoutesFile.parse(
            """
            routes:
              - match:
                  channel: [payments, chan_x]
                  resource: "/api/pay*"
                  kind: issue.created
                sinks: feishu
            """, environment: [:], knownSinks: ["feishu"])
        let router = EventRouter(sinkNames: ["feishu"], routes: file.routes ?? [])
        #expect(router.sinks(for: makeEvent(resource: "/api/payments/refund", channel: "payments")) == ["feishu"])
        #expect(router.sinks(for: makeEvent(resource: "/api/orders", channel: "payments")).isEmpty)
        #expect(router.sinks(for: makeEvent(resource: "/api/pay", channel: "default")).isEmpty)
        #expect(router.sinks(for: makeEvent(kind: .reply, resource: "/api/pay", channel: "payments")).isEmpty)
    }

    @Test func withoutRoutesEveryEventGoesToEverySink() throws {
        let file = try RoutesFile.parse("sinks: {}\n", environment: [:], knownSinks: ["feishu"])
        #expect(file.routes == nil)
        #expect(
            EventRouter(sinkNames: ["feishu", "wecom"], routes: []).sinks(for: makeEvent()) == ["feishu", "wecom"])
    }

    @Test(arguments: [
        ("routes:\n  - match: {level: critical}\n    sinks: [nope]\n", 2, "unknown sink 'nope'"),
        ("routes:\n  - match: {levle: critical}\n    sinks: [feishu]\n", 2, "unknown match key 'levle'"),
        ("routes:\n  - match: {kind: issue.deleted}\n    sinks: [feishu]\n", 2, "unknown kind 'issue.deleted'"),
        ("routes:\n  - name: x\n", 2, "has no sinks"),
        ("sinks:\n  a:\n    type: telegram\n    url: https://x.example\n", 3, "unknown sink type 'telegram'"),
        ("sinks:\n  a:\n    type: wecom\n", 2, "needs url or url_env"),
        ("sinks:\n  a:\n    type: wecom\n    url: ftp://x\n", 4, "not an http(s) URL"),
        ("sinks:\n  a:\n    type: wecom\n    url_env: NOPE\n", 4, "NOPE, which is not set"),
        ("sinks:\n  a:\n    type: wecom\n    url: https://x.example\n    rate_limit: fast\n", 5, "rate_limit"),
        ("sinks:\n  a:\n    type: wecom\n    url: https://x.example\n    rate_limit: 1e300\n", 5, "rate_limit"),
        ("sinks:\n  a:\n    type: wecom\n    url: https://x.example\n    rate_limit: 1e-300\n", 5, "rate_limit"),
        ("sinks:\n  a:\n    type: wecom\n    url: https://x.example\n    rate_limit: inf\n", 5, "rate_limit"),
        ("sinks:\n  a:\n    type: wecom\n    url: https://x.example\n    rate_limit: nan\n", 5, "rate_limit"),
        (
            "sinks:\n  a:\n    type: dingtalk\n    url: https://x.example\n    template: \"{{#open}}\"\n", 5,
            "template of sink 'a'"
        ),
        ("sinks:\n  feishu:\n    type: wecom\n    url: https://x.example\n", 2, "already defined by the environment"),
        ("routes: [\n", 2, "not valid YAML"),
        ("other: 1\n", 1, "unknown key 'other'"),
    ])
    func invalidRoutesNameTheLineAndReason(text: String, line: Int, reason: String) {
        do {
            _ = try RoutesFile.parse(text, environment: [:], knownSinks: ["feishu"])
            Issue.record("expected a failure for \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func configLoadsEnvSinksAndRejectsNoSinkAndBadRoutesAtStart() throws {
        let kafka = KafkaClientSettings(bootstrapServers: "127.0.0.1:9092")
        let config = try NotifierConfig.load(
            ConfigSource([
                "FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/x", "FEISHU_WEBHOOK_SECRET": "s",
                "FEISHU_WEBHOOK_RATE_LIMIT": "0",
                "WECOM_WEBHOOK_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "NOTIFIER_MAX_ATTEMPTS": "3",
            ]), kafka: kafka)
        #expect(config.sinks.map(\.name) == ["feishu", "wecom"])
        #expect(config.sinks[0].limits.isEmpty)
        #expect(config.sinks[1].limits == SinkKind.wecom.documentedLimits)
        #expect(config.dispatch.retry.maxAttempts == 3)
        #expect(config.consumer.groupID == "notifier")

        #expect(throws: ConfigError.self) { try NotifierConfig.load(ConfigSource([:]), kafka: kafka) }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString).yaml")
        try "routes:\n  - sinks: [dingtalk]\n".write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        do {
            _ = try NotifierConfig.load(
                ConfigSource([
                    "FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/x", "ROUTES_FILE": path.path,
                ]), kafka: kafka)
            Issue.record("expected unknown sink")
        } catch {
            #expect(error.description.contains("line 2: route sends to unknown sink 'dingtalk'"))
        }
    }
}

extension RoutesFileTests {
    /// A platform's environment variables are its own (`SinkPlatform.environment`): each shares the platform's prefix,
    /// is accepted in a shared `CONFIG_FILE`, and a misspelt variable under the prefix is reported as a likely typo.
    @Test func eachEnvironmentSinksVariablesShareItsPrefixAndTyposAreReported() {
        let environments = SinkKind.allCases.compactMap { $0.platform.environment }
        #expect(environments.map(\.name) == ["feishu", "feishu-flow", "dingtalk", "wecom", "webhook"])
        for environment in environments {
            for key in environment.keys {
                #expect(key.name.hasPrefix(environment.prefix), "\(key.name)")
                #expect(ConfigKey.isKnown(key.name), "\(key.name) is not in ConfigKey.productKeyNames")
            }
            let typo = environment.prefix + "WEBHOK_URL"
            #expect(ConfigSource([typo: "https://x.example"]).unknownEnvironmentKeys == [typo])
        }
    }
}
