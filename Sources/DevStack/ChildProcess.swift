import Foundation

/// A product executable started as a separate process, for end-to-end tests and tools. Its output is captured.
public final class ChildProcess: @unchecked Sendable {  // Process is used from one task at a time; output under lock
    public let name: String
    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var captured = Data()

    /// Starts `executable` (a product name such as `poller`, or a path) with exactly `environment`.
    public convenience init(_ executable: String, arguments: [String] = [], environment: [String: String]) throws {
        let url = executable.contains("/") ? URL(fileURLWithPath: executable) : Self.locate(executable)
        try self.init(name: executable, url: url, arguments: arguments, environment: environment)
    }

    /// Starts the program at `url` (a script, a system tool) with exactly `environment`.
    public init(name: String, url: URL, arguments: [String] = [], environment: [String: String]) throws {
        self.name = name
        process.executableURL = url
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.captured.append(data) }
        }
        try process.run()
    }

    /// Finds a product next to the test binary (`.build/<triple>/debug/`).
    public static func locate(_ executable: String) -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while directory.path != "/" {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent(executable)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/debug/\(executable)")
    }

    /// Everything the process wrote to stdout and stderr so far.
    public var outputText: String { lock.withLock { String(decoding: captured, as: UTF8.self) } }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal (SIGTERM for a graceful stop, SIGKILL for a crash).
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Sends a signal to the process group the process leads (started through `setsid`), as a terminal's Ctrl-C does.
    public func signalGroup(_ signal: Int32) {
        kill(-process.processIdentifier, signal)
    }

    /// Waits for the process to exit, at most `timeout`; returns its exit status, or nil if it is still running.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        output.fileHandleForReading.readabilityHandler = nil
    }
}
