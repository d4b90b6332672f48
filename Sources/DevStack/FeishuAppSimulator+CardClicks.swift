import Foundation
import Hummingbird
import Synchronization

/// The card-click admin routes:
/// - `POST /admin/send-card-click` `{"action", "issueUUID", "openID"?, "messageID"?, "eventID"?}` → a signed,
///   encrypted `card.action.trigger` sent to the gateway (the same `eventID` again = Feishu redelivering the click);
///   answers `{"gatewayStatus", "gatewayBody" (the toast), "eventID", "roundTripMilliseconds"}`;
/// - `POST /admin/contacts` `{"openID", "name", "email"?}` → a user the contact directory then knows (the clicker's
///   name on the card).
extension FeishuAppSimulator {
    func addCardClickRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/admin/contacts") { request, context in
            struct User: Decodable {
                var openID: String
                var name: String
                var email: String?
            }
            let user = try await request.decode(as: User.self, context: context)
            self.contacts.addUser(openID: user.openID, name: user.name, email: user.email)
            return Self.json("{}")
        }
        router.post("/admin/send-card-click") { request, context in
            try await self.sendCardClick(request, context)
        }
    }

    private func sendCardClick(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        struct Body: Decodable {
            var action: String
            var issueUUID: String
            var openID: String?
            var messageID: String?
            /// The same id again = Feishu redelivering the same click.
            var eventID: String?
        }
        guard let sender = eventTarget.withLock({ $0 }) else {
            return Self.json(#"{"error":"no gateway configured"}"#, status: .serviceUnavailable)
        }
        guard let body = try? await request.decode(as: Body.self, context: context) else {
            return Self.json(
                #"{"error":"expected {\"action\":\"resolve\",\"issueUUID\":\"issue_…\"}"}"#, status: .badRequest)
        }
        let started = ContinuousClock.now
        let result = try await sender.sendCardClick(
            action: body.action, issueUUID: body.issueUUID, openID: body.openID ?? "ou_devstack_user",
            messageID: body.messageID ?? "om_devstack_card",
            eventID: body.eventID ?? "ev_" + UUID().uuidString.lowercased())
        let roundTrip = ContinuousClock.now - started
        return Self.json(
            FeishuEventFactory.jsonString([
                "gatewayStatus": result.status, "gatewayBody": result.body, "eventID": result.eventID,
                "roundTripMilliseconds": Double(roundTrip.components.attoseconds) / 1e15
                    + Double(roundTrip.components.seconds) * 1000,
            ]))
    }
}
