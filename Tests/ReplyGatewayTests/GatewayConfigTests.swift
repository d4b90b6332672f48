import Shared
import Testing

@testable import ReplyGateway

@Suite("Gateway configuration")
struct GatewayConfigTests {
    @Test func theIngressNeedsAtLeastOneWayIn() {
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(ConfigSource(["KAFKA_BROKERS": "127.0.0.1:9092"]), role: .ingress)
        }
        let flowOnly = try? GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t"]), role: .ingress)
        #expect(flowOnly?.flowToken == "t")
        #expect(flowOnly?.feishu == nil)
    }

    @Test func theWriterNeedsTheGuanceKey() {
        do {
            _ = try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t"]), role: .all)
            Issue.record("started without GUANCE_API_KEY")
        } catch {
            #expect("\(error)".contains("GUANCE_API_KEY"))
        }
        let writer = try? GatewayConfig.load(ConfigSource(["GUANCE_API_KEY": "k"]), role: .writer)
        #expect(writer?.guance?.baseURL == "https://openapi.guance.com")
        #expect(writer?.guance?.rateLimit == 20)
    }

    @Test func appCredentialsComeInPairsAndDefaultsApply() throws {
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t", "FEISHU_APP_ID": "cli"]), role: .ingress)
        }
        let config = try GatewayConfig.load(
            ConfigSource([
                "FEISHU_VERIFICATION_TOKEN": "vt", "FEISHU_ENCRYPT_KEY": "ek", "FEISHU_APP_ID": "cli",
                "FEISHU_APP_SECRET": "s", "GATEWAY_PORT": "9000", "GATEWAY_PUBLISH_TIMEOUT": "1.5",
            ]),
            role: .ingress)
        #expect(config.port == 9000)
        #expect(config.app?.baseURL == "https://open.feishu.cn")
        #expect(config.feishu?.encryptKey == "ek")
        #expect(config.publishTimeout == .milliseconds(1500))
        #expect(config.maxBodyBytes == 1 << 20)
        #expect(config.signatureWindow == .seconds(300))
    }
}
