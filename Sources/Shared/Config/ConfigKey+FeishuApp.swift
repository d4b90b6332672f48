extension ConfigKey {
    public static let feishuChatID = ConfigKey(
        "FEISHU_CHAT_ID",
        "Feishu chat (oc_…) the notifier's app sink keeps live issue cards in; needs FEISHU_APP_ID and FEISHU_APP_SECRET")

    /// The notifier's Feishu app sink: the chat, and the app's credentials and API host (shared with the gateway).
    public static let feishuAppSinkKeys: [ConfigKey] = [feishuChatID, feishuAppID, feishuAppSecret, feishuOpenAPIURL]
}
