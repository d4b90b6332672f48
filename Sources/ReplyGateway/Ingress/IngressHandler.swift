import HTTPTypes

/// A transport-free callback handler: checks and turns one request into an answer, or a rejection.
protocol IngressHandler: Sendable {
    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer
}

extension IngressHandler {
    /// The answer for one request, a rejection included.
    func handle(headers: HTTPFields, body: [UInt8]) async -> IngressAnswer {
        do throws(IngressRejection) {
            return try await process(headers: headers, body: body)
        } catch {
            return .rejected(error)
        }
    }
}
