import Foundation
import GuanceAPI
import KafkaClient
import ServiceKit
import Testing

@Suite("Configuration from environment and CONFIG_FILE")
struct ConfigSourceTests {
    func writeFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("c-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func environmentWinsOverTheFile() throws {
        let path = try writeFile("KAFKA_BROKERS: file:9092\nGUANCE_RATE_WINDOW: 7\n")
        let source = try ConfigSource.load(environment: ["CONFIG_FILE": path, "KAFKA_BROKERS": "env:9092"])
        #expect(source.string(.kafkaBrokers) == "env:9092")
        #expect(try source.seconds(.guanceRateWindow, default: .seconds(60)) == .seconds(7))
    }

    @Test func missingRequiredVariableNamesIt() {
        #expect(throws: ConfigError.missing(variable: "KAFKA_BROKERS", meaning: ConfigKey.kafkaBrokers.meaning)) {
            try ConfigSource([:]).required(.kafkaBrokers)
        }
    }

    @Test func invalidSecretValuesAreMaskedInErrors() throws {
        let source = ConfigSource(["GUANCE_API_KEY": "not-a-number-but-secret"])
        do {
            _ = try source.int(.guanceAPIKey, default: 1)
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("not-a-number-but-secret"))
            #expect("\(error)".contains("***"))
        }
    }

    @Test func kafkaPropertiesComeFromPrefixedVariablesAndTheFileSection() throws {
        let path = try writeFile("kafka_properties:\n  sasl.mechanisms: PLAIN\n  security.protocol: SSL\n")
        let source = try ConfigSource.load(environment: [
            "CONFIG_FILE": path, "KAFKA_PROP_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_PROP_SASL_USERNAME": "u",
            "KAFKA_PROP_SASL_PASSWORD": "",  // empty = unset: compose passes unused `${KAFKA_PROP_X:-}` as ""
        ])
        #expect(
            source.kafkaProperties == [
                "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN", "sasl.username": "u",
            ])
    }

    @Test func unknownFileKeysAndLikelyTyposInTheEnvironmentAreReported() throws {
        let path = try writeFile("KAFKA_BROKERS: a:1\nGUANCE_POL_INTERVAL: 3\n")
        #expect(throws: ConfigError.unknownKeys(source: path, keys: ["GUANCE_POL_INTERVAL"])) {
            try ConfigSource.load(environment: ["CONFIG_FILE": path])
        }
        let source = ConfigSource(["FEISHU_WEBHOK_URL": "x", "HOME": "/root"])
        #expect(source.unknownEnvironmentKeys == ["FEISHU_WEBHOK_URL"])
    }

    @Test func brokerListsAreValidated() {
        #expect(throws: ConfigError.self) {
            try KafkaClientSettings(config: ConfigSource(["KAFKA_BROKERS": "localhost"]), clientID: "t")
        }
        let settings = try? KafkaClientSettings(config: ConfigSource(["KAFKA_BROKERS": "a:1, b:2"]), clientID: "t")
        #expect(settings?.bootstrapServers == "a:1,b:2")
    }

    @Test func secretKafkaPropertiesAreRedacted() {
        let redacted = KafkaSecretProperties.redacted(["sasl.password": "p", "ssl.key.password": "k", "acks": "all"])
        #expect(redacted == ["sasl.password": "***", "ssl.key.password": "***", "acks": "all"])
    }
}
