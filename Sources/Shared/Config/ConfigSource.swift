import Foundation
import Yams

/// Where configuration comes from: the environment, and optionally a YAML file named by `CONFIG_FILE` holding the same
/// keys. The environment wins. Structured sections (lists, maps) can only come from the file.
///
/// Built once in `main`, then turned into each service's `Sendable` config struct; nothing reads the environment
/// later.
public struct ConfigSource: Sendable {
    /// Environment variables with this prefix become librdkafka properties:
    /// `KAFKA_PROP_SECURITY_PROTOCOL=SASL_SSL` → `security.protocol=SASL_SSL`.
    public static let kafkaPropertyPrefix = "KAFKA_PROP_"
    /// The file section holding librdkafka properties by their exact names.
    public static let kafkaPropertiesSection = "kafka_properties"

    public let environment: [String: String]
    /// Scalar file values, as text.
    private let fileValues: [String: String]
    /// The parsed file, for structured sections.
    private let fileDocument: [String: YAMLSendable]
    public let filePath: String?

    /// Loads the environment and the optional file; reports file keys no part of the product reads.
    /// `sections` lists the structured keys the calling service accepts in the file.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, sections: Set<String> = []
    ) throws(ConfigError) -> ConfigSource {
        guard let path = environment[ConfigKey.configFile.name], !path.isEmpty else {
            return ConfigSource(environment: environment, fileValues: [:], fileDocument: [:], filePath: nil)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .file(path: path, reason: "cannot read it (\(error.localizedDescription))")
        }
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw .file(path: path, reason: "not valid YAML: \(error)")
        }
        guard let document = (parsed ?? [String: Any]()) as? [String: Any] else {
            throw .file(path: path, reason: "the top level must be a map of KEY: value")
        }
        var values: [String: String] = [:]
        var structured: [String: YAMLSendable] = [:]
        var unknown: [String] = []
        let allowedSections = sections.union([kafkaPropertiesSection])
        for (key, value) in document {
            if allowedSections.contains(key) || value is [Any] || value is [String: Any] {
                structured[key] = YAMLSendable(value)
                if !allowedSections.contains(key) { unknown.append(key) }
            } else if ConfigKey.isKnown(key) {
                values[key] = "\(value)"
            } else {
                unknown.append(key)
            }
        }
        if !unknown.isEmpty { throw .unknownKeys(source: path, keys: unknown.sorted()) }
        return ConfigSource(environment: environment, fileValues: values, fileDocument: structured, filePath: path)
    }

    init(
        environment: [String: String], fileValues: [String: String], fileDocument: [String: YAMLSendable],
        filePath: String?
    ) {
        self.environment = environment
        self.fileValues = fileValues
        self.fileDocument = fileDocument
        self.filePath = filePath
    }

    /// A source from explicit values, for tests and tools.
    public init(_ values: [String: String]) {
        self.init(environment: values, fileValues: [:], fileDocument: [:], filePath: nil)
    }

    // MARK: - Values

    /// The value of a key (environment first, then the file); empty strings count as unset.
    public func string(_ key: ConfigKey) -> String? {
        if let value = environment[key.name], !value.isEmpty { return value }
        if let value = fileValues[key.name], !value.isEmpty { return value }
        return nil
    }

    public func string(_ key: ConfigKey, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    /// The value of a required key.
    public func required(_ key: ConfigKey) throws(ConfigError) -> String {
        guard let value = string(key) else { throw .missing(variable: key.name, meaning: key.meaning) }
        return value
    }

    public func int(_ key: ConfigKey, default defaultValue: Int, range: ClosedRange<Int> = 0...Int.max)
        throws(ConfigError) -> Int
    {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw .invalid(variable: key.name, value: masked(key, text), reason: "expected a whole number in \(range)")
        }
        return value
    }

    public func double(_ key: ConfigKey, default defaultValue: Double) throws(ConfigError) -> Double {
        guard let text = string(key) else { return defaultValue }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw .invalid(variable: key.name, value: masked(key, text), reason: "expected a number >= 0")
        }
        return value
    }

    /// A `true`/`false` switch (also `1`/`0`, `yes`/`no`); unset is false.
    public func flag(_ key: ConfigKey) throws(ConfigError) -> Bool {
        guard let text = string(key) else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalid(variable: key.name, value: masked(key, text), reason: "expected true or false")
        }
    }

    /// A duration given in (possibly fractional) seconds.
    public func seconds(_ key: ConfigKey, default defaultValue: Duration) throws(ConfigError) -> Duration {
        guard let text = string(key) else { return defaultValue }
        // Bounded, so that a typo such as `1e300` is a clear error rather than a trap converting it.
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value <= 1e9 else {
            throw .invalid(variable: key.name, value: masked(key, text), reason: "expected seconds > 0 and <= 1e9")
        }
        return .milliseconds(Int64(value * 1000))
    }

    /// An absolute http(s) URL, without a trailing slash.
    public func url(_ key: ConfigKey, default defaultValue: String? = nil) throws(ConfigError) -> String? {
        guard let text = string(key) ?? defaultValue else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw .invalid(variable: key.name, value: masked(key, text), reason: "expected an http(s) URL")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// A structured section of the file (a list or map), if present.
    public func section(_ name: String) -> Any? {
        fileDocument[name]?.value
    }

    /// librdkafka properties from `KAFKA_PROP_*` variables and the file's `kafka_properties` map (env wins).
    public var kafkaProperties: [String: String] {
        var properties: [String: String] = [:]
        if let map = section(Self.kafkaPropertiesSection) as? [String: Any] {
            for (key, value) in map { properties[key] = "\(value)" }
        }
        // An empty variable is unset, as for every other key (compose passes `${KAFKA_PROP_X:-}` through empty).
        for (name, value) in environment where name.hasPrefix(Self.kafkaPropertyPrefix) && !value.isEmpty {
            let property = name.dropFirst(Self.kafkaPropertyPrefix.count).lowercased()
                .replacingOccurrences(of: "_", with: ".")
            properties[property] = value
        }
        return properties
    }

    /// Environment variables that look like ours (known prefixes) but no part of the product reads: likely typos.
    public var unknownEnvironmentKeys: [String] {
        let prefixes = [
            "KAFKA_", "GUANCE_", "FEISHU_", "DINGTALK_", "WECOM_", "GATEWAY_", "FLOW_", "ROUTES_", "NOTIFIER_",
            "WEBHOOK_",
        ]
        return environment.keys.filter { name in
            prefixes.contains { name.hasPrefix($0) } && !ConfigKey.isKnown(name)
        }.sorted()
    }

    private func masked(_ key: ConfigKey, _ value: String) -> String {
        key.isSecret ? "***" : value
    }
}

/// A parsed YAML value carried in a `Sendable` struct. YAML values are plain data (strings, numbers, lists, maps),
/// never shared mutable state, hence `@unchecked`.
struct YAMLSendable: @unchecked Sendable {
    let value: Any
    init(_ value: Any) { self.value = value }
}
