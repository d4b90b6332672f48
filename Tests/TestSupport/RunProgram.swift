import Foundation

/// Runs a program to completion (in `directory`, with this process's environment) and returns its exit status and
/// everything it wrote to stdout and stderr. For short tools in tests: scripts, validators, git.
public func runProgram(
    _ executable: String, _ arguments: [String], in directory: URL? = nil
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
