import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ServiceKit
import ServiceLifecycle
import Testing

/// What every answer of the services' HTTP servers carries, and how a failing handler is answered.
@Suite(.timeLimit(.minutes(1)))
struct HTTPServerServiceTests {
    private struct HandlerFailure: Error {}

    @Test func answersCarryDateAndServerAndAFailingHandlerIsABare500() async throws {
        let router = Router()
        router.get("/ok") { _, _ in "fine" }
        router.get("/fails") { _, _ -> String in throw HandlerFailure() }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServerService(
            router: router, address: .hostname("127.0.0.1", port: 0), serverName: "under-test",
            logger: Logger(label: "test"),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port = 0
            for await bound in ports {
                port = bound
                break
            }
            let before = Int64(Date().timeIntervalSince1970.rounded(.down))
            let ok = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/ok"), timeout: .seconds(5))
            let body = try await ok.body.collect(upTo: 1024)
            let after = Int64(Date().timeIntervalSince1970.rounded(.down))
            #expect(ok.status == .ok)
            #expect(String(buffer: body) == "fine")
            #expect(ok.headers["Server"] == ["under-test"])
            let date = try #require(ok.headers["Date"].first.flatMap { HTTPDate.secondsSince1970(imfFixdate: $0) })
            #expect((before...after).contains(date))

            let failed = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/fails"), timeout: .seconds(5))
            #expect(failed.status == .internalServerError)
            #expect(try await failed.body.collect(upTo: 1024).readableBytes == 0)
            #expect(failed.headers["Date"].count == 1)
            let missing = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/nowhere"), timeout: .seconds(5))
            #expect(missing.status == .notFound)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
