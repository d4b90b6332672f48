import GuanceAPI

/// The Guance OpenAPI calls a card action makes; `GuanceOpenAPIClient` in production, fakes in unit tests.
protocol GuanceIssueActions: Sendable {
    func getIssue(uuid: String) async throws(GuanceAPIError) -> GuanceIssue
    func modifyIssue(uuid: String, statusType: Int?, managers: [String]?) async throws(GuanceAPIError) -> GuanceIssue
}

extension GuanceOpenAPIClient: GuanceIssueActions {}

extension GuanceIssue {
    /// `extend.manager`: the assignees (account uuids, e-mails or team ids).
    var managers: [String] {
        guard case .array(let values)? = extend?["manager"] else { return [] }
        return values.compactMap(\.stringValue)
    }
}
