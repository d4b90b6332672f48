import Foundation

/// The parts of a (decrypted) Feishu callback body the gateway reads: a url_verification challenge or a schema 2.0
/// event envelope (docs/protocols/feishu.md). Unknown fields are ignored.
struct FeishuCallback: Decodable, Sendable {
    struct Header: Decodable, Sendable {
        var eventID: String?
        var eventType: String?
        var token: String?
        var createTime: String?

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case eventType = "event_type"
            case token
            case createTime = "create_time"
        }
    }

    var type: String?
    var challenge: String?
    /// v1 events and challenges carry the token at the top level.
    var token: String?
    var schema: String?
    var header: Header?

    var isURLVerification: Bool { type == "url_verification" }
    /// The verification token wherever this body version puts it.
    var verificationToken: String? { header?.token ?? token }
}
