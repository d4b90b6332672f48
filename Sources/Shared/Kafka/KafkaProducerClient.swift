import CKafka
import Logging
import ServiceLifecycle
import Synchronization
import Timing

/// An idempotent Kafka producer. `send` returns once the broker acknowledged the message (`acks=all`).
///
/// Run it as a `Service`: `run()` serves delivery reports until graceful shutdown, then flushes and fails whatever
/// is still pending. Sends wait (back-pressure) while `maxInFlightMessages` are outstanding.
public final class KafkaProducerClient: Service, Sendable {
    public let settings: KafkaProducerSettings
    private let handle: KafkaHandle
    private let blocking: BlockingExecutor
    /// Connection checks wait here, not on `blocking`: a metadata request must never hold up delivery reports.
    private let probes: BlockingExecutor
    private let logger: Logger
    private let closing = Mutex(false)
    /// How long shutdown waits for outstanding messages.
    public var flushTimeout: Duration { settings.messageTimeout }

    public init(settings: KafkaProducerSettings, logger: Logger) throws(KafkaClientError) {
        self.settings = settings
        self.logger = logger
        self.handle = try KafkaHandle(
            RD_KAFKA_PRODUCER, properties: settings.properties, logger: logger,
            maxInFlight: settings.maxInFlightMessages
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        self.blocking = BlockingExecutor(label: "kafka.producer.\(settings.client.clientID)")
        self.probes = BlockingExecutor(label: "kafka.producer.\(settings.client.clientID).probe")
    }

    // MARK: - Sending

    /// Sends one message and returns where the broker stored it.
    ///
    /// With a `timeout`, the call gives up after that long with `.timedOut` even if librdkafka is still retrying
    /// (the message may then still be delivered later): for callers that must answer someone in bounded time. The
    /// deadline is checked by `run()`'s poll loop, so it passes at most one poll interval (50 ms) late.
    ///
    /// With `giveUpOnCancel`, a cancelled caller stops waiting at once with `.timedOut` (the message may still be
    /// delivered): for callers that must not be held by Kafka once they gave up. Without it, a cancelled task's send
    /// still waits for its answer, so clean-up written on the way out (a released lease, a final state) lands.
    public func send(
        _ message: KafkaProducerMessage, timeout: Duration? = nil, giveUpOnCancel: Bool = false
    ) async throws(KafkaClientError) -> KafkaOffset {
        let deliveries = handle.context.deliveries
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            try checkOpen()
            await deliveries.inFlight.acquire()
            let registered = Mutex<UInt?>(nil)
            let outcome = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let id = deliveries.register(continuation, topic: message.topic, deadline: deadline)
                    registered.withLock { $0 = id }
                    if let code = enqueue(message, id: id) {
                        deliveries.complete(id, with: .enqueueFailed(code))
                    } else if giveUpOnCancel && Task.isCancelled {
                        deliveries.abandon(id)
                    }
                }
            } onCancel: {
                if giveUpOnCancel, let id = registered.withLock({ $0 }) { deliveries.abandon(id) }
            }
            guard case let .failure(.enqueue(_, code)) = outcome, code == .queueFull else { return try outcome.get() }
            // librdkafka's own queue is full (byte limit): wait for deliveries instead of failing.
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Sends messages in order and returns, once every one was acknowledged, each one's outcome in the same order.
    /// One continuation serves the whole batch, which makes this the fast path for many records (a page of events).
    public func send(_ messages: [KafkaProducerMessage]) async throws(KafkaClientError)
        -> [Result<KafkaOffset, KafkaClientError>]
    {
        try checkOpen()
        let deliveries = handle.context.deliveries
        let batch = DeliveryRegistry.Batch(topics: messages.map(\.topic))
        for (index, message) in messages.enumerated() {
            await deliveries.inFlight.acquire()
            let id = deliveries.register(batch, index: index)
            while let code = enqueue(message, id: id) {
                if code == .queueFull, !isClosing {
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                deliveries.complete(id, with: .enqueueFailed(code))
                break
            }
        }
        return await withCheckedContinuation { deliveries.await(batch, $0) }
    }

    private var isClosing: Bool { closing.withLock { $0 } }

    private func checkOpen() throws(KafkaClientError) {
        if isClosing { throw .closed }
        if let fatal = handle.fatalError() { throw fatal }
    }

    /// Sends one message and returns where the broker stored it.
    public func send(
        topic: String, key: String?, value: [UInt8]?, headers: [KafkaHeader] = []
    ) async throws(KafkaClientError) -> KafkaOffset {
        try await send(KafkaProducerMessage(topic: topic, key: key, value: value, headers: headers))
    }

    /// Queues the message in librdkafka; returns the error code if it could not be queued.
    private func enqueue(_ message: KafkaProducerMessage, id: UInt) -> KafkaCode? {
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let topic = handle.topic(named: message.topic)
        let error: OpaquePointer? = withOptionalBytes(message.key) { keyPointer, keyCount in
            withOptionalBytes(message.value) { valuePointer, valueCount in
                // On the stack: no allocation per message.
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { values in
                    values[0] = rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_RKT, u: .init(rkt: topic))
                    values[1] = rd_kafka_vu_t(
                        vtype: RD_KAFKA_VTYPE_VALUE, u: .init(mem: .init(ptr: valuePointer, size: valueCount)))
                    values[2] = rd_kafka_vu_t(
                        vtype: RD_KAFKA_VTYPE_KEY, u: .init(mem: .init(ptr: keyPointer, size: keyCount)))
                    values[3] = rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_MSGFLAGS, u: .init(i: RD_KAFKA_MSG_F_COPY))
                    values[4] = rd_kafka_vu_t(
                        vtype: RD_KAFKA_VTYPE_OPAQUE, u: .init(ptr: UnsafeMutableRawPointer(bitPattern: id)))
                    var count = 5
                    if let headers {
                        values[5] = rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_HEADERS, u: .init(headers: headers))
                        count = 6
                    }
                    return rd_kafka_produceva(handle.raw, values.baseAddress, count)
                }
            }
        }
        guard let error else { return nil }  // success: librdkafka owns the headers now
        let code = KafkaCode(rd_kafka_error_code(error))
        rd_kafka_error_destroy(error)
        if let headers { rd_kafka_headers_destroy(headers) }
        return code
    }

    // MARK: - Lifecycle

    /// Serves delivery reports until graceful shutdown or cancellation, then flushes.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !closing.withLock({ $0 }) {
                let fatal = await blocking.run { [handle] in
                    rd_kafka_poll(handle.raw, 50)
                    return handle.fatalError()
                }
                handle.context.deliveries.expire(now: .now, brokers: settings.client.bootstrapServers)
                if let fatal {
                    logger.error("producer stopped by fatal error", metadata: ["error": "\(fatal)"])
                    break
                }
            }
        } onGracefulShutdown: {
            self.closing.withLock { $0 = true }
        }
        closing.withLock { $0 = true }
        await shutdown()
        if let fatal = handle.fatalError() { throw fatal }
    }

    /// Waits until every queued message is acknowledged or `timeout` passes.
    public func flush(timeout: Duration) async {
        let code = await blocking.run { [handle] in rd_kafka_flush(handle.raw, Int32(timeout.milliseconds)) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("flush left messages undelivered", metadata: ["kafka.error": "\(KafkaCode(code).name)"])
        }
    }

    private func shutdown() async {
        await flush(timeout: flushTimeout)
        handle.context.deliveries.failAll(with: .closed)
        logger.debug("producer flushed and closed")
    }

    /// Succeeds when a broker answers a metadata request within `timeout`.
    public func checkConnection(timeout: Duration) async throws(KafkaClientError) {
        let code = await probes.run { [handle] in handle.fetchMetadata(timeout: timeout) }
        if code != nil {
            throw .timedOut(operation: "connecting to Kafka", brokers: settings.client.bootstrapServers)
        }
    }

    /// Messages sent but not yet acknowledged.
    public var pendingDeliveries: Int { handle.context.deliveries.pendingCount }
}

/// Calls `body` with a pointer and length for optional bytes (null pointer for `nil`).
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeMutableRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { buffer in
        body(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
    }
}

private let deliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let context = KafkaCallbackContext.from(opaque) else { return }
        let id = UInt(bitPattern: message.pointee._private)
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            context.deliveries.complete(
                id, with: .acknowledged(partition: message.pointee.partition, offset: message.pointee.offset))
        } else {
            context.deliveries.complete(id, with: .rejected(KafkaCode(message.pointee.err)))
        }
    }
