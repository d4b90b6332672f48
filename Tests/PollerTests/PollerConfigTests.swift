import Foundation
import ServiceKit
import Testing

@testable import Poller

@Suite("Poller configuration")
struct PollerConfigTests {
    func source(_ env: [String: String], yaml: String? = nil) throws -> ConfigSource {
        var env = env
        if let yaml {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("poller-\(UUID().uuidString).yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            env["CONFIG_FILE"] = file.path
        }
        return try ConfigSource.load(environment: env, sections: [PollerConfig.targetsSection])
    }

    @Test func oneDefaultTargetFromTheEnvironment() throws {
        let config = try PollerConfig.load(
            source(["GUANCE_API_KEY": "k1", "GUANCE_CONSOLE_URL": "https://console.example.com/"]), instanceID: "i")
        #expect(config.targets.map(\.name) == ["default"])
        #expect(config.targets[0].openAPIURL == "https://openapi.guance.com")
        #expect(config.targets[0].consoleURL == "https://console.example.com")
        #expect(config.targets[0].rateLimit == 20)
        #expect(config.settings.pollInterval == .seconds(5))
    }

    @Test func nothingToPollIsAConfigurationErrorNamingTheKey() throws {
        for yaml in [nil, "poll_targets: []\n"] {
            #expect {
                try PollerConfig.load(source([:], yaml: yaml), instanceID: "i")
            } throws: { error in
                "\(error)".contains("GUANCE_API_KEY")
            }
        }
    }

    @Test func severalTargetsFromYAMLWithKeysFromTheEnvironment() throws {
        let yaml = """
            GUANCE_POLL_INTERVAL: 4
            poll_targets:
              - name: prod
                api_key_env: PROD_KEY
                channel: chan_abc
              - name: staging
                api_key_env: STAGING_KEY
                openapi_url: https://us1-openapi.guance.com
                rate_limit: 40
            """
        let config = try PollerConfig.load(
            source(["PROD_KEY": "p", "STAGING_KEY": "s"], yaml: yaml), instanceID: "i")
        #expect(config.targets.map(\.name) == ["prod", "staging"])
        #expect(config.targets[0].channelUUID == "chan_abc")
        #expect(config.targets[1].openAPIURL == "https://us1-openapi.guance.com")
        #expect(config.targets[1].rateLimit == 40)
        #expect(config.settings.pollInterval == .seconds(4))
    }

    @Test func aMissingKeyVariableNamesIt() throws {
        let yaml = "poll_targets:\n  - name: prod\n    api_key_env: PROD_KEY\n"
        #expect(throws: ConfigError.missing(variable: "PROD_KEY", meaning: "API key of poll target prod")) {
            try PollerConfig.load(source([:], yaml: yaml), instanceID: "i")
        }
    }

    @Test func duplicateNamesAndUnknownKeysAreRejected() throws {
        let duplicate = "poll_targets:\n  - {name: a, api_key: x}\n  - {name: a, api_key: y}\n"
        #expect(throws: ConfigError.self) { try PollerConfig.load(source([:], yaml: duplicate), instanceID: "i") }
        let unknown = "poll_targets:\n  - {name: a, api_key: x, apikey: y}\n"
        #expect(throws: ConfigError.self) { try PollerConfig.load(source([:], yaml: unknown), instanceID: "i") }
    }

    @Test func anIntervalBelowTheBudgetIsClamped() throws {
        let config = try PollerConfig.load(
            source(["GUANCE_API_KEY": "k", "GUANCE_POLL_INTERVAL": "1"]), instanceID: "i")
        #expect(config.settings.pollInterval == .milliseconds(3750), "60 s / (20 - 4 calls left to replies)")
        #expect(config.notices.count == 1)
        #expect(config.settings.minimumPollGap == .milliseconds(3750))
        #expect(config.settings.pushShare == 19, "woken polls borrow the reserve but one call")
        #expect(config.settings.pushReserveKept == 1)
        #expect(config.settings.pushBurst == 3)
        #expect(config.settings.pushPollInterval == .seconds(30), "the default interval while pushes arrive")
        let shared = "poll_targets:\n  - {name: a, api_key: same}\n  - {name: b, api_key: same}\n"
        let two = try PollerConfig.load(source(["GUANCE_POLL_INTERVAL": "1"], yaml: shared), instanceID: "i")
        #expect(two.settings.pollInterval == .milliseconds(7500))
        #expect(two.settings.minimumPollGap == .milliseconds(7500))
        #expect(two.settings.pushShare == 9, "19 calls split between the two targets on the key")
        #expect(two.settings.pushBurst == 1)
        let noReserve = try PollerConfig.load(
            source(["GUANCE_API_KEY": "k", "GUANCE_RATE_RESERVE": "0", "GUANCE_PUSH_POLL_INTERVAL": "0"]),
            instanceID: "i")
        #expect(noReserve.settings.pushReserveKept == nil, "nothing to lend")
        #expect(noReserve.settings.pushShare == 20)
        #expect(noReserve.settings.pushPollInterval == .zero, "0 = always GUANCE_POLL_INTERVAL")
    }

    @Test func targetsSpreadOverCoordinationPartitionsStably() {
        let target = PollTarget(
            name: "prod", openAPIURL: "", apiKey: "k", channelUUID: nil, channelName: "default", consoleURL: nil,
            rateLimit: 20)
        #expect(target.coordinationPartition(of: 12) == target.coordinationPartition(of: 12))
        let names = (0..<48).map { "t\($0)" }
        let partitions = Set(
            names.map {
                PollTarget(
                    name: $0, openAPIURL: "", apiKey: "", channelUUID: nil, channelName: "", consoleURL: nil,
                    rateLimit: 0
                ).coordinationPartition(of: 12)
            })
        #expect(partitions.count > 6)
    }
}
