import DevStack
import Foundation
import Testing

@Suite("Executables start, check their configuration and stop cleanly", .timeLimit(.minutes(2)))
struct StartupTests {
    static let services = ["poller", "notifier", "reply-gateway"]

    @Test(arguments: services)
    func missingKafkaBrokersExitsWithCode2NamingTheVariable(service: String) async throws {
        let process = try ChildProcess(service, environment: ["PATH": "/usr/bin:/bin"])
        let status = try await process.waitForExit(timeout: .seconds(20))
        #expect(status == 2)
        #expect(process.outputText.contains("KAFKA_BROKERS"))
        #expect(process.outputText.split(separator: "\n").count == 1)
    }

    /// compose sets ON_CONFIG_ERROR=wait: an unconfigured service stays up with the problem written for its health
    /// check, instead of exiting 2 and being restarted in a loop; SIGTERM still stops it with code 0.
    @Test func onConfigErrorWaitKeepsAnUnconfiguredServiceUpWithTheProblemReadable() async throws {
        try? FileManager.default.removeItem(atPath: "/tmp/not-configured")
        let process = try ChildProcess(
            "notifier", environment: ["KAFKA_BROKERS": "127.0.0.1:9092", "ON_CONFIG_ERROR": "wait"])
        try await eventually("not-configured line") { process.outputText.contains("not configured; waiting") }
        #expect(try await process.waitForExit(timeout: .seconds(1)) == nil, "exited: \(process.outputText)")
        let problem = try String(contentsOfFile: "/tmp/not-configured", encoding: .utf8)
        #expect(problem.hasPrefix("not configured: notifier: "))
        #expect(problem.contains("FEISHU_WEBHOOK_URL"))
        process.signal(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test func anUnreachableBrokerStopsStartUpWithAClearErrorInBoundedTime() async throws {
        let process = try ChildProcess("poller", environment: ["KAFKA_BROKERS": "127.0.0.1:1", "GUANCE_API_KEY": "k"])
        let status = try await process.waitForExit(timeout: .seconds(40))
        #expect(status == 1)
        #expect(process.outputText.contains("127.0.0.1:1"))
    }

    @Test func aPollerWithNothingToPollExitsWithCode2NamingTheKey() async throws {
        let process = try ChildProcess("poller", environment: ["KAFKA_BROKERS": "127.0.0.1:9092"])
        #expect(try await process.waitForExit(timeout: .seconds(20)) == 2)
        #expect(process.outputText.contains("GUANCE_API_KEY"))
        #expect(process.outputText.split(separator: "\n").count == 1)
    }

    /// A cluster where the coordination topic is missing and cannot be created (librdkafka's mock cluster answers
    /// no CreateTopics, like a managed Kafka that forbids it): one line naming the topic and the command.
    @Test func aMissingTopicThatCannotBeCreatedStopsThePollerNamingTheFix() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("guance.issue-events", partitions: 3)
        try cluster.createTopic("guance.poller-state", partitions: 1)
        let process = try ChildProcess(
            "poller",
            environment: [
                "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_API_KEY": "k", "LOG_LEVEL": "error",
            ])
        #expect(try await process.waitForExit(timeout: .seconds(40)) == 2)
        let line =
            "topic guance.poller-coordination does not exist; create it: kafka-topics.sh --bootstrap-server "
            + "\(cluster.bootstrapServers) --create --topic guance.poller-coordination --partitions 12"
        #expect(process.outputText.contains(line), "\(process.outputText)")
    }

    @Test(arguments: [
        ("notifier", ["FEISHU_WEBHOOK_URL": "http://127.0.0.1:9/open-apis/bot/v2/hook/x"], "guance.issue-events"),
        ("reply-gateway", ["FLOW_TOKEN": "t", "GUANCE_API_KEY": "k", "GATEWAY_PORT": "0"], "guance.reply-commands"),
    ])
    func aServiceOnAClusterWithoutItsTopicsExitsWithCode2NamingTheFirst(
        service: String, environment: [String: String], topic: String
    ) async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        let process = try ChildProcess(
            service,
            environment: environment.merging([
                "KAFKA_BROKERS": cluster.bootstrapServers, "LOG_LEVEL": "error",
            ]) { $1 })
        #expect(try await process.waitForExit(timeout: .seconds(40)) == 2)
        #expect(
            process.outputText.contains(
                "topic \(topic) does not exist; create it: kafka-topics.sh --bootstrap-server "
                    + "\(cluster.bootstrapServers) --create --topic \(topic) --partitions 6"), "\(process.outputText)")
    }

    @Test func aRejectedLibrdkafkaPropertyStopsStartUpWithLibrdkafkasMessage() async throws {
        let process = try ChildProcess(
            "notifier",
            environment: [
                "KAFKA_BROKERS": "127.0.0.1:9092", "KAFKA_PROP_NO_SUCH_THING": "1",
                "FEISHU_WEBHOOK_URL": "http://127.0.0.1:9/open-apis/bot/v2/hook/x",
            ])
        let status = try await process.waitForExit(timeout: .seconds(20))
        #expect(status == 2)
        #expect(process.outputText.contains("no.such.thing"))
        #expect(process.outputText.contains("No such configuration property"))
    }

    @Test func unknownKeysInTheConfigFileAreReported() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).yaml")
        try "KAFKA_BROKERS: 127.0.0.1:9092\nKAFKA_BROKRES: typo\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = try ChildProcess("reply-gateway", environment: ["CONFIG_FILE": file.path])
        let status = try await process.waitForExit(timeout: .seconds(20))
        #expect(status == 2)
        #expect(process.outputText.contains("KAFKA_BROKRES"))
    }

    @Test func theGatewayWithoutItsSecretsExitsWithCode2NamingThem() async throws {
        let writer = try ChildProcess(
            "reply-gateway", arguments: ["--role", "writer"], environment: ["KAFKA_BROKERS": "127.0.0.1:9092"])
        #expect(try await writer.waitForExit(timeout: .seconds(20)) == 2)
        #expect(writer.outputText.contains("GUANCE_API_KEY"))
        let ingress = try ChildProcess(
            "reply-gateway", arguments: ["--role", "ingress"], environment: ["KAFKA_BROKERS": "127.0.0.1:9092"])
        #expect(try await ingress.waitForExit(timeout: .seconds(20)) == 2)
        #expect(ingress.outputText.contains("FEISHU_VERIFICATION_TOKEN"))
        #expect(ingress.outputText.split(separator: "\n").count == 1)
    }

    @Test func devStackPrintsBrokersFirstAndEveryServiceStopsOnSIGTERM() async throws {
        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString).env")
        defer { try? FileManager.default.removeItem(at: envFile) }
        let devStack = try ChildProcess("dev-stack", arguments: ["--env-file", envFile.path], environment: [:])
        try await eventually("dev-stack wrote its env file") {
            (try? String(contentsOf: envFile, encoding: .utf8))?.hasPrefix("KAFKA_BROKERS=") == true
        }
        #expect(devStack.outputText.hasPrefix("KAFKA_BROKERS=127.0.0.1:"))
        // Like `make run`: every KEY=VALUE dev-stack wrote (brokers first, then the simulators' URLs).
        let lines = try String(contentsOf: envFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasPrefix("KAFKA_BROKERS=") == true)
        var environment: [String: String] = [:]
        for line in lines {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        for service in Self.services {
            var environment = environment
            if service == "reply-gateway" {
                // The gateway needs a way in (here the flow token) and, for its writer, a Guance key.
                environment.merge(["FLOW_TOKEN": "t", "GUANCE_API_KEY": "k", "GATEWAY_PORT": "0"]) { current, _ in
                    current
                }
            }
            let process = try ChildProcess(service, environment: environment)
            try await eventually("\(service) started") { process.outputText.contains("\(service) started") }
            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "\(service): \(process.outputText)")
        }
        devStack.signal(SIGTERM)
        #expect(try await devStack.waitForExit(timeout: .seconds(10)) == 0)
    }
}
