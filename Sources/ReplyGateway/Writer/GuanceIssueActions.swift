import GuanceAPI

/// The Guance OpenAPI calls a card action makes; `GuanceOpenAPIClient` in production, fakes in unit tests.
protocol GuanceIssueActions: Sendable {
    func getIssue(uuid: String) async throws(GuanceAPIError) -> GuanceIssue
    func modifyIssue(uuid: String, statusType: Int?, managers: [String]?) async throws(GuanceAPIError) -> GuanceIssue
}

extension GuanceOpenAPIClient: GuanceIssueActions {}
