import Foundation
import ServiceKit

/// What a card click is answered with: the toast Feishu shows the person who clicked (docs/protocols/feishu-cards.md:
/// `{"toast": {"type", "content", "i18n"}}`, within 3 s), and an outcome label for logs and metrics.
struct CardActionAnswer: Sendable, Equatable {
    enum ToastType: String, Sendable {
        case success, info, warning, error
    }

    var type: ToastType
    var chinese: String
    var english: String
    /// `accepted`, `duplicate`, `refused`, `unavailable`.
    var outcome: String
    /// True when the IssueAction is on Kafka (or was already): the transport may acknowledge the delivery.
    var published: Bool

    /// The callback response body.
    var json: String {
        let toast: [String: Any] = [
            "type": type.rawValue, "content": "\(chinese) / \(english)",
            "i18n": ["zh_cn": chinese, "en_us": english],
        ]
        let data = (try? SortedKeysJSON.data(["toast": toast])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func accepted(_ verb: (chinese: String, english: String)) -> CardActionAnswer {
        CardActionAnswer(
            type: .success, chinese: "已提交：\(verb.chinese)", english: "\(verb.english) requested", outcome: "accepted",
            published: true)
    }

    static func duplicate(_ verb: (chinese: String, english: String)) -> CardActionAnswer {
        CardActionAnswer(
            type: .info, chinese: "已提交：\(verb.chinese)", english: "\(verb.english) already requested",
            outcome: "duplicate", published: true)
    }

    static func refused(chinese: String, english: String) -> CardActionAnswer {
        CardActionAnswer(type: .warning, chinese: chinese, english: english, outcome: "refused", published: false)
    }

    static let unavailable = CardActionAnswer(
        type: .error, chinese: "暂时无法提交，请稍后再点一次", english: "could not be submitted, please click again",
        outcome: "unavailable", published: false)

    static let notAnAction = refused(
        chinese: "这个按钮不是观测云 Issue 操作", english: "this button is not a Guance issue action")

    static let unknownClicker = refused(
        chinese: "无法识别点击者", english: "the person who clicked could not be identified")

    static let unmapped = refused(
        chinese: "找不到你的观测云账号，未认领。请管理员在 IDENTITY_FILE 中添加你的飞书账号",
        english: "no Guance account is known for you, so the issue was not assigned; ask an admin to map your "
            + "Feishu account in IDENTITY_FILE")
}
