/// One frame of Feishu's long connection (docs/protocols/feishu-long-connection.md): the protobuf message `Frame`
/// of package `pbbp2` that the official SDKs exchange in binary WebSocket messages. Field numbers in comments.
public struct FeishuFrame: Sendable, Equatable {
    /// A string key/value pair (`Header`, fields 1 and 2).
    public struct Header: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// `method`: control frames carry ping/pong, data frames carry events and card callbacks.
    public enum Method: Int32, Sendable {
        case control = 0
        case data = 1
    }

    /// 1
    public var seqID: UInt64 = 0
    /// 2
    public var logID: UInt64 = 0
    /// 3: the `service_id` of the endpoint URL.
    public var service: Int32 = 0
    /// 4: see `Method`.
    public var method: Int32 = 0
    /// 5
    public var headers: [Header] = []
    /// 6
    public var payloadEncoding = ""
    /// 7
    public var payloadType = ""
    /// 8: absent in control frames without a body.
    public var payload: [UInt8]?
    /// 9
    public var logIDNew = ""

    public init(
        seqID: UInt64 = 0, logID: UInt64 = 0, service: Int32 = 0, method: Method, headers: [Header] = [],
        payload: [UInt8]? = nil
    ) {
        self.seqID = seqID
        self.logID = logID
        self.service = service
        self.method = method.rawValue
        self.headers = headers
        self.payload = payload
    }

    /// The first value of header `key`.
    public func header(_ key: String) -> String? {
        headers.first { $0.key == key }?.value
    }

    /// Sets header `key` (replacing every earlier value).
    public mutating func setHeader(_ key: String, _ value: String) {
        headers.removeAll { $0.key == key }
        headers.append(Header(key, value))
    }
}

/// Header names and values of the long connection.
public enum FeishuFrameHeader {
    public static let type = "type"
    public static let messageID = "message_id"
    /// Number of fragments (1 when whole).
    public static let sum = "sum"
    /// Index of this fragment, from 0.
    public static let seq = "seq"
    public static let traceID = "trace_id"
    /// Milliseconds since the epoch, set by the server.
    public static let timestamp = "timestamp"
    /// Added by the client to its answer: milliseconds spent handling.
    public static let bizRT = "biz_rt"

    public static let ping = "ping"
    public static let pong = "pong"
    public static let event = "event"
    public static let card = "card"
}
