import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Shared

/// The gateway's HTTP routes. Each callback route reads the body up to the limit (413 before
/// parsing), hands it to its transport-free handler, logs rejections with their reason, and counts outcomes.
enum GatewayRoutes {
    struct Handlers: Sendable {
        var feishu: FeishuEventHandler?
        var flow: FlowHandler?
        var dingtalk: DingTalkHandler?
    }

    static func add(
        to router: Router<BasicRequestContext>, handlers: Handlers, maxBodyBytes: Int, logger: Logger
    ) {
        route(router, "/feishu/events", maxBodyBytes: maxBodyBytes, logger: logger, name: "Feishu events") {
            headers, body in await handlers.feishu?.handle(headers: headers, body: body)
        }
        route(router, "/feishu/flow", maxBodyBytes: maxBodyBytes, logger: logger, name: "FLOW_TOKEN") {
            headers, body in await handlers.flow?.handle(headers: headers, body: body)
        }
        route(router, "/dingtalk/events", maxBodyBytes: maxBodyBytes, logger: logger, name: "DINGTALK_APP_SECRET") {
            headers, body in await handlers.dingtalk?.handle(headers: headers, body: body)
        }
    }

    private static func route(
        _ router: Router<BasicRequestContext>, _ path: String, maxBodyBytes: Int, logger: Logger, name: String,
        handler: @escaping @Sendable (HTTPFields, [UInt8]) async -> IngressAnswer?
    ) {
        let duration = Metrics.Timer(label: "reply_gateway_request_duration_seconds", dimensions: [("route", path)])
        router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
            let started = ContinuousClock.now
            let answer: IngressAnswer
            do throws(IngressRejection) {
                let body = try await readBody(request, limit: maxBodyBytes)
                answer = await handler(request.headers, body) ?? .rejected(.notConfigured(name))
            } catch {
                answer = .rejected(error)
            }
            Counter(label: "reply_gateway_requests_total", dimensions: [("route", path), ("outcome", answer.outcome)])
                .increment()
            duration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            if let detail = answer.detail {
                let level: Logger.Level = answer.status == .serviceUnavailable ? .error : .warning
                logger.log(
                    level: level, "callback rejected",
                    metadata: ["route": "\(path)", "status": "\(answer.status.code)", "reason": "\(detail)"])
            }
            return Response(
                status: answer.status, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: answer.json)))
        }
    }

    /// The whole body, or `tooLarge` as soon as it is known to exceed the limit (declared length, or while reading).
    static func readBody(_ request: Request, limit: Int) async throws(IngressRejection) -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw .tooLarge(bytes: declared, limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(bytes: nil, limit: limit)
        } catch {
            throw .badRequest("body could not be read")
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
