import Events

/// The chat answer for a reply result: "reply added to <issue name>" or why not, in Chinese and English.
enum ConfirmationText {
    static func text(for result: ReplyResult) -> String {
        if let action = result.action { return actionText(action, result) }
        let issue = result.issueName.map { "「\($0)」" } ?? result.issueUUID
        switch result.outcome {
        case .written:
            return "已添加回复到 \(issue) / reply added to \(result.issueName ?? result.issueUUID)"
        case .rejected:
            return "回复未添加 / reply not added: \(result.reason ?? "rejected")"
        case .failed:
            let reason = result.reason ?? "unknown error"
            return "回复写入失败 / reply could not be written: \(reason); please try again later"
        }
    }

    /// A card action's result, for the card's thread (a done action shows on the card itself).
    static func actionText(_ action: IssueAction.Action, _ result: ReplyResult) -> String {
        let (chinese, english) = CardActionHandler.verb(action)
        let who = result.origin.senderName.map { "\($0)：" } ?? ""
        switch result.outcome {
        case .written:
            return "\(who)\(chinese) ✓ / \(english) done"
        case .rejected:
            return "\(who)「\(chinese)」未执行 / \(english) not done: \(result.reason ?? "rejected")"
        case .failed:
            return
                "\(who)「\(chinese)」失败 / \(english) failed: \(result.reason ?? "unknown error"); please try again later"
        }
    }
}
