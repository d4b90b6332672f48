extension KafkaProducerClient {
    /// Runs `body` while `run()` serves delivery reports in a child task, then stops the producer (flushing what is
    /// outstanding) and returns what `body` returned. For tools and tests that publish a few records without a
    /// service group.
    public func withRunning<T: Sendable>(_ body: (KafkaProducerClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await self.run() }
            defer { group.cancelAll() }
            return try await body(self)
        }
    }
}
