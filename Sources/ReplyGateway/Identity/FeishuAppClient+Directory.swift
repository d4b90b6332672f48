import FeishuKit

extension FeishuAppClient: FeishuContactDirectory {}
