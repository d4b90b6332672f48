import DevStack
import Foundation
import Testing

/// `make run` as a newcomer sees it: the script starts dev-stack and the three services, and a Ctrl-C (SIGINT to the
/// whole process group, as a terminal sends it) ends the run calmly: services first, each logging its stop, the
/// broker last, no error line, within the grace period.
@Suite("make run starts and stops cleanly", .timeLimit(.minutes(3)))
struct MakeRunTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let services = ["poller", "notifier", "reply-gateway"]
    static let grace = 5

    @Test func ctrlCStopsTheServicesBeforeTheBrokerWithoutAnErrorLine() async throws {
        let binDirectory = ChildProcess.locate("dev-stack").deletingLastPathComponent()
        let script = Self.repositoryRoot.appendingPathComponent("scripts/run-local.sh")
        // The script leads its own process group, so the test can signal the group as a terminal does. A test
        // runner's threads block most signals and a spawned child inherits that mask; a terminal's shell does not,
        // so the script starts with an empty mask.
        let groupLeaderExec =
            "import os, signal, sys; os.setpgid(0, 0); "
            + "signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
        let run = try ChildProcess(
            name: "make-run", url: URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: ["-c", groupLeaderExec, "bash", script.path, binDirectory.path],
            environment: [
                "PATH": "/usr/bin:/bin", "LOG_FORMAT": "json", "SHUTDOWN_GRACE_PERIOD": "\(Self.grace)",
                "CARD_DEMO": "0",
                "GATEWAY_PORT": "\(try freePort())", "POLLER_METRICS_PORT": "\(try freePort())",
                "NOTIFIER_METRICS_PORT": "\(try freePort())", "GATEWAY_METRICS_PORT": "\(try freePort())",
            ])
        defer { if run.isRunning { run.signalGroup(SIGKILL) } }

        try await eventually(timeout: .seconds(90), "every service started and a sample issue printed") {
            Self.services.allSatisfy { run.outputText.contains("\"\($0) started\"") }
                && run.outputText.contains("[feishu] ")
        }
        run.signalGroup(SIGINT)
        let status = try await run.waitForExit(timeout: .seconds(Self.grace + 10))
        #expect(status == 0, "the script did not end within the grace period: \(run.outputText.suffix(3000))")

        let output = run.outputText
        let stopBegan = try #require(output.range(of: "stopping the services..."), "\(output.suffix(3000))")
        let afterStop = output[stopBegan.lowerBound...]
        let errorLines = afterStop.split(separator: "\n").filter(Self.isErrorLine)
        #expect(errorLines.isEmpty, "error lines after the stop began:\n\(errorLines.joined(separator: "\n"))")
        let brokerStop = try #require(afterStop.range(of: "stopping dev-stack..."), "\(afterStop)")
        for service in Self.services {
            let stopped = afterStop.range(of: "\"\(service) stopped\"")
            #expect(stopped != nil, "\(service) did not log its stop:\n\(afterStop)")
            if let stopped {
                #expect(stopped.lowerBound < brokerStop.lowerBound, "\(service) stopped after the broker")
            }
        }
        #expect(afterStop.hasSuffix("stopped.\n"), "\(afterStop.suffix(500))")
    }

    /// A log line at error level or above (JSON, or text as `<timestamp> error <label>: ...`), or librdkafka's text
    /// about a refused connection.
    static func isErrorLine(_ line: Substring) -> Bool {
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
            return ["error", "critical"].contains(object["level"] as? String ?? "")
        }
        let words = line.split(separator: " ", maxSplits: 2)
        return line.contains("Connection refused") || (words.count > 1 && ["error", "critical"].contains(words[1]))
    }
}
