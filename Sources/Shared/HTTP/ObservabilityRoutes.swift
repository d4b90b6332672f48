import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// `/metrics`, `/healthz` and `/readyz`, added to `ObservabilityServer`'s router (`METRICS_PORT`). An internet-facing
/// router adds only `/healthz` (`addLiveness`): readiness and metrics say too much about the process to strangers.
public enum ObservabilityRoutes {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, registry: PrometheusCollectorRegistry, health: HealthChecks
    ) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: prometheusText(registry))))
        }
        addLiveness(to: router)
        router.get("/readyz") { _, _ in
            // The last background refresh (`HealthRefresher`): a request never runs a check.
            let failing = health.current
            if failing.isEmpty { return jsonResponse(status: .ok, ["status": "ready"]) }
            let reasons = failing.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            return jsonResponse(status: .serviceUnavailable, ["status": "not ready", "failing": reasons])
        }
    }

    /// `GET /healthz`: the process is alive (for load balancers); touches nothing.
    public static func addLiveness<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in
            jsonResponse(status: .ok, ["status": "ok"])
        }
    }

    static func jsonResponse(status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? SortedKeysJSON.data(object)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A small HTTP server with only the observability routes, for services without their own HTTP ingress.
public enum ObservabilityServer {
    /// The server as a `Service`; `onRunning` receives the bound port (useful with port 0).
    public static func make(
        port: Int, registry: PrometheusCollectorRegistry, health: HealthChecks, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let router = Router()
        ObservabilityRoutes.add(to: router, registry: registry, health: health)
        return HTTPServerService(
            router: router, address: .hostname("0.0.0.0", port: port), serverName: "guance-chatops", logger: logger,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }
}
