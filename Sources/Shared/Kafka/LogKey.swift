/// Metadata keys used in every service's logs, so one issue can be followed across processes.
public enum LogKey {
    public static let topic = "kafka.topic"
    public static let partition = "kafka.partition"
    public static let offset = "kafka.offset"
    public static let issueUUID = "issue_uuid"
    public static let eventID = "event_id"
    public static let commandID = "command_id"
    public static let sink = "sink"
    public static let target = "target"
    public static let traceID = "trace_id"
    public static let error = "error"
}
