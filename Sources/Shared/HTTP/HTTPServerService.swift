import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves a Hummingbird router the way Hummingbird's `Application` does (a thrown error is a bare 500, a parse
/// error closes the connection, `Server` and `Date` on every response) without its date cache: that cache builds a
/// Gregorian `Calendar` in the process's time zone, which loads ICU's time-zone data — about 4 MiB resident in a
/// process that otherwise only answers `/metrics` (BENCHMARKS.md, memory at rest). `Date` is written by `HTTPDate`.
public struct HTTPServerService<Responder: HTTPResponder>: Service
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    private let responder: Responder
    private let server: HTTPServerBuilder
    private let configuration: ServerConfiguration
    private let onServerRunning: @Sendable (any Channel) async -> Void
    private let logger: Logger

    /// A server for `router` on `address`; `onServerRunning` receives the listening channel (its port with port 0).
    public init<Context>(
        router: Router<Context>, server: HTTPServerBuilder = .http1(), address: BindAddress, serverName: String,
        logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) where Responder == RouterResponder<Context> {
        self.responder = router.buildResponder()
        self.server = server
        self.configuration = ServerConfiguration(address: address, serverName: serverName)
        self.onServerRunning = onServerRunning
        self.logger = logger
    }

    public func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let serverName = configuration.serverName
        let service = try server.buildServer(
            configuration: configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
            responder: { request, writer, channel in
                let context = Responder.Context(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let error as HTTPParserError {
                    throw error
                } catch {
                    logger.debug("unanswered error", metadata: ["error.type": "\(type(of: error))"])
                    response = Response(status: .internalServerError, body: .init())
                }
                response.headers[.date] = HTTPDate.imfFixdate(
                    secondsSince1970: Int64(Date().timeIntervalSince1970.rounded(.down)))
                if let serverName { response.headers[.server] = serverName }
                do {
                    try await writer.write(response: response.head, body: response.body)
                } catch is HTTPParserError {
                    // The request was malformed while the answer was written: close, never answer twice.
                    throw HTTPServerServiceError.malformedRequestWhileAnswering
                }
            },
            onServerRunning: onServerRunning)
        try await service.run()
    }
}

/// Why `HTTPServerService` closed a connection instead of answering.
enum HTTPServerServiceError: Error {
    case malformedRequestWhileAnswering
}
