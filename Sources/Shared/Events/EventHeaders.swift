/// Kafka header names used on every topic.
public enum EventHeaders {
    public static let eventID = "event-id"
    public static let contentType = "content-type"
    public static let traceparent = "traceparent"
    public static let schema = "schema"
    /// On DLQ records: why the record was parked, where it came from. Every such header starts with
    /// `deadLetterPrefix`.
    public static let deadLetterPrefix = "dlq-"
    public static let dlqReason = "dlq-reason"
    public static let dlqSourceTopic = "dlq-source-topic"
    public static let dlqSourcePartition = "dlq-source-partition"
    public static let dlqSourceOffset = "dlq-source-offset"
    public static let dlqSink = "dlq-sink"
    public static let jsonContentType = "application/json"
}
