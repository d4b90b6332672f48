import Foundation
import Shared
import Testing

/// The files an ops team deploys with: the compose file must be valid and every variable it or the product reads
/// must be documented where users look (README.md and .env.example).
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

    @Test func composeFileValidatesAgainstTheComposeSpecification() throws {
        let validator = Self.root.deletingLastPathComponent().appendingPathComponent("shared/tools/validate-compose")
        try #require(FileManager.default.fileExists(atPath: validator.path), "validator missing at \(validator.path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", validator.path, Self.root.appendingPathComponent("docker-compose.yml").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("valid compose file"))
        for service in ["kafka", "kafka-init", "poller", "notifier", "reply-gateway"] {
            #expect(text.contains(service))
        }
    }

    @Test func everyComposeVariableIsDocumented() throws {
        let readme = try read("README.md")
        let example = try read(".env.example")
        let variables = try composeVariables()
        #expect(!variables.isEmpty)
        for variable in variables {
            #expect(readme.contains(variable), "\(variable) is not in README.md")
            #expect(example.contains("\(variable)="), "\(variable) is not in .env.example")
        }
    }

    @Test func everyConfigurationVariableIsDocumented() throws {
        let readme = try read("README.md")
        let example = try read(".env.example")
        for key in ConfigKey.all where key.name != ConfigKey.configFile.name {
            #expect(readme.contains(key.name), "\(key.name) is not in README.md")
            #expect(example.contains("\(key.name)="), "\(key.name) is not in .env.example")
        }
    }

    @Test func composeCreatesEveryProductTopicWithTheStateTopicCompacted() throws {
        let compose = try read("docker-compose.yml")
        for topic in Topics.all(partitions: 6) {
            #expect(compose.contains("create \(topic.name) "), "\(topic.name) is not created")
        }
        #expect(compose.contains("create guance.poller-state 1 \"--config cleanup.policy=compact\""))
        // The budget's usage log: one partition, deleted (not compacted: every claim of a window counts), broker time.
        let usage = compose.split(separator: "\n").first { $0.contains("create \(Topics.apiUsage) ") } ?? ""
        #expect(usage.contains("create \(Topics.apiUsage) 1 "))
        for setting in GuanceUsageLedger.topicSpec().config.sorted(by: { $0.key < $1.key }) {
            #expect(usage.contains("\(setting.key)=\(setting.value)"), "\(Topics.apiUsage) needs \(setting.key)")
        }
    }
}
