import Events
import KafkaClient
import Logging
import ServiceLifecycle

/// Best-effort chat answers that need no Kafka round trip (a usage hint for a message naming no issue). The HTTP
/// route only enqueues, so the platform's callback is answered at once; this service sends in the background.
final class NoticeQueue: Service, Sendable {
    private struct Notice: Sendable {
        var text: String
        var origin: ReplyCommand.Origin
        var key: String
    }

    private let stream: AsyncStream<Notice>
    private let continuation: AsyncStream<Notice>.Continuation
    private let responder: any ChatResponder
    private let logger: Logger

    init(responder: any ChatResponder, logger: Logger) {
        (stream, continuation) = AsyncStream.makeStream(of: Notice.self, bufferingPolicy: .bufferingNewest(1000))
        self.responder = responder
        self.logger = logger
    }

    func send(_ text: String, to origin: ReplyCommand.Origin, key: String) {
        continuation.yield(Notice(text: text, origin: origin, key: "hint-" + key))
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await notice in stream {
                do {
                    _ = try await responder.respond(notice.text, to: notice.origin, key: notice.key)
                } catch {
                    logger.warning("chat notice not delivered", metadata: [LogKey.error: "\(error)"])
                }
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }
}
