import Events
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import ServiceKit
import Timing

/// The gateway's HTTP routes. Each callback route runs its handler's header checks, then reads the body up to the
/// limit (413 before parsing), hands it to its transport-free handler, logs rejections with their reason (at most ten
/// lines a second per route), and counts outcomes. `/guance/webhook/<target>` (only when `GUANCE_WEBHOOK_TOKEN` is set) checks the token and the target
/// name the same way before the body is read. `/healthz` is the only other route: readiness and metrics are served on
/// `METRICS_PORT`.
enum GatewayRoutes {
    struct Handlers: Sendable {
        /// The callback handler of each configured reply platform; a platform without one answers 503.
        var callbacks: [ReplyPlatform: any IngressHandler] = [:]
        var guance: GuanceWebhookHandler?
    }

    static func add(
        to router: Router<BasicRequestContext>, handlers: Handlers, maxBodyBytes: Int, logger: Logger
    ) {
        ObservabilityRoutes.addLiveness(to: router)
        for platform in ReplyPlatforms.all {
            route(
                router, platform.path, handlers.callbacks[platform.platform], maxBodyBytes: maxBodyBytes,
                logger: logger, name: platform.requiredSetting)
        }
        if let guance = handlers.guance {
            guanceWebhook(router, guance, maxBodyBytes: maxBodyBytes, logger: logger)
        }
    }

    static let guanceWebhookPath = "/guance/webhook"

    private static func guanceWebhook(
        _ router: Router<BasicRequestContext>, _ handler: GuanceWebhookHandler, maxBodyBytes: Int, logger: Logger
    ) {
        let path = guanceWebhookPath
        let duration = Metrics.Timer(
            label: "reply_gateway_request_duration_seconds", dimensions: [("route", path), ("transport", "webhook")])
        let throttle = RejectionLogThrottle()
        router.post(RouterPath(stringLiteral: path + "/:target")) { request, context -> Response in
            await respond(path: path, duration: duration, throttle: throttle, logger: logger) {
                () async throws(IngressRejection) -> IngressAnswer in
                try handler.checkHeaders(request.headers)
                let target = try handler.checkTarget(context.parameters.get("target"))
                let body = try await readBody(request, limit: maxBodyBytes)
                return try await handler.trigger(target: target, bodyBytes: body.count)
            }
        }
    }

    private static func route(
        _ router: Router<BasicRequestContext>, _ path: String, _ handler: (any IngressHandler)?, maxBodyBytes: Int,
        logger: Logger, name: String
    ) {
        let duration = Metrics.Timer(
            label: "reply_gateway_request_duration_seconds", dimensions: [("route", path), ("transport", "webhook")])
        let throttle = RejectionLogThrottle()
        router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
            await respond(path: path, duration: duration, throttle: throttle, logger: logger) {
                () async throws(IngressRejection) -> IngressAnswer in
                guard let handler else { throw .notConfigured(name) }
                try handler.checkHeaders(request.headers)
                let body = try await readBody(request, limit: maxBodyBytes)
                return try await handler.process(headers: request.headers, body: body)
            }
        }
    }

    /// Runs one request's checks and work, counts and times its outcome, logs a rejection with its reason (as often
    /// as the route's throttle allows).
    private static func respond(
        path: String, duration: Metrics.Timer, throttle: RejectionLogThrottle, logger: Logger,
        _ work: () async throws(IngressRejection) -> IngressAnswer
    ) async -> Response {
        let started = ContinuousClock.now
        let answer: IngressAnswer
        do throws(IngressRejection) {
            answer = try await work()
        } catch {
            answer = .rejected(error)
        }
        Counter(
            label: "reply_gateway_requests_total",
            dimensions: [("route", path), ("outcome", answer.outcome), ("transport", "webhook")]
        ).increment()
        duration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        if let detail = answer.detail, case let (true, notLogged) = throttle.admit() {
            let level: Logger.Level = answer.status == .serviceUnavailable ? .error : .warning
            var metadata: Logger.Metadata = [
                "route": "\(path)", "status": "\(answer.status.code)", "reason": "\(detail)",
            ]
            if notLogged > 0 { metadata["rejections_not_logged"] = "\(notLogged)" }
            logger.log(level: level, "callback rejected", metadata: metadata)
        }
        return Response(
            status: answer.status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: answer.json)))
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
