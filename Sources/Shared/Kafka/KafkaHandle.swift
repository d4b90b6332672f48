import CKafka
import Logging
import Synchronization
import Timing

/// State librdkafka's C callbacks reach through `rd_kafka_opaque`. Owned by `KafkaHandle`, so it outlives
/// `rd_kafka_destroy`; callbacks receive it unretained.
final class KafkaCallbackContext: Sendable {
    let logger: Logger
    /// Set by the error callback when librdkafka reports a fatal error.
    let fatalError = Mutex<KafkaClientError?>(nil)
    /// Producer delivery reports, keyed by the per-message id.
    let deliveries: DeliveryRegistry
    /// Consumer group rebalances.
    let rebalance = RebalanceState()

    init(logger: Logger, maxInFlight: Int) {
        self.logger = logger
        self.deliveries = DeliveryRegistry(maxInFlight: maxInFlight)
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> KafkaCallbackContext? {
        opaque.map { Unmanaged<KafkaCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Owns one `rd_kafka_t`. librdkafka handles are thread-safe, hence `@unchecked Sendable`.
final class KafkaHandle: @unchecked Sendable {
    let raw: OpaquePointer
    let context: KafkaCallbackContext
    let type: rd_kafka_type_t
    /// When true, `deinit` destroys a consumer without leaving the group (used to simulate a crash in tests).
    let skipConsumerCloseOnDestroy = Mutex(false)

    init(
        _ type: rd_kafka_type_t, properties: [String: String], logger: Logger, maxInFlight: Int = 1,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaClientError) {
        let context = KafkaCallbackContext(logger: logger, maxInFlight: maxInFlight)
        guard let conf = rd_kafka_conf_new() else { throw .clientCreation(reason: "rd_kafka_conf_new failed") }
        var owned = false
        defer { if !owned { rd_kafka_conf_destroy(conf) } }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            try Self.set(conf, key, value)
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        configure(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            throw .clientCreation(reason: String(cString: errorText))
        }
        owned = true  // rd_kafka_new took ownership of conf
        self.raw = rk
        self.context = context
        self.type = type
    }

    /// Topic handles by name, created once: producing through a handle skips librdkafka's per-message lookup.
    private let topics = Mutex<[String: OpaquePointer]>([:])

    /// The topic handle for `name`, owned by this handle.
    func topic(named name: String) -> OpaquePointer {
        topics.withLock { topics in
            if let existing = topics[name] { return existing }
            let created = rd_kafka_topic_new(raw, name, nil)!
            topics[name] = created
            return created
        }
    }

    deinit {
        for topic in topics.withLock({ $0.values }) { rd_kafka_topic_destroy(topic) }
        if type == RD_KAFKA_CONSUMER, skipConsumerCloseOnDestroy.withLock({ $0 }) {
            rd_kafka_destroy_flags(raw, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        } else {
            rd_kafka_destroy(raw)
        }
    }

    private static func set(_ conf: OpaquePointer, _ key: String, _ value: String) throws(KafkaClientError) {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            throw .invalidSetting(key: key, reason: String(cString: errorText))
        }
    }

    /// The fatal error librdkafka reported, if any.
    func fatalError() -> KafkaClientError? {
        context.fatalError.withLock { $0 }
    }

    /// Fetches cluster metadata; succeeds only when a broker answered within `timeout`.
    /// Blocking: call on a `BlockingExecutor`.
    func fetchMetadata(timeout: Duration) -> KafkaCode? {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(raw, 0, nil, &metadata, Int32(timeout.milliseconds))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaCode(err)
    }
}

// MARK: - C callbacks

private let kafkaLogCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?)
        -> Void = { rk, level, facility, buffer in
            guard let rk, let context = KafkaCallbackContext.from(rd_kafka_opaque(rk)) else { return }
            let message = buffer.map { String(cString: $0) } ?? ""
            let facilityName = facility.map { String(cString: $0) } ?? ""
            let swiftLevel: Logger.Level =
                switch level {
                case 0...3: .error
                case 4: .warning
                case 5, 6: .info
                default: .debug
                }
            // librdkafka is chatty at info: keep its lifecycle noise at debug unless it is a problem.
            let effective: Logger.Level = swiftLevel == .info ? .debug : swiftLevel
            context.logger.log(level: effective, "\(message)", metadata: ["kafka.facility": "\(facilityName)"])
        }

private let kafkaErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?)
        -> Void = { rk, err, reason, opaque in
            guard let context = KafkaCallbackContext.from(opaque) else { return }
            let code = KafkaCode(rawValue: err)
            let text = reason.map { String(cString: $0) } ?? code.text
            if err == RD_KAFKA_RESP_ERR__FATAL.rawValue, let rk {
                var fatalText = [CChar](repeating: 0, count: 512)
                let fatalCode = KafkaCode(rd_kafka_fatal_error(rk, &fatalText, fatalText.count))
                let error = KafkaClientError.fatal(code: fatalCode, reason: String(cString: fatalText))
                context.fatalError.withLock { $0 = error }
                context.logger.error("fatal Kafka error", metadata: ["error": "\(error)"])
                return
            }
            context.logger.warning(
                "Kafka client error", metadata: ["kafka.error": "\(code.name)", "reason": "\(text)"])
        }
