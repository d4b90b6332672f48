import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Pushes the Guance simulator's changes to a URL as Guance's webhook notification target would: one POST with
/// `Authorization: Bearer <token>` per issue created, modified or replied to. The body imitates the event names
/// Guance uses (`issue.add`, `issue.modify`, `issueReply.add`); its exact shape is not documented by Guance, so the
/// product never reads it. Deliveries run in order on `run()`; failures are logged and counted, never retried.
public final class GuanceWebhookPusher: Service, Sendable {
    public let url: String
    private let token: String
    private let queue: (stream: AsyncStream<[UInt8]>, continuation: AsyncStream<[UInt8]>.Continuation)
    private let counts = Mutex<(delivered: Int, failed: Int)>((0, 0))
    private let logger: Logger

    public init(url: String, token: String, logger: Logger = Logger(label: "guance-simulator.push")) {
        self.url = url
        self.token = token
        self.logger = logger
        queue = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Queues one push.
    func notify(event: String, issueUUID: String, workspaceUUID: String) {
        let object: [String: Any] = [
            "event": event, "issueUUID": issueUUID, "workspaceUUID": workspaceUUID,
            "time": Int64(Date().timeIntervalSince1970),
        ]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        queue.continuation.yield(Array(body))
    }

    /// Pushes answered 2xx, and the others.
    public var delivered: Int { counts.withLock { $0.delivered } }
    public var failed: Int { counts.withLock { $0.failed } }

    public func run() async throws {
        for await body in queue.stream.cancelOnGracefulShutdown() {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                _ = try await response.body.collect(upTo: 64 << 10)
                let ok = (200..<300).contains(Int(response.status.code))
                counts.withLock { ok ? ($0.delivered += 1) : ($0.failed += 1) }
                if !ok { logger.warning("push answered \(response.status.code)", metadata: ["url": "\(url)"]) }
            } catch {
                counts.withLock { $0.failed += 1 }
                logger.warning("push failed", metadata: ["url": "\(url)", "error": "\(error)"])
            }
        }
    }
}
