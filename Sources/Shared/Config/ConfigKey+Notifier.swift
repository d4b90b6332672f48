import Events

extension ConfigKey {
    public static let feishuWebhookURL = ConfigKey("FEISHU_WEBHOOK_URL", "Feishu custom bot webhook", secret: true)
    public static let feishuWebhookSecret = ConfigKey(
        "FEISHU_WEBHOOK_SECRET", "Feishu custom bot signing secret", secret: true)
    public static let feishuFlowWebhookURL = ConfigKey(
        "FEISHU_FLOW_WEBHOOK_URL", "Feishu flow trigger-webhook (the reference workflow's format)", secret: true)
    public static let dingtalkWebhookURL = ConfigKey("DINGTALK_WEBHOOK_URL", "DingTalk custom robot", secret: true)
    public static let dingtalkSecret = ConfigKey("DINGTALK_SECRET", "DingTalk signing secret (SEC...)", secret: true)
    public static let wecomWebhookURL = ConfigKey("WECOM_WEBHOOK_URL", "WeCom group robot", secret: true)
    public static let webhookURL = ConfigKey(
        "WEBHOOK_URL", "generic webhook receiving the IssueEvent JSON as is", secret: true)
    public static let webhookSecret = ConfigKey(
        "WEBHOOK_SECRET", "generic webhook HMAC-SHA256 key (X-Signature header)", secret: true)
    public static let feishuWebhookRateLimit = ConfigKey(
        "FEISHU_WEBHOOK_RATE_LIMIT", "messages per second for the Feishu bot; 0 turns the limiter off")
    public static let dingtalkRateLimit = ConfigKey(
        "DINGTALK_RATE_LIMIT", "messages per second for DingTalk; 0 turns the limiter off")
    public static let wecomRateLimit = ConfigKey(
        "WECOM_RATE_LIMIT", "messages per second for WeCom; 0 turns the limiter off")
    public static let routesFile = ConfigKey("ROUTES_FILE", "YAML routing rules and extra named sinks")
    public static let notifierMaxAttempts = ConfigKey(
        "NOTIFIER_MAX_ATTEMPTS", "attempts per event and sink before the DLQ; default 5")
    public static let notifierRetryBackoff = ConfigKey(
        "NOTIFIER_RETRY_BACKOFF", "seconds before the first retry, doubled each attempt with jitter; default 1")
    public static let notifierRequestTimeout = ConfigKey(
        "NOTIFIER_REQUEST_TIMEOUT", "seconds one webhook call may take; default 10")
    public static let notifierMaxInFlight = ConfigKey(
        "NOTIFIER_MAX_IN_FLIGHT", "records per partition being delivered at once; default 500")

    /// Keys of the notifier.
    public static let notifierKeys: [ConfigKey] =
        [
            feishuWebhookURL, feishuWebhookSecret, feishuFlowWebhookURL, dingtalkWebhookURL, dingtalkSecret,
            wecomWebhookURL, webhookURL, webhookSecret, feishuWebhookRateLimit, dingtalkRateLimit, wecomRateLimit,
            routesFile, notifierMaxAttempts, notifierRetryBackoff, notifierRequestTimeout, notifierMaxInFlight,
        ] + feishuAppSinkKeys
}
