import Events


/// The chat answer for a reply result: "reply added to <issue name>" or why not, in Chinese and English.
enum ConfirmationText {
    static func text(for result: ReplyResult) -> String {
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
}
