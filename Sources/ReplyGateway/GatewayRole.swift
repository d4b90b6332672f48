import ArgumentParser

/// Which parts of the gateway a process runs (`--role`). Each part scales on its own.
enum GatewayRole: String, Sendable, CaseIterable, ExpressibleByArgument {
    /// HTTP callbacks in, reply commands out; also answers reply results in the chat (group `reply-confirmer`),
    /// because the chat-facing credentials live here.
    case ingress
    /// Consumer group `reply-writer`: writes replies through the Guance OpenAPI, publishes reply results.
    case writer
    /// Both (default).
    case all

    var runsIngress: Bool { self != .writer }
    var runsWriter: Bool { self != .ingress }
}
