/// The product's Kafka topics. All but the usage log are keyed by issue UUID.
public enum Topics {
    public static let issueEvents = "guance.issue-events"
    public static let replyCommands = "guance.reply-commands"
    public static let replyResults = "guance.reply-results"
    public static let pollerState = "guance.poller-state"
    /// No records: poller instances join consumer group `poller` on it, and the partitions each is assigned decide
    /// which poll targets it polls (a target maps to one partition by a stable hash of its name).
    public static let pollerCoordination = "guance.poller-coordination"
    public static let pollerCoordinationPartitions = 12
    /// The OpenAPI budget's usage log: claims of calls, keyed by a hash of the API key (`GuanceUsageLedger`). One
    /// partition, `cleanup.policy=delete`, short retention.
    public static let apiUsage = "guance.api-usage"
    /// Wake-ups from Guance's webhook (`PollTrigger`), keyed by poll target name. Every poller instance reads all of
    /// it (a consumer group of its own); only the target's owner acts.
    public static let pollTriggers = "guance.poll-triggers"
    /// Where each issue's chat message lives (`ChatMessage`), keyed by `<sink>/<issue uuid>`, `cleanup.policy=compact`:
    /// every notifier instance reads all of it, so any instance can update any card.
    public static let chatMessages = "guance.chat-messages"

    /// The dead-letter topic of a consumed topic.
    public static func deadLetter(of topic: String) -> String { topic + ".dlq" }

    /// Every topic with its default partition count, as DevStack and the compose init create them.
    public static func all(partitions: Int) -> [(name: String, partitions: Int)] {
        [
            (issueEvents, partitions),
            (replyCommands, partitions),
            (replyResults, partitions),
            (pollerState, 1),
            (pollerCoordination, pollerCoordinationPartitions),
            (apiUsage, 1),
            (pollTriggers, partitions),
            (chatMessages, partitions),
            (deadLetter(of: issueEvents), 1),
            (deadLetter(of: replyCommands), 1),
            (deadLetter(of: replyResults), 1),
        ]
    }
}
