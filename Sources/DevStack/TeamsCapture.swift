import Foundation

/// A fake Microsoft Teams Workflows webhook (docs/protocols/teams.md): `POST
/// /workflows/<id>/triggers/manual/paths/invoke?…&sig=<token>`. Like the real trigger it answers `202` to any JSON
/// once the run starts, and a card the flow could not post is only visible afterwards: such requests are recorded as
/// not shown, with the reason (not a `message` with one Adaptive Card attachment, a card without `body`, over 28 KB).
/// A bad `sig` gets 401, a body that is not JSON 400, more than `perSecond` requests in a second 429 with
/// `Retry-After`, each with the JSON error object of the Power Automate trigger.
public enum TeamsCapture {
    /// The `sig` the fake accepts.
    public static let token = "devstack"

    /// The workflow URL of a started capture.
    public static func url(_ capture: HookCapture) -> String {
        "\(capture.baseURL)/workflows/0devstack/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers"
            + "%2Fmanual%2Frun&sv=1.0&sig=\(token)"
    }

    /// A Teams fake; `perSecond: nil` turns the throttling off.
    public static func make(perSecond: Int? = 4) -> HookCapture {
        let throttled = error(429, "WorkflowTriggerIsThrottled", "too many requests", headers: [("Retry-After", "1")])
        let limit = perSecond.map { (count: $0, window: Duration.seconds(1), throttled: throttled) }
        return HookCapture(name: "teams-capture", limit: limit) { request in answer(request) }
    }

    /// The answer the trigger gives to a request, and whether the flow would post the card.
    public static func answer(_ request: HookCapture.Message) -> HookCapture.Answer {
        guard request.path.hasSuffix("/triggers/manual/paths/invoke"),
            request.query.split(separator: "&").contains("sig=\(token)")
        else {
            return error(401, "DirectApiAuthorizationRequired", "the request must be authorized by the sig parameter")
        }
        guard let json = request.json else { return error(400, "InvalidRequestContent", "the body is not JSON") }
        if let problem = messageProblem(json, bytes: request.body.count) {
            return HookCapture.Answer(status: 202, body: "", problem: "the flow run fails: \(problem)")
        }
        return HookCapture.Answer(status: 202, body: "", shown: true)
    }

    /// What makes the flow's "post card" step fail.
    public static func messageProblem(_ json: [String: Any], bytes: Int) -> String? {
        guard bytes <= 28 * 1024 else { return "message over 28 KB" }
        guard json["type"] as? String == "message", let attachments = json["attachments"] as? [[String: Any]],
            attachments.count == 1
        else { return "not a message with one attachment" }
        let attachment = attachments[0]
        guard attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive",
            let card = attachment["content"] as? [String: Any], card["type"] as? String == "AdaptiveCard",
            card["version"] is String, let body = card["body"] as? [[String: Any]], !body.isEmpty
        else { return "the attachment is not an Adaptive Card with a body" }
        for element in body {
            switch element["type"] as? String {
            case "TextBlock":
                guard element["text"] is String else { return "a TextBlock without text" }
            case "RichTextBlock":
                guard let inlines = element["inlines"] as? [[String: Any]],
                    inlines.allSatisfy({ $0["type"] as? String == "TextRun" && $0["text"] is String })
                else { return "a RichTextBlock must hold TextRuns with text" }
            default:
                return "unexpected element \(element["type"] ?? "nil")"
            }
        }
        for action in card["actions"] as? [[String: Any]] ?? [] {
            guard action["type"] as? String == "Action.OpenUrl", let url = action["url"] as? String,
                url.hasPrefix("https://") || url.hasPrefix("http://")
            else { return "an action must be Action.OpenUrl to an http(s) URL" }
        }
        return nil
    }

    private static func error(
        _ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []
    ) -> HookCapture.Answer {
        HookCapture.Answer(
            status: status, body: "{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\"}}",
            headers: [("Content-Type", "application/json")] + headers, problem: code)
    }
}
