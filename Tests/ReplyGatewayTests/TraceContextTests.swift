import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import TestSupport
import Testing

@testable import ReplyGateway

/// A reply command starts a trace at the gateway ingress; the writer logs with its `trace_id` and continues it on the
/// result.
@Suite("Trace context from the gateway to the writer", .timeLimit(.minutes(2)))
struct GatewayTraceContextTests {
    /// The first record of a topic, read from the beginning.
    static func first(_ gateway: GatewayHarness, topic: String) async throws -> KafkaRecord? {
        let consumer = try topicReader(gateway, topics: [topic])
        var found: KafkaRecord?
        for try await record in consumer.records {
            found = record
            break
        }
        await consumer.close()
        return found
    }

    @Test func theCommandsTraceReachesTheWritersLogsAndTheResult() async throws {
        let logs = LogCapture()
        try await withGateway(logger: logs.logger("reply-gateway", level: .info)) { gateway in
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#traced", messageID: "om_traced")
            #expect(answer.status == 200)
            try await eventually("written") { gateway.replies().count == 1 }

            let command = try #require(try await Self.first(gateway, topic: Topics.replyCommands))
            let result = try #require(try await Self.first(gateway, topic: Topics.replyResults))
            let commandTrace = try #require(command.traceparent)
            let resultTrace = try #require(result.traceparent)
            #expect(resultTrace.traceID == commandTrace.traceID)
            #expect(resultTrace.parentID != commandTrace.parentID)
            try await eventually("ingress and writer log lines") {
                logs.lines.contains { $0.contains("reply written") && $0.contains("trace_id=\(commandTrace.traceID)") }
                    && logs.lines.contains {
                        $0.contains("reply command published") && $0.contains("trace_id=\(commandTrace.traceID)")
                    }
            }
        }
    }
}
