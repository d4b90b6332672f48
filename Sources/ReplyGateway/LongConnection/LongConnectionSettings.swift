import FeishuKit
import KafkaClient
import ServiceKit

/// How Feishu events reach the gateway (`FEISHU_EVENT_MODE`).
enum FeishuEventMode: String, Sendable, CaseIterable {
    /// Feishu POSTs to `/feishu/events` (a public URL is needed).
    case webhook
    /// The gateway dials Feishu's long connection; no inbound port is needed for Feishu.
    case websocket
}

/// Settings of the long connection (`FEISHU_EVENT_MODE=websocket`).
struct LongConnectionSettings: Sendable {
    var appID: String
    var appSecret: String
    /// `FEISHU_OPENAPI_URL`: the endpoint API lives on the same host as the app API.
    var baseURL: String
    /// Checked against `header.token` of every event.
    var verificationToken: String
    /// Used only if Feishu ever sends an `{"encrypt": …}` payload over the connection.
    var encryptKey: String?
    /// Used until the endpoint API sends its own `ClientConfig`.
    var defaults = FeishuLongConnectionClientConfig.sdkDefaults
    /// The shortest wait between failed attempts (the back-off doubles from here up to `ReconnectInterval`).
    var minimumBackoff: Duration = .seconds(1)
    /// Timeout of the endpoint request and of the WebSocket upgrade.
    var connectTimeout: Duration = .seconds(10)
    /// Largest message accepted, fragments reassembled (bigger ones are dropped, Feishu re-sends and gives up).
    var maxMessageBytes = 4 << 20
}
