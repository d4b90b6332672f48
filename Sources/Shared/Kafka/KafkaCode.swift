import CKafka

/// A librdkafka error code together with its symbolic name and human text.
public struct KafkaCode: Hashable, Sendable, CustomStringConvertible {
    /// The raw `rd_kafka_resp_err_t` value.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    init(_ err: rd_kafka_resp_err_t) {
        self.rawValue = err.rawValue
    }

    /// librdkafka's symbolic name, e.g. `_MSG_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public var name: String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)))
    }

    /// librdkafka's human readable text for the code.
    public var text: String {
        String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: rawValue)))
    }

    public var description: String { "\(name) (\(text))" }

    /// The local message timeout (`message.timeout.ms` expired before the broker acknowledged).
    public static let messageTimedOut = KafkaCode(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
    /// The local producer queue is full.
    public static let queueFull = KafkaCode(RD_KAFKA_RESP_ERR__QUEUE_FULL)
    /// The client is being destroyed.
    public static let destroyed = KafkaCode(RD_KAFKA_RESP_ERR__DESTROY)
}
