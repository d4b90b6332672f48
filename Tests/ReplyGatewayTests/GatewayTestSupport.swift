import DevStack
import Events
import Foundation
import HTTPTypes
import Logging
import ServiceKit
import Synchronization

@testable import ReplyGateway

let gatewayTestLogger: Logger = {
    var logger = Logger(label: "reply-gateway-test")
    logger.logLevel = .critical
    return logger
}()

/// Records published commands; fails while `failing` is set (Kafka down).
final class RecordingPublisher: ReplyCommandPublisher {
    struct Down: Error {}
    let published = Mutex<[ReplyCommand]>([])
    let failing = Mutex(false)

    func publish(_ command: ReplyCommand, traceparent: Traceparent) async throws {
        if failing.withLock({ $0 }) { throw Down() }
        published.withLock { $0.append(command) }
    }

    var commands: [ReplyCommand] { published.withLock { $0 } }
}

/// Records published poll triggers; fails while `failing` is set (Kafka down).
final class RecordingTriggerPublisher: PollTriggerPublisher {
    let published = Mutex<[PollTrigger]>([])
    let failing = Mutex(false)

    func publish(_ trigger: PollTrigger) async throws {
        if failing.withLock({ $0 }) { throw RecordingPublisher.Down() }
        published.withLock { $0.append(trigger) }
    }

    var triggers: [PollTrigger] { published.withLock { $0 } }
}

/// Answers thread-root lookups from a fixed map.
struct FixedThreads: ThreadIssueLookup {
    var roots: [String: String]
    func issueUUID(threadRoot messageID: String) async throws -> String? { roots[messageID] }
}

func httpFields(_ headers: [String: String]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
    return fields
}

enum TestSecrets {
    static let token = "vt-test"
    static let encryptKey = "kudryavka"
}

func makeFeishuHandler(
    _ publisher: RecordingPublisher, encryptKey: String? = TestSecrets.encryptKey,
    threads: (any ThreadIssueLookup)? = nil, now: @escaping @Sendable () -> Date = { Date() }
) -> FeishuEventHandler {
    var handler = FeishuEventHandler(
        settings: FeishuSubscriptionSettings(verificationToken: TestSecrets.token, encryptKey: encryptKey),
        intake: CommandIntake(publisher: publisher, dedupeCapacity: 100, logger: gatewayTestLogger),
        threads: threads, notices: nil, signatureWindow: .seconds(300), logger: gatewayTestLogger)
    handler.now = now
    return handler
}
