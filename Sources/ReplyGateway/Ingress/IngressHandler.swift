import HTTPTypes

/// A transport-free callback handler: checks and turns one request into an answer, or a rejection.
protocol IngressHandler: Sendable {
    /// Checks that need only the headers (authentication where the platform puts it there, timestamps): run before
    /// the body is read, so an unauthenticated sender costs no body buffering.
    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection)

    /// Interprets a request whose headers passed `checkHeaders`.
    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer
}

extension IngressHandler {
    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection) {}

    /// The answer for one request, a rejection included.
    func handle(headers: HTTPFields, body: [UInt8]) async -> IngressAnswer {
        do throws(IngressRejection) {
            try checkHeaders(headers)
            return try await process(headers: headers, body: body)
        } catch {
            return .rejected(error)
        }
    }
}
