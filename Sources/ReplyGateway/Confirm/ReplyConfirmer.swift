import Events
import KafkaClient
import Logging
import Metrics
import ServiceLifecycle

/// Consumer group `reply-confirmer` on `guance.reply-results`: answers each result in the chat the command came
/// from (Feishu thread reply with the command id as idempotency key, DingTalk session webhook). Without app
/// credentials the result is logged and counted. A confirmation that keeps failing is given up after
/// `maxAttempts` (logged as an error) so one broken chat cannot stall the partition.
struct ReplyConfirmer: Service {
    let consumer: KafkaConsumerClient
    let responder: any ChatResponder
    let logger: Logger
    var maxAttempts = 3
    var retryDelay: Duration = .milliseconds(500)

    static let groupID = "reply-confirmer"

    func run() async throws {
        for try await record in consumer.records.cancelOnGracefulShutdown() {
            await handle(record)
            consumer.markHandled(record)
        }
    }

    func handle(_ record: KafkaRecord) async {
        var log = logger
        log[metadataKey: LogKey.topic] = "\(record.topic)"
        log[metadataKey: LogKey.offset] = "\(record.offset)"
        guard let value = record.value, let result = try? EventCoding.decode(ReplyResult.self, from: value) else {
            log.error("undecodable reply result skipped")
            count("undecodable")
            return
        }
        log[metadataKey: LogKey.commandID] = "\(result.commandId)"
        log[metadataKey: LogKey.issueUUID] = "\(result.issueUUID)"
        let text = ConfirmationText.text(for: result)
        for attempt in 1...maxAttempts {
            do {
                switch try await responder.respond(text, to: result.origin, key: "confirm-" + result.commandId) {
                case .sent:
                    log.info("reply result confirmed in chat", metadata: ["outcome": "\(result.outcome.rawValue)"])
                    count("sent")
                case .skipped(let why):
                    log.info(
                        "reply result not sent to chat",
                        metadata: ["outcome": "\(result.outcome.rawValue)", "why": "\(why)"])
                    count("logged")
                }
                return
            } catch {
                if attempt == maxAttempts {
                    log.error("confirmation not delivered, giving up", metadata: [LogKey.error: "\(error)"])
                    count("failed")
                    return
                }
                log.warning(
                    "confirmation failed, retrying", metadata: [LogKey.error: "\(error)", "attempt": "\(attempt)"])
                try? await Task.sleep(for: retryDelay * attempt)
            }
        }
    }

    private func count(_ outcome: String) {
        Counter(label: "reply_gateway_confirmations_total", dimensions: [("outcome", outcome)]).increment()
    }
}
