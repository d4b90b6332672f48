import Logging

/// A topic a service uses and what it needs of it.
public struct KafkaTopicRequirement: Sendable, Hashable {
    public var name: String
    /// Partitions it is created with when missing (and named in the command that fixes it).
    public var partitions: Int
    /// `cleanup.policy=compact` is required (state topics: older records of a key may go, the newest must stay).
    public var compacted: Bool
    /// The service creates the topic itself when it is missing (if the cluster lets it).
    public var createIfMissing: Bool

    public init(name: String, partitions: Int, compacted: Bool = false, createIfMissing: Bool = false) {
        self.name = name
        self.partitions = partitions
        self.compacted = compacted
        self.createIfMissing = createIfMissing
    }

    /// The command an operator runs to create the topic as required.
    func createCommand(brokers: String) -> String {
        "kafka-topics.sh --bootstrap-server \(brokers) --create --topic \(name) --partitions \(partitions)"
            + (compacted ? " --config cleanup.policy=compact" : "")
    }

    /// The command an operator runs to make an existing topic compacted.
    func compactCommand(brokers: String) -> String {
        "kafka-configs.sh --bootstrap-server \(brokers) --alter --entity-type topics --entity-name \(name)"
            + " --add-config cleanup.policy=compact"
    }
}

/// A topic the service cannot work with. Its description is the one line printed before exit code 2.
public enum KafkaTopicProblem: Error, Sendable, CustomStringConvertible, Equatable {
    case missing(topic: String, fix: String)
    case notCompacted(topic: String, policy: String, fix: String)

    public var description: String {
        switch self {
        case let .missing(topic, fix): "topic \(topic) does not exist; create it: \(fix)"
        case let .notCompacted(topic, policy, fix):
            "topic \(topic) has cleanup.policy=\(policy) but must be compacted (its newest record per key is the "
                + "state); fix it: \(fix)"
        }
    }
}

/// The start-up check of the topics a service uses: each exists (created first where the service may), and the
/// compacted ones are compacted where the broker tells (`DescribeConfigs`; a broker that does not answer it is named
/// in one warning). Partition counts are returned for services that adapt to them.
public enum KafkaTopicCheck {
    /// Bounds each metadata and DescribeConfigs round trip (a broker without DescribeConfigs costs this once).
    static let describeTimeout: Duration = .seconds(3)

    public static func run(
        _ requirements: [KafkaTopicRequirement], kafka: KafkaClientSettings, logger: Logger
    ) async throws -> [String: KafkaAdminClient.TopicDescription] {
        let admin = try KafkaAdminClient(settings: kafka, logger: logger)
        let compacted = Set(requirements.filter(\.compacted).map(\.name))
        var found = try await admin.describeTopics(
            requirements.map(\.name), withConfig: compacted, timeout: describeTimeout)
        let creatable = requirements.filter { $0.createIfMissing && found[$0.name]?.partitions == nil }
        if !creatable.isEmpty {
            var created: [String] = []
            do {
                created = try await admin.createMissingTopics(
                    creatable.map {
                        .init(
                            name: $0.name, partitions: $0.partitions,
                            config: $0.compacted ? ["cleanup.policy": "compact"] : [:])
                    }, timeout: .seconds(10))
                if !created.isEmpty { logger.info("created topics", metadata: ["topics": "\(created)"]) }
            } catch {
                logger.warning(
                    "could not create missing topics",
                    metadata: [
                        "topics": "\(creatable.map(\.name))", LogKey.error: "\(error)",
                    ])
            }
            // Partition counts again; a topic created just now has the policy it was created with.
            let policies = found.mapValues(\.cleanupPolicy)
            found = try await admin.describeTopics(requirements.map(\.name), timeout: describeTimeout)
            for requirement in requirements where found[requirement.name]?.partitions != nil {
                found[requirement.name]?.cleanupPolicy =
                    created.contains(requirement.name)
                    ? (requirement.compacted ? "compact" : nil) : policies[requirement.name] ?? nil
            }
        }
        for requirement in requirements {
            let description = found[requirement.name] ?? .init()
            guard description.partitions != nil else {
                throw KafkaTopicProblem.missing(
                    topic: requirement.name, fix: requirement.createCommand(brokers: kafka.bootstrapServers))
            }
            guard requirement.compacted else { continue }
            if let policy = description.cleanupPolicy {
                if !policy.split(separator: ",").contains("compact") {
                    throw KafkaTopicProblem.notCompacted(
                        topic: requirement.name, policy: policy,
                        fix: requirement.compactCommand(brokers: kafka.bootstrapServers))
                }
            } else {
                logger.warning(
                    "could not read the topic's cleanup.policy (the broker does not answer DescribeConfigs); it must be compact",
                    metadata: [LogKey.topic: "\(requirement.name)"])
            }
        }
        return found
    }
}
