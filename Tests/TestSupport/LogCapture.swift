import Logging
import Synchronization

/// Keeps every line a logger writes (level, message, and the logger's metadata merged with the line's), so tests can
/// assert what was logged with which context, and that no secret was.
public final class LogCapture: Sendable {
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]

        /// `level message key=value ...` (keys sorted): the whole line as one text to search.
        public var line: String {
            ([level.rawValue, message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }
    }

    private let store = Mutex<[Entry]>([])

    public init() {}

    public var entries: [Entry] { store.withLock { $0 } }

    /// Every entry as its `line`.
    public var lines: [String] { entries.map(\.line) }

    /// Whether a line at `level` mentions `text` in its message or a metadata value.
    public func contains(level: Logger.Level, _ text: String) -> Bool {
        entries.contains {
            $0.level == level && ($0.message.contains(text) || $0.metadata.values.contains { $0.contains(text) })
        }
    }

    /// A logger writing here.
    public func logger(_ label: String, level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let entry = Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
            capture.store.withLock { $0.append(entry) }
        }
    }
}
