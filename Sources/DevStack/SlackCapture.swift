import Foundation

/// A strict fake Slack incoming webhook (docs/protocols/slack.md): `POST /services/T…/B…/<token>` with a JSON body
/// that has a `text` fallback and valid Block Kit `blocks`. Answers as Slack does: `200 ok`, or an HTTP status with
/// Slack's error string (`no_service`, `invalid_payload`, `invalid_blocks`, `channel_is_archived`, ...). Slack allows
/// 1 message per second with short bursts: the fake answers `429 rate_limited` with `Retry-After` beyond `perSecond`
/// on average over 3 seconds.
public enum SlackCapture {
    /// The path token the fake accepts.
    public static let token = "devstack"

    /// The webhook URL of a started capture.
    public static func url(_ capture: HookCapture) -> String {
        "\(capture.baseURL)/services/T0DEVSTACK/B0DEVSTACK/\(token)"
    }

    /// A Slack fake; `perSecond: nil` turns the rate limit off.
    public static func make(perSecond: Int? = 1) -> HookCapture {
        let throttled = HookCapture.Answer(status: 429, body: "rate_limited", headers: [("Retry-After", "1")])
        let limit = perSecond.map { (count: $0 * 3, window: Duration.seconds(3), throttled: throttled) }
        return HookCapture(name: "slack-capture", limit: limit) { request in answer(request) }
    }

    /// The answer Slack gives to a request.
    public static func answer(_ request: HookCapture.Message) -> HookCapture.Answer {
        func error(_ status: Int, _ code: String) -> HookCapture.Answer {
            HookCapture.Answer(status: status, body: code, problem: code)
        }
        guard request.path == "/services/T0DEVSTACK/B0DEVSTACK/\(token)" else { return error(404, "no_service") }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true, let json = request.json else {
            return error(400, "invalid_payload")
        }
        guard let text = json["text"] as? String, !text.isEmpty else {
            return error(400, "missing_text_or_fallback_or_attachments")
        }
        if let blocks = json["blocks"], let problem = blocksProblem(blocks) {
            return HookCapture.Answer(status: 400, body: "invalid_blocks", problem: problem)
        }
        return HookCapture.Answer(status: 200, body: "ok", shown: true)
    }

    /// What Slack would reject in `blocks` (the documented limits of the block types the notifier uses).
    public static func blocksProblem(_ value: Any) -> String? {
        guard let blocks = value as? [[String: Any]], !blocks.isEmpty, blocks.count <= 50 else {
            return "blocks must be 1 to 50 objects"
        }
        for block in blocks {
            switch block["type"] as? String {
            case "header":
                guard textObject(block["text"], plainOnly: true, maxCharacters: 150) != nil else {
                    return "header needs plain_text of at most 150 characters"
                }
            case "section":
                guard textObject(block["text"], plainOnly: false, maxCharacters: 3000) != nil else {
                    return "section needs a text object of 1 to 3000 characters"
                }
            case "context":
                guard let elements = block["elements"] as? [[String: Any]], (1...10).contains(elements.count),
                    elements.allSatisfy({ textObject($0, plainOnly: false, maxCharacters: 3000) != nil })
                else { return "context needs 1 to 10 text elements" }
            case "actions":
                guard let elements = block["elements"] as? [[String: Any]], (1...25).contains(elements.count) else {
                    return "actions needs 1 to 25 elements"
                }
                for button in elements {
                    guard button["type"] as? String == "button",
                        textObject(button["text"], plainOnly: true, maxCharacters: 75) != nil
                    else { return "a button needs plain_text of at most 75 characters" }
                    if let url = button["url"] {
                        guard let url = url as? String, url.count <= 3000,
                            url.hasPrefix("https://") || url.hasPrefix("http://")
                        else { return "a button url must be http(s), at most 3000 characters" }
                    }
                }
            case "divider":
                break
            default:
                return "unknown block type \(block["type"] ?? "nil")"
            }
        }
        return nil
    }

    private static func textObject(_ value: Any?, plainOnly: Bool, maxCharacters: Int) -> String? {
        guard let object = value as? [String: Any], let type = object["type"] as? String,
            type == "plain_text" || !plainOnly && type == "mrkdwn",
            let text = object["text"] as? String, !text.isEmpty, text.count <= maxCharacters
        else { return nil }
        return text
    }
}
