extension ConfigKey {
    // MARK: - Feishu app (reply gateway and the notifier's `feishu-app` sink)
    public static let feishuAppID = ConfigKey("FEISHU_APP_ID", "Feishu app id (confirmations and live cards in chat)")
    public static let feishuAppSecret = ConfigKey("FEISHU_APP_SECRET", "Feishu app secret", secret: true)
    public static let feishuOpenAPIURL = ConfigKey("FEISHU_OPENAPI_URL", "Feishu app API base URL")
    public static let feishuChatID = ConfigKey(
        "FEISHU_CHAT_ID",
        "Feishu chat (oc_…) the notifier's app sink keeps live issue cards in; needs FEISHU_APP_ID and FEISHU_APP_SECRET"
    )

    /// The notifier's Feishu app sink: the chat, and the app's credentials and API host (shared with the gateway).
    public static let feishuAppSinkKeys: [ConfigKey] = [feishuChatID, feishuAppID, feishuAppSecret, feishuOpenAPIURL]
}
