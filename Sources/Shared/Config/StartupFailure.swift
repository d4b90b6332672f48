import Foundation

/// Ends the process at start-up with one line on stderr naming what is wrong.
public enum StartupFailure {
    /// Exit code for configuration errors (missing or invalid variables).
    public static let configurationExitCode: Int32 = 2
    /// Exit code for failures to reach a dependency at start-up.
    public static let dependencyExitCode: Int32 = 1
    /// Where `ON_CONFIG_ERROR=wait` writes the configuration problem, for a container health check to show.
    public static let notConfiguredFile = "/tmp/not-configured"

    public static func exit(service: String, _ error: any Error, code: Int32 = configurationExitCode) -> Never {
        let line = "\(service): \(error)"
        FileHandle.standardError.write(Data((line + "\n").utf8))
        if code == configurationExitCode,
            ProcessInfo.processInfo.environment[ConfigKey.onConfigError.name]?.lowercased() == "wait"
        {
            waitUntilStopped(notConfigured: line)
        }
        Foundation.exit(code)
    }

    /// Keeps an unconfigured service alive (so a container restart policy does not loop on it) with the problem
    /// in `notConfiguredFile`, until SIGTERM or SIGINT ends it with code 0.
    static func waitUntilStopped(notConfigured line: String) -> Never {
        try? Data("not configured: \(line)\n".utf8).write(to: URL(fileURLWithPath: notConfiguredFile))
        FileHandle.standardError.write(
            Data(
                """
                not configured; waiting for SIGTERM (\(ConfigKey.onConfigError.name)=wait). \
                Fix the configuration and restart the service.\n
                """.utf8))
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGTERM)
        sigaddset(&unblocked, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        while true { pause() }
    }
}
