import KafkaClient

extension KafkaRecord {
    /// The dead-letter copy of this record for `Topics.deadLetter(of:)`: its key, value and headers (without the
    /// dead-letter headers of an earlier parking), plus why it was parked (at most 1,000 characters), by which sink
    /// if one failed, and where it came from (topic, partition, offset).
    public func deadLetter(reason: String, sink: String? = nil) -> KafkaProducerMessage {
        var headers = headersWithoutDeadLetterInfo
        headers.append(KafkaHeader(key: EventHeaders.dlqReason, string: String(reason.prefix(1000))))
        if let sink { headers.append(KafkaHeader(key: EventHeaders.dlqSink, string: sink)) }
        headers.append(KafkaHeader(key: EventHeaders.dlqSourceTopic, string: topic))
        headers.append(KafkaHeader(key: EventHeaders.dlqSourcePartition, string: String(partition)))
        headers.append(KafkaHeader(key: EventHeaders.dlqSourceOffset, string: String(offset)))
        return KafkaProducerMessage(topic: Topics.deadLetter(of: topic), key: key, value: value, headers: headers)
    }

    /// The headers without the `dlq-*` ones: what a record carries when it is replayed from the DLQ.
    public var headersWithoutDeadLetterInfo: [KafkaHeader] {
        headers.filter { !$0.key.hasPrefix(EventHeaders.deadLetterPrefix) }
    }
}
