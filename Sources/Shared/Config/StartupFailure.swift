import Foundation

/// Ends the process at start-up with one line on stderr naming what is wrong.
public enum StartupFailure {
    /// Exit code for configuration errors (missing or invalid variables).
    public static let configurationExitCode: Int32 = 2
    /// Exit code for failures to reach a dependency at start-up.
    public static let dependencyExitCode: Int32 = 1

    public static func exit(service: String, _ error: any Error, code: Int32 = configurationExitCode) -> Never {
        FileHandle.standardError.write(Data("\(service): \(error)\n".utf8))
        Foundation.exit(code)
    }
}
