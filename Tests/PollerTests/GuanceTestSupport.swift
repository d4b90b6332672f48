import AsyncHTTPClient
import DevStack
import GuanceAPI
import Logging

let guanceTestLogger: Logger = {
    var logger = Logger(label: "poller-test")
    logger.logLevel = .critical
    return logger
}()

/// Fast retries for tests: the real policy waits seconds.
let fastRetry = GuanceRetryPolicy(
    maxAttempts: 4, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200), rateLimitDelay: .milliseconds(50))

/// Runs `body` with a started simulator and a client of its first key; stops both afterwards.
func withGuanceSimulator<T: Sendable>(
    options: GuanceSimulator.Options = .init(), budget: GuanceRequestBudget = GuanceRequestBudget(limit: 0),
    retry: GuanceRetryPolicy = fastRetry,
    _ body: (GuanceSimulator, GuanceOpenAPIClient) async throws -> T
) async throws -> T {
    let simulator = GuanceSimulator(options: options)
    try await simulator.start()
    let http = GuanceOpenAPIClient.makeHTTPClient()
    var settings = GuanceOpenAPIClient.Settings(baseURL: simulator.url, apiKey: simulator.apiKey)
    settings.retry = retry
    settings.requestTimeout = .seconds(2)
    let client = GuanceOpenAPIClient(settings: settings, httpClient: http, budget: budget, logger: guanceTestLogger)
    do {
        let result = try await body(simulator, client)
        try await http.shutdown()
        await simulator.stop()
        return result
    } catch {
        try? await http.shutdown()
        await simulator.stop()
        throw error
    }
}
