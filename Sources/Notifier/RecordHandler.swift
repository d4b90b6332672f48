import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit
import Timing

/// Decodes a record, routes it and hands it to its sinks; later parks failures in the DLQ.
struct RecordHandler: Sendable {
    let dispatchers: [String: SinkDispatcher]
    let router: EventRouter
    let deadLetters: any DeadLetterPublisher
    let metrics = NotifierMetrics.shared
    let logger: Logger
    /// Waits between attempts to park a record while the DLQ cannot be written.
    static let deadLetterBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    /// A record handed to its sinks, not yet finished.
    struct InFlight: Sendable {
        let record: KafkaRecord
        /// Set when the record cannot be delivered at all (bad input): goes to the DLQ as is.
        let badInput: (reason: String, kind: String)?
        let deliveries: [(sink: String, ticket: DeliveryTicket)]
    }

    /// Decodes and routes the record, and queues it at each routed sink (in record order: call from one task per
    /// partition).
    func start(_ record: KafkaRecord) async -> InFlight {
        let event: IssueEvent
        switch Self.decode(record) {
        case let .failure(problem):
            return InFlight(record: record, badInput: (problem.reason, problem.kind), deliveries: [])
        case let .success(decoded):
            event = decoded
        }
        var deliveries: [(String, DeliveryTicket)] = []
        let key = "\(record.topic)/\(record.partition)"
        for sink in router.sinks(for: event) {
            guard let dispatcher = dispatchers[sink] else { continue }
            deliveries.append((sink, await dispatcher.enqueue(event, raw: record.value ?? [], key: key)))
        }
        return InFlight(record: record, badInput: nil, deliveries: deliveries)
    }

    struct BadInput: Error {
        let kind: String
        let reason: String
    }

    /// IssueEvent v1 or a reason it is not one. The fast path (`JSONReader`) reads a well-formed event; anything it
    /// refuses is decoded again by `JSONDecoder`, which decides and names the reason.
    static func decode(_ record: KafkaRecord) -> Result<IssueEvent, BadInput> {
        guard let value = record.value, !value.isEmpty else {
            return .failure(BadInput(kind: "decode", reason: "empty value (tombstone)"))
        }
        if let json = try? JSONReader.parse(value), let event = IssueEvent(json: json),
            event.schema == IssueEvent.schemaV1
        {
            return .success(event)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else {
            return .failure(BadInput(kind: "decode", reason: "value is not a JSON object"))
        }
        guard let schema = object["schema"] as? String else {
            return .failure(BadInput(kind: "schema", reason: "no schema field"))
        }
        guard schema == IssueEvent.schemaV1 else {
            return .failure(
                BadInput(
                    kind: "schema", reason: "unsupported schema \(schema.prefix(80)) (expected \(IssueEvent.schemaV1))")
            )
        }
        guard object["issue"] is [String: Any] else {
            return .failure(BadInput(kind: "decode", reason: "missing issue"))
        }
        do {
            return .success(try EventCoding.decode(IssueEvent.self, from: value))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return .failure(BadInput(kind: "decode", reason: "missing field \(path)"))
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(BadInput(kind: "decode", reason: "wrong type at \(path)"))
        } catch let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(BadInput(kind: "decode", reason: "null at \(path)"))
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(BadInput(kind: "decode", reason: "invalid value at \(path): \(context.debugDescription)"))
        } catch {
            return .failure(BadInput(kind: "decode", reason: "not an IssueEvent: \(error)"))
        }
    }

    /// Waits for every sink, parks failures in the DLQ (retrying Kafka until it works or the task is cancelled).
    /// Returns false when cancelled before the record was fully handled (its offset must not be stored); true once
    /// every sink delivered it or it was parked, also when the task was cancelled meanwhile.
    func finish(_ inFlight: InFlight) async -> Bool {
        let record = inFlight.record
        // Built only when there is something to log: most records have not.
        var logger: Logger { Self.logger(self.logger, for: record) }
        var parked: [KafkaProducerMessage] = []
        var outcome = "delivered"
        if let bad = inFlight.badInput {
            logger.warning("bad record parked in the DLQ", metadata: [LogKey.error: "\(bad.reason)"])
            parked.append(record.deadLetter(reason: bad.reason, sink: nil))
            metrics.deadLettered(reason: bad.kind)
            outcome = "dead_lettered"
        } else if inFlight.deliveries.isEmpty {
            outcome = "unrouted"
        }
        for (sink, ticket) in inFlight.deliveries {
            let result = await ticket.result {}
            // Cancelled while waiting: the dispatcher drops the message if it is still queued.
            if result == .cancelled { await dispatchers[sink]?.cancel(ticket.id) }
            switch result {
            case .delivered:
                continue
            case let .failed(reason):
                logger.warning(
                    "delivery failed; parking the record in the DLQ",
                    metadata: [LogKey.sink: "\(sink)", LogKey.error: "\(reason)"])
                parked.append(record.deadLetter(reason: reason, sink: sink))
                metrics.deadLettered(reason: "sink")
                outcome = "dead_lettered"
            case .cancelled:
                return false
            }
        }
        for message in parked {
            var failures = 0
            while true {
                if Task.isCancelled { return false }
                do {
                    try await deadLetters.publish(message)
                    break
                } catch {
                    logger.error(
                        "cannot park a record in the DLQ; retrying",
                        metadata: ["dlq.topic": "\(message.topic)", LogKey.error: "\(error)"])
                    failures += 1
                    try? await Self.deadLetterBackoff.sleep(afterFailures: failures)
                }
            }
        }
        metrics.handled(outcome: outcome)
        return true
    }

    /// The per-record logger: Kafka position, issue (the key), event id and the `trace_id` of its `traceparent`.
    static func logger(_ base: Logger, for record: KafkaRecord) -> Logger {
        var logger = base.tracing(record.traceparent)
        logger[metadataKey: LogKey.topic] = "\(record.topic)"
        logger[metadataKey: LogKey.partition] = "\(record.partition)"
        logger[metadataKey: LogKey.offset] = "\(record.offset)"
        if let key = record.keyString { logger[metadataKey: LogKey.issueUUID] = "\(key)" }
        if let eventID = record.header(EventHeaders.eventID) { logger[metadataKey: LogKey.eventID] = "\(eventID)" }
        return logger
    }
}
