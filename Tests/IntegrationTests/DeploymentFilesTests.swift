import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Notifier
import Poller
import ReplyGateway
import ServiceKit
import TestSupport
import Testing

/// The files an ops team deploys with: the compose file must be valid and every variable it or the product reads
/// must be documented where users look (docs/configuration.md and .env.example).
@Suite("Deployment files")
struct DeploymentFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func read(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Variables interpolated by compose: `${NAME}`, `${NAME:-default}` (`$$` escapes are the container's own).
    func composeVariables() throws -> Set<String> {
        let text = try read("docker-compose.yml").replacingOccurrences(of: "$$", with: "")
        let regex = try NSRegularExpression(pattern: #"\$\{([A-Z0-9_]+)"#)
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return Set(matches.compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    /// Runs a program (looked up on PATH) from the repository root.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram("/usr/bin/env", arguments, in: Self.root)
    }

    /// The compose file as compose sees it (YAML anchors and merge keys resolved), through PyYAML.
    func compose() throws -> [String: Any] {
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let (status, output) = try run(["python3", "-c", script, "docker-compose.yml"])
        try #require(status == 0, "\(output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    func services() throws -> [String: [String: Any]] {
        try #require(try compose()["services"] as? [String: [String: Any]])
    }

    @Test func composeFileValidatesAgainstTheVendoredComposeSpecification() throws {
        let (status, output) = try run(["python3", "scripts/validate-compose.py", "docker-compose.yml"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("docker-compose.yml: valid"))
        for service in ["kafka", "kafka-init", "poller", "notifier", "reply-gateway"] {
            #expect(output.contains(service))
        }
        // The validator really checks: a service with an unknown key is refused.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        try "services:\n  a:\n    image: x\n    no_such_key: 1\n".write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let refused = try run(["python3", "scripts/validate-compose.py", broken.path])
        #expect(refused.status == 1)
        #expect(refused.output.contains("no_such_key"))
    }

    @Test func everyServiceCommandIsAnExecutableTheBuildScriptProduces() throws {
        let productsScript = try read("scripts/products.sh")
        let listed = try #require(productsScript.split(separator: "\n").first { $0.hasPrefix("PRODUCTS=(") })
        let products = Set(listed.dropFirst("PRODUCTS=(".count).dropLast().split(separator: " ").map(String.init))
        let manifest = try read("Package.swift")
        let regex = try NSRegularExpression(pattern: #"\.executable\(name: "([a-z-]+)""#)
        let declared = Set(
            regex.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest))
                .compactMap { Range($0.range(at: 1), in: manifest).map { String(manifest[$0]) } })
        #expect(products == declared, "scripts/products.sh and Package.swift's executables differ")
        for name in ["poller", "notifier", "reply-gateway"] {
            let command = try #require(try services()[name]?["command"] as? [String])
            #expect(products.contains(command[0]), "\(name) runs \(command[0]), which the image does not hold")
        }
        let dockerfile = try read("Dockerfile")
        #expect(dockerfile.contains("scripts/build-products.sh release /out"))
        #expect(dockerfile.contains("check-products.sh /usr/local/bin"))
    }

    @Test func theFilledInEnvironmentFileStaysOutOfGitAndOutOfImageBuilds() throws {
        let ignored = try run(["git", "check-ignore", "-q", ".env"])
        #expect(ignored.status == 0, ".env is not ignored by git")
        let configSecrets = try run(["git", "check-ignore", "-q", "config/notifier.env"])
        #expect(configSecrets.status == 0, "config/*.env is not ignored by git")
        let dockerignore = try read(".dockerignore").split(separator: "\n").map(String.init)
        #expect(dockerignore.contains(".env"))
        #expect(!(try read(".env.example")).contains("ON_CONFIG_ERROR=wait"), "the example must not hide errors")
    }

    @Test func observabilityPortsAreLocalAndGrafanaHasNoAnonymousAccess() throws {
        let services = try services()
        for name in ["prometheus", "grafana"] {
            let ports = try #require(services[name]?["ports"] as? [String])
            #expect(ports.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(name) publishes \(ports)")
        }
        let grafana = try #require(services["grafana"]?["environment"] as? [String: Any])
        #expect(grafana["GF_AUTH_ANONYMOUS_ENABLED"] as? String == "false")
    }

    @Test func everyContainerHasLogRotationAndAMemoryLimit() throws {
        for (name, service) in try services() {
            let logging = service["logging"] as? [String: Any]
            let options = logging?["options"] as? [String: Any]
            #expect(options?["max-size"] != nil && options?["max-file"] != nil, "\(name) has no log rotation")
            if name != "kafka-init" { #expect(service["mem_limit"] != nil, "\(name) has no memory limit") }
        }
    }

    /// With managed Kafka the `kafka` profile is off: no service that still runs may require the bundled broker.
    @Test func withoutTheKafkaProfileNothingRequiresTheBundledBroker() throws {
        let services = try services()
        let bundled = Set(services.filter { ($0.value["profiles"] as? [String])?.contains("kafka") == true }.keys)
        #expect(bundled == ["kafka", "kafka-init"])
        for (name, service) in services where !bundled.contains(name) {
            let dependencies = service["depends_on"] as? [String: [String: Any]] ?? [:]
            for (dependency, settings) in dependencies where bundled.contains(dependency) {
                #expect(settings["required"] as? Bool == false, "\(name) requires \(dependency)")
            }
            #expect(
                !(service["depends_on"] is [String])
                    || (service["depends_on"] as? [String])?.allSatisfy {
                        !bundled.contains($0)
                    } == true, "\(name) requires a bundled service")
        }
        #expect(try read(".env.example").contains("COMPOSE_PROFILES=kafka"))
    }

    /// Each service gets the variables it reads and no secret of another service.
    @Test func eachServiceGetsItsOwnVariablesAndNoOtherServicesSecrets() throws {
        let common = ConfigKey.commonKeys.filter { $0 != .kafkaTopicPartitions }
        let reads: [String: [ConfigKey]] = [
            "poller": common + ConfigKey.pollerKeys,
            "notifier": common + ConfigKey.notifierKeys,
            "reply-gateway": common + ConfigKey.gatewayKeys + ConfigKey.guanceAPIKeys,
        ]
        let services = try services()
        for (name, keys) in reads {
            let environment = try #require(services[name]?["environment"] as? [String: Any], "\(name)")
            #expect(services[name]?["env_file"] as? String != ".env", "\(name) gets every variable of .env")
            for key in keys {
                #expect(environment[key.name] != nil, "\(name) reads \(key.name) but compose does not pass it")
            }
            for key in Self.allKeys where key.isSecret && !keys.contains(key) {
                #expect(environment[key.name] == nil, "\(name) is given \(key.name), a secret it does not use")
            }
            #expect(environment["ON_CONFIG_ERROR"] as? String == "wait")
        }
    }

    @Test func everyComposeVariableIsDocumented() throws {
        let configuration = try read("docs/configuration.md")
        let example = try read(".env.example")
        let variables = try composeVariables()
        #expect(!variables.isEmpty)
        for variable in variables {
            #expect(configuration.contains(variable), "\(variable) is not in docs/configuration.md")
            #expect(example.contains("\(variable)="), "\(variable) is not in .env.example")
        }
    }

    /// Every key of every service, from the modules that define them.
    static let allKeys = ConfigKey.commonKeys + ConfigKey.pollerKeys + ConfigKey.notifierKeys + ConfigKey.gatewayKeys

    /// The names every service accepts in a shared `CONFIG_FILE` are exactly the keys the services define.
    @Test func theProductWideKeyNamesAreTheServicesKeys() {
        #expect(ConfigKey.productKeyNames == Set(Self.allKeys.map(\.name)))
        // A key two services read (the Feishu app's) is listed by both but defined once.
        #expect(Set(Self.allKeys).count == ConfigKey.productKeyNames.count, "a key is defined twice")
    }

    @Test func everyConfigurationVariableIsDocumented() throws {
        let configuration = try read("docs/configuration.md")
        let example = try read(".env.example")
        for key in Self.allKeys where key.name != ConfigKey.configFile.name {
            #expect(configuration.contains(key.name), "\(key.name) is not in docs/configuration.md")
            #expect(example.contains("\(key.name)="), "\(key.name) is not in .env.example")
        }
    }

    @Test func composeCreatesEveryProductTopicWithTheStateTopicCompacted() throws {
        let compose = try read("docker-compose.yml")
        for topic in Topics.all(partitions: 6) {
            #expect(compose.contains("create \(topic.name) "), "\(topic.name) is not created")
        }
        #expect(compose.contains("create guance.poller-state 1 \"--config cleanup.policy=compact\""))
        for topic in Topics.all(partitions: 6) where topic.name.hasSuffix(".dlq") {
            #expect(
                compose.contains("create \(topic.name) 1 \"--config retention.ms=$$DLQ_RETENTION_MS\""),
                "\(topic.name) has no explicit retention")
        }
        // The budget's usage log: one partition, deleted (not compacted: every claim of a window counts), broker time.
        let usage = compose.split(separator: "\n").first { $0.contains("create \(Topics.apiUsage) ") } ?? ""
        #expect(usage.contains("create \(Topics.apiUsage) 1 "))
        for setting in GuanceUsageLedger.topicSpec().config.sorted(by: { $0.key < $1.key }) {
            #expect(usage.contains("\(setting.key)=\(setting.value)"), "\(Topics.apiUsage) needs \(setting.key)")
        }
    }
}
