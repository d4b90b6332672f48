import Events
import Foundation
import HTTPTypes
import KafkaClient
import Logging

/// `POST /guance/webhook/<target>`: Guance's webhook notification target, protected by
/// `Authorization: Bearer $GUANCE_WEBHOOK_TOKEN`. Used as a wake-up only: the body (whose format Guance does not
/// document) is read up to the size limit and otherwise ignored; the answer is 202 once Kafka acknowledged a
/// `PollTrigger` for the target, so the poller that owns it lists at once.
struct GuanceWebhookHandler: Sendable {
    let token: String
    /// The poll targets a push may name (the same list the poller polls).
    let targets: Set<String>
    let publisher: any PollTriggerPublisher
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    /// Authentication, before the body is read.
    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection) {
        try BearerToken.check(headers, token: token)
    }

    /// The target named in the path, when it is one of ours; checked before the body is read.
    func checkTarget(_ name: String?) throws(IngressRejection) -> String {
        guard let name, PollTrigger.isValidTargetName(name) else {
            throw .badRequest("invalid poll target name")
        }
        guard targets.contains(name) else { throw .notConfigured("poll target \(name)") }
        return name
    }

    /// Publishes the trigger; `bodyBytes` is logged, nothing of the body is trusted.
    func trigger(target: String, bodyBytes: Int) async throws(IngressRejection) -> IngressAnswer {
        let trigger = PollTrigger(target: target, receivedAt: EventCoding.rfc3339(now()))
        do {
            try await publisher.publish(trigger)
        } catch {
            logger.warning(
                "poll trigger not acknowledged by Kafka",
                metadata: [LogKey.target: "\(target)", LogKey.error: "\(error)"])
            throw .unavailable("Kafka did not acknowledge the poll trigger")
        }
        logger.info(
            "Guance push accepted: poll trigger published",
            metadata: [LogKey.target: "\(target)", "body_bytes": "\(bodyBytes)"])
        return IngressAnswer(
            status: .accepted, json: IngressAnswer.encode(["status": "accepted", "target": target]),
            outcome: "accepted")
    }
}
