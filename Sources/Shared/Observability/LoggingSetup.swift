import Foundation
import Logging
import Timing

/// How log lines are written.
public enum LogFormat: String, Sendable {
    case text
    case json
}

/// Bootstraps swift-log once per process from `LOG_LEVEL` and `LOG_FORMAT`.
public enum LoggingSetup {
    public static func bootstrap(_ config: ConfigSource) throws(ConfigError) {
        let (level, format) = try settings(config)
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    /// The level and format a source asks for.
    public static func settings(_ config: ConfigSource) throws(ConfigError) -> (Logger.Level, LogFormat) {
        let levelText = config.string(.logLevel, default: "info").lowercased()
        guard let level = Logger.Level(rawValue: levelText) else {
            throw .invalid(variable: ConfigKey.logLevel.name, value: levelText, reason: "expected trace...critical")
        }
        let formatText = config.string(.logFormat, default: "text").lowercased()
        guard let format = LogFormat(rawValue: formatText) else {
            throw .invalid(variable: ConfigKey.logFormat.name, value: formatText, reason: "expected text or json")
        }
        return (level, format)
    }
}

/// Writes one JSON object per line to stderr: `ts`, `level`, `logger`, `msg`, then the metadata keys.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.writeToStandardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": Self.timestamp(Date()),
            "level": event.level.rawValue,
            "logger": label,
            "msg": "\(event.message)",
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged { fields[key] = Self.plain(value) }
        guard
            let data = try? SortedKeysJSON.data(fields),
            let line = String(data: data, encoding: .utf8)
        else { return }
        write(line)
    }

    /// `2026-12-02T16:09:33.123Z` (UTC, milliseconds).
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let time = CivilTime(secondsSince1970: seconds)
        return "\(time.date)T\(time.time).\(CivilTime.digits(milliseconds - seconds * 1000, 3))Z"
    }

    private static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case let .string(text): return text
        case let .stringConvertible(convertible): return convertible.description
        case let .array(values): return values.map(plain)
        case let .dictionary(map): return map.mapValues(plain)
        }
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
