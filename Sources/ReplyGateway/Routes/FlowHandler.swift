import Events
import Foundation
import HTTPTypes
import KafkaClient
import Logging

/// `POST /feishu/flow`: the reference workflow's request `{"content":"#issue_uuid#text"}` (the flow sends the
/// message with the @ part removed), protected by `Authorization: Bearer $FLOW_TOKEN`. Answers
/// `{"issueUUID":…,"commandId":…,"status":"accepted"}` once Kafka acknowledged the command.
///
/// A flow request has no platform event id: a `Client-Token` header (Feishu automation's idempotency key) is used
/// when present, so a retried request maps to the same command; otherwise every request is a new command.
struct FlowHandler: IngressHandler {
    let token: String
    let intake: CommandIntake
    let logger: Logger

    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection) {
        try BearerToken.check(headers, token: token)
    }

    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer {
        struct FlowBody: Decodable { var content: String }
        let request: FlowBody
        do {
            request = try JSONDecoder().decode(FlowBody.self, from: Data(body))
        } catch {
            throw .malformedJSON("expected {\"content\":\"#issue_uuid#text\"}")
        }
        guard let command = CommandText.parse(request.content) else {
            throw .badRequest("content must be #issue_uuid#text")
        }
        let eventID = headers[HTTPField.Name("Client-Token")!] ?? UUID().uuidString.lowercased()
        let commandID = CommandIntake.commandID(platform: "feishu-flow", eventID: eventID)
        let origin = ReplyCommand.Origin(platform: "feishu-flow", eventId: eventID)
        let (published, outcome) = try await intake.submit(command, origin: origin, commandID: commandID)
        logger.info(
            "reply command accepted",
            metadata: [
                LogKey.commandID: "\(commandID)", LogKey.issueUUID: "\(published.issueUUID)", "route": "/feishu/flow",
            ])
        return .ok(
            ["issueUUID": published.issueUUID, "commandId": commandID, "status": "accepted"],
            outcome: outcome == .published ? "accepted" : "duplicate")
    }
}
