import Foundation

/// The connection settings the endpoint API (and a pong) hands the client; intervals in seconds. The field names
/// are the server's (`ClientConfig`).
public struct FeishuLongConnectionClientConfig: Codable, Sendable, Equatable {
    /// Reconnect attempts before giving up; -1 = unlimited.
    public var reconnectCount: Int?
    /// Seconds between reconnect attempts.
    public var reconnectInterval: Int?
    /// Upper bound in seconds of the random wait before the first reconnect.
    public var reconnectNonce: Int?
    /// Seconds between pings.
    public var pingInterval: Int?

    enum CodingKeys: String, CodingKey {
        case reconnectCount = "ReconnectCount"
        case reconnectInterval = "ReconnectInterval"
        case reconnectNonce = "ReconnectNonce"
        case pingInterval = "PingInterval"
    }

    public init(
        reconnectCount: Int? = nil, reconnectInterval: Int? = nil, reconnectNonce: Int? = nil, pingInterval: Int? = nil
    ) {
        self.reconnectCount = reconnectCount
        self.reconnectInterval = reconnectInterval
        self.reconnectNonce = reconnectNonce
        self.pingInterval = pingInterval
    }

    /// The official SDKs' defaults: unlimited attempts, 120 s apart, the first after up to 30 s; a ping every 120 s.
    public static let sdkDefaults = FeishuLongConnectionClientConfig(
        reconnectCount: -1, reconnectInterval: 120, reconnectNonce: 30, pingInterval: 120)

    /// `self`'s values where set, else `base`'s.
    public func over(_ base: FeishuLongConnectionClientConfig) -> FeishuLongConnectionClientConfig {
        FeishuLongConnectionClientConfig(
            reconnectCount: reconnectCount ?? base.reconnectCount,
            reconnectInterval: reconnectInterval ?? base.reconnectInterval,
            reconnectNonce: reconnectNonce ?? base.reconnectNonce, pingInterval: pingInterval ?? base.pingInterval)
    }
}

/// `POST {domain}/callback/ws/endpoint`: request and answer.
public enum FeishuLongConnectionEndpoint {
    public static let path = "/callback/ws/endpoint"

    public struct Request: Codable, Sendable {
        public var appID: String
        public var appSecret: String

        enum CodingKeys: String, CodingKey {
            case appID = "AppID"
            case appSecret = "AppSecret"
        }

        public init(appID: String, appSecret: String) {
            self.appID = appID
            self.appSecret = appSecret
        }
    }

    public struct Response: Codable, Sendable {
        public struct Data: Codable, Sendable {
            public var url: String?
            public var clientConfig: FeishuLongConnectionClientConfig?

            enum CodingKeys: String, CodingKey {
                case url = "URL"
                case clientConfig = "ClientConfig"
            }

            public init(url: String?, clientConfig: FeishuLongConnectionClientConfig?) {
                self.url = url
                self.clientConfig = clientConfig
            }
        }

        public var code: Int
        public var msg: String?
        public var data: Data?

        public init(code: Int, msg: String?, data: Data?) {
            self.code = code
            self.msg = msg
            self.data = data
        }
    }

    /// Codes the SDKs retry (system busy, internal error); every other non-zero code is the client's fault.
    public static let retryableCodes: Set<Int> = [1, 1_000_040_343]
    /// `Handshake-Autherrcode` of a refused upgrade when the app already has the most connections allowed.
    public static let connectionLimitCode = "1000040350"

    /// Handshake failure headers of a refused upgrade.
    public static let handshakeStatusHeader = "Handshake-Status"
    public static let handshakeMessageHeader = "Handshake-Msg"
    public static let handshakeAuthErrorHeader = "Handshake-Autherrcode"
}

/// The payload of a client's answer frame: `code` is an HTTP-like status, `data` the handler's JSON result
/// (base64 in JSON, as Go encodes a byte slice), null for plain events.
public struct FeishuFrameAnswer: Codable, Sendable, Equatable {
    public var code: Int
    public var headers: [String: String]?
    public var data: Data?

    public init(code: Int, headers: [String: String]? = nil, data: Data? = nil) {
        self.code = code
        self.headers = headers
        self.data = data
    }

    public func encoded() -> [UInt8] {
        let json = try? JSONEncoder().encode(self)
        return Array(json ?? Data(#"{"code":\#(code)}"#.utf8))
    }
}
