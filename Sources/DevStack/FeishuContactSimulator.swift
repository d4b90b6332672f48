import Foundation
import Hummingbird
import Synchronization

/// The Feishu contact directory of the app fake: `GET /open-apis/contact/v3/users/:user_id?user_id_type=open_id`
/// answers `{"code":0,"data":{"user":{"open_id","name","email","enterprise_email"}}}` for users added here (the
/// token is checked by `FeishuAppSimulator`). An unknown user, or a `user_id_type` other than `open_id`, is an API
/// error (the codes are the fake's own; the gateway treats every non-zero code the same).
public final class FeishuContactSimulator: Sendable {
    private struct User: Sendable {
        var name: String
        var email: String?
        var enterpriseEmail: String?
    }

    private let users = Mutex<[String: User]>([:])
    private let lookups = Mutex(0)

    public init() {}

    /// Adds (or replaces) a user the directory knows.
    public func addUser(openID: String, name: String, email: String? = nil, enterpriseEmail: String? = nil) {
        users.withLock { $0[openID] = User(name: name, email: email, enterpriseEmail: enterpriseEmail) }
    }

    /// How many lookups were answered (the gateway's cache shows here).
    public var lookupCount: Int { lookups.withLock { $0 } }

    func answer(openID: String, userIDType: String?) -> Response {
        lookups.withLock { $0 += 1 }
        guard userIDType == nil || userIDType == "open_id" else {
            return FeishuAppSimulator.json(#"{"code":99992402,"msg":"field validation failed"}"#, status: .badRequest)
        }
        guard let user = users.withLock({ $0[openID] }) else {
            return FeishuAppSimulator.json(#"{"code":41050,"msg":"no user authority error"}"#, status: .badRequest)
        }
        var object: [String: Any] = ["open_id": openID, "name": user.name]
        if let email = user.email { object["email"] = email }
        if let enterprise = user.enterpriseEmail { object["enterprise_email"] = enterprise }
        return FeishuAppSimulator.json(
            FeishuEventFactory.jsonString(["code": 0, "msg": "success", "data": ["user": object]]))
    }
}
