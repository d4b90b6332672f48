extension ConfigKey {
    /// The name of every key some service of the product reads. A `CONFIG_FILE` may be shared by several services
    /// (the gateway reads the poller's `poll_targets`), so each service must accept the keys of the others, while a
    /// name no service reads is still reported as a likely typo. The keys themselves (meaning, secrecy) are defined
    /// by the module that reads them; a test checks this list against them.
    public static let productKeyNames: Set<String> = [
        // Every service
        "KAFKA_BROKERS", "CONFIG_FILE", "LOG_LEVEL", "LOG_FORMAT", "METRICS_PORT", "SHUTDOWN_GRACE_PERIOD",
        "ON_CONFIG_ERROR", "KAFKA_TOPIC_PARTITIONS",
        // Notifier
        "FEISHU_WEBHOOK_URL", "FEISHU_WEBHOOK_SECRET", "FEISHU_FLOW_WEBHOOK_URL", "DINGTALK_WEBHOOK_URL",
        "DINGTALK_SECRET", "WECOM_WEBHOOK_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "FEISHU_WEBHOOK_RATE_LIMIT",
        "DINGTALK_RATE_LIMIT", "WECOM_RATE_LIMIT", "ROUTES_FILE", "NOTIFIER_MAX_ATTEMPTS", "NOTIFIER_RETRY_BACKOFF",
        "NOTIFIER_REQUEST_TIMEOUT", "NOTIFIER_MAX_IN_FLIGHT", "FEISHU_CHAT_ID",
        // Guance OpenAPI (poller and reply writer) and the poller
        "GUANCE_OPENAPI_URL", "GUANCE_API_KEY", "GUANCE_POLL_INTERVAL", "GUANCE_CONSOLE_URL", "GUANCE_RATE_LIMIT",
        "GUANCE_RATE_WINDOW", "GUANCE_RATE_RESERVE", "GUANCE_BUDGET_MODE", "GUANCE_CHANNEL", "GUANCE_POLL_OVERLAP",
        "GUANCE_POLL_LOOKBACK", "GUANCE_TRACK_WINDOW", "GUANCE_PUSH_POLL_INTERVAL", "GUANCE_POLLER_SESSION_TIMEOUT",
        // Reply gateway
        "GATEWAY_PORT", "FEISHU_VERIFICATION_TOKEN", "FEISHU_ENCRYPT_KEY", "FEISHU_APP_ID", "FEISHU_APP_SECRET",
        "FEISHU_OPENAPI_URL", "FLOW_TOKEN", "DINGTALK_APP_SECRET", "GATEWAY_MAX_BODY_BYTES", "GATEWAY_PUBLISH_TIMEOUT",
        "GATEWAY_SIGNATURE_WINDOW", "FEISHU_ALLOW_UNENCRYPTED", "DINGTALK_SESSION_WEBHOOK_ORIGINS",
        "GATEWAY_READ_TIMEOUT", "GATEWAY_IDLE_TIMEOUT", "GUANCE_WEBHOOK_TOKEN", "IDENTITY_FILE",
        "FEISHU_EVENT_MODE",
    ]
}
