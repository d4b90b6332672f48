import Events

extension SinkDispatcher {
    /// A queued event: its retry state, and the rest in a class (queues and batches copy items around, and copying
    /// an `IssueEvent` is dozens of retains).
    struct Pending {
        final class Payload: Sendable {
            let ticket: DeliveryTicket
            let event: IssueEvent
            let raw: [UInt8]
            /// Order key: the source partition.
            let key: String
            let enqueuedAt: ContinuousClock.Instant
            /// Nothing arrived within the digest linger before it.
            let isolated: Bool

            init(
                ticket: DeliveryTicket, event: IssueEvent, raw: [UInt8], key: String,
                enqueuedAt: ContinuousClock.Instant, isolated: Bool
            ) {
                self.ticket = ticket
                self.event = event
                self.raw = raw
                self.key = key
                self.enqueuedAt = enqueuedAt
                self.isolated = isolated
            }
        }

        let payload: Payload
        var attempts = 0
        var notBefore: ContinuousClock.Instant

        var ticket: DeliveryTicket { payload.ticket }
        var event: IssueEvent { payload.event }
        var raw: [UInt8] { payload.raw }
        var key: String { payload.key }
        var enqueuedAt: ContinuousClock.Instant { payload.enqueuedAt }
        var isolated: Bool { payload.isolated }
    }
}
