import FeishuKit
import ServiceKit
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

    @Test func feishuWithoutAnEncryptKeyIsRefusedUnlessExplicitlyAllowed() throws {
        do {
            _ = try GatewayConfig.load(ConfigSource(["FEISHU_VERIFICATION_TOKEN": "vt"]), role: .ingress)
            Issue.record("started /feishu/events without FEISHU_ENCRYPT_KEY")
        } catch {
            #expect("\(error)".contains("FEISHU_ENCRYPT_KEY"))
            #expect("\(error)".contains("FEISHU_ALLOW_UNENCRYPTED"))
        }
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(
                ConfigSource(["FEISHU_VERIFICATION_TOKEN": "vt", "FEISHU_ALLOW_UNENCRYPTED": "maybe"]), role: .ingress)
        }
        let allowed = try GatewayConfig.load(
            ConfigSource(["FEISHU_VERIFICATION_TOKEN": "vt", "FEISHU_ALLOW_UNENCRYPTED": "true"]), role: .ingress)
        #expect(allowed.feishu?.encryptKey == nil)
        #expect(allowed.feishuUnencryptedAllowed)
        let encrypted = try GatewayConfig.load(
            ConfigSource(["FEISHU_VERIFICATION_TOKEN": "vt", "FEISHU_ENCRYPT_KEY": "ek"]), role: .ingress)
        #expect(!encrypted.feishuUnencryptedAllowed)
    }

    @Test func sessionWebhookOriginsMustBeHTTPSOrigins() throws {
        let defaults = try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t"]), role: .ingress)
        #expect(defaults.sessionWebhooks.origins == ["https://oapi.dingtalk.com"])
        #expect(defaults.readTimeout == .seconds(10))
        #expect(defaults.idleTimeout == .seconds(30))
        let custom = try GatewayConfig.load(
            ConfigSource([
                "FLOW_TOKEN": "t",
                "DINGTALK_SESSION_WEBHOOK_ORIGINS": "https://oapi.dingtalk.com, https://Ding.Corp:8443/",
                "GATEWAY_READ_TIMEOUT": "2", "GATEWAY_IDLE_TIMEOUT": "5",
            ]),
            role: .ingress)
        #expect(custom.sessionWebhooks.origins == ["https://oapi.dingtalk.com", "https://ding.corp:8443"])
        #expect(custom.sessionWebhooks.refusal("https://ding.corp:8443/robot/sendBySession?session=1") == nil)
        #expect(custom.readTimeout == .seconds(2))
        #expect(custom.idleTimeout == .seconds(5))
        for bad in ["http://oapi.dingtalk.com", "https://x/path", "ftp://x", " , "] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try GatewayConfig.load(
                    ConfigSource(["FLOW_TOKEN": "t", "DINGTALK_SESSION_WEBHOOK_ORIGINS": bad]), role: .ingress)
            }
        }
    }

    @Test func aHugeDurationIsAConfigurationErrorNotATrap() {
        for value in ["1e300", "inf", "nan", "-1"] {
            #expect(throws: ConfigError.self, "\(value)") {
                try GatewayConfig.load(
                    ConfigSource(["FLOW_TOKEN": "t", "GATEWAY_SIGNATURE_WINDOW": value]), role: .ingress)
            }
        }
    }
}

/// `FEISHU_EVENT_MODE`.
@Suite("Feishu event mode")
struct FeishuEventModeConfigTests {
    @Test func websocketModeNeedsTheAppCredentialsAndTheTokenButNoEncryptKey() throws {
        let websocket = try GatewayConfig.load(
            ConfigSource([
                "FEISHU_EVENT_MODE": "websocket", "FEISHU_APP_ID": "cli_x", "FEISHU_APP_SECRET": "s",
                "FEISHU_VERIFICATION_TOKEN": "vt", "GUANCE_API_KEY": "k",
            ]), role: .all)
        #expect(websocket.longConnection?.appID == "cli_x")
        #expect(websocket.longConnection?.verificationToken == "vt")
        #expect(websocket.feishu == nil, "/feishu/events is not served in websocket mode")

        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(
                ConfigSource(["FEISHU_EVENT_MODE": "websocket", "FEISHU_VERIFICATION_TOKEN": "vt"]), role: .ingress)
        }
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(
                ConfigSource(["FEISHU_EVENT_MODE": "websocket", "FEISHU_APP_ID": "a", "FEISHU_APP_SECRET": "s"]),
                role: .ingress)
        }
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(ConfigSource(["FEISHU_EVENT_MODE": "stream", "FLOW_TOKEN": "t"]), role: .ingress)
        }
        // The default stays webhook; a writer-only process opens no connection.
        let webhook = try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t"]), role: .ingress)
        #expect(webhook.longConnection == nil)
        let writer = try GatewayConfig.load(
            ConfigSource(["FEISHU_EVENT_MODE": "websocket", "GUANCE_API_KEY": "k"]), role: .writer)
        #expect(writer.longConnection == nil)
    }
}
