import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// A loopback HTTP server for outbound-call tests: answers every GET and POST with `answer` and records the paths
/// it was asked for (a server that must never be called proves it with an empty list).
final class RecordingHTTPServer: Sendable {
    private final class Log: Sendable {
        let paths = Mutex<[String]>([])
    }

    let port: Int
    private let log: Log
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [String] { log.paths.withLock { $0 } }

    init(answer: @escaping @Sendable (Request) -> Response) async {
        let log = Log()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ -> Response in
                log.paths.withLock { $0.append(request.uri.path) }
                return answer(request)
            }
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: gatewayTestLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: gatewayTestLogger))
        task = Task { try await group.run() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        self.port = port
        self.log = log
        self.group = group
    }

    /// A server that answers `302 Found` pointing at `location` for every request.
    static func redirecting(to location: String) async -> RecordingHTTPServer {
        await RecordingHTTPServer { _ in Response(status: .found, headers: [.location: location]) }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
