import GuanceAPI


/// The Guance OpenAPI calls the reply writer makes; `GuanceOpenAPIClient` in production, fakes in unit tests.
protocol GuanceReplies: Sendable {
    func getIssue(uuid: String) async throws(GuanceAPIError) -> GuanceIssue
    func createReply(issueUUID: String, content: String, extend: GuanceJSON) async throws(GuanceAPIError) -> GuanceReply
    func findReply(issueUUID: String, commandID: String, maxPages: Int, pageSize: Int)
        async throws(GuanceAPIError) -> GuanceReply?
}

extension GuanceOpenAPIClient: GuanceReplies {}
