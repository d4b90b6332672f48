import ServiceKit

extension ConfigKey {
    public static let gatewayPort = ConfigKey("GATEWAY_PORT", "HTTP port of the reply gateway; default 8080")
    public static let feishuVerificationToken = ConfigKey(
        "FEISHU_VERIFICATION_TOKEN", "Feishu event subscription verification token", secret: true)
    public static let feishuEncryptKey = ConfigKey(
        "FEISHU_ENCRYPT_KEY", "Feishu event subscription encrypt key", secret: true)
    public static let flowToken = ConfigKey("FLOW_TOKEN", "bearer token required on /feishu/flow", secret: true)
    public static let dingtalkAppSecret = ConfigKey(
        "DINGTALK_APP_SECRET", "DingTalk robot AppSecret for /dingtalk/events", secret: true)
    public static let gatewayMaxBodyBytes = ConfigKey(
        "GATEWAY_MAX_BODY_BYTES", "largest accepted callback body in bytes (413 above); default 1048576")
    public static let gatewayPublishTimeout = ConfigKey(
        "GATEWAY_PUBLISH_TIMEOUT",
        "seconds the gateway waits for Kafka to acknowledge a command before answering 503; default 2.5")
    public static let gatewaySignatureWindow = ConfigKey(
        "GATEWAY_SIGNATURE_WINDOW", "seconds a signed callback's timestamp may differ from now; default 300")

    public static let feishuAllowUnencrypted = ConfigKey(
        "FEISHU_ALLOW_UNENCRYPTED",
        "true lets /feishu/events run without FEISHU_ENCRYPT_KEY (token only, no signature, no replay window); default false"
    )
    public static let dingtalkSessionWebhookOrigins = ConfigKey(
        "DINGTALK_SESSION_WEBHOOK_ORIGINS",
        "https origins a DingTalk sessionWebhook may point to, comma separated; default https://oapi.dingtalk.com")
    public static let gatewayReadTimeout = ConfigKey(
        "GATEWAY_READ_TIMEOUT", "seconds a callback's body may take to arrive before 408; default 10")
    public static let gatewayIdleTimeout = ConfigKey(
        "GATEWAY_IDLE_TIMEOUT",
        "seconds an ingress connection may stay idle (no request) before it is closed; default 30")
    public static let guanceWebhookToken = ConfigKey(
        "GUANCE_WEBHOOK_TOKEN",
        "bearer token Guance's webhook notification target sends to /guance/webhook/<target>; unset = no such route",
        secret: true)

    public static let identityFile = ConfigKey(
        "IDENTITY_FILE",
        "YAML file mapping Feishu open_ids or e-mails to Guance account e-mails (who acknowledged, who replied); optional"
    )
    public static let feishuEventMode = ConfigKey(
        "FEISHU_EVENT_MODE",
        "how Feishu events reach the gateway: webhook (Feishu POSTs to /feishu/events) or websocket (the gateway "
            + "opens Feishu's long connection with FEISHU_APP_ID/FEISHU_APP_SECRET); default webhook")

    /// Keys of the reply gateway.
    public static let gatewayKeys: [ConfigKey] = [
        gatewayPort, feishuVerificationToken, feishuEncryptKey, feishuAppID, feishuAppSecret, feishuOpenAPIURL,
        flowToken, dingtalkAppSecret, gatewayMaxBodyBytes, gatewayPublishTimeout, gatewaySignatureWindow,
        feishuAllowUnencrypted, dingtalkSessionWebhookOrigins, gatewayReadTimeout, gatewayIdleTimeout,
        guanceWebhookToken, identityFile, feishuEventMode,
    ]
}
