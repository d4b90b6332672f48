extension FeishuAppClient: FeishuContactDirectory {}
