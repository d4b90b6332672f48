import Metrics
import Prometheus

/// Bootstraps swift-metrics with a Prometheus registry once per process.
public enum MetricsSetup {
    /// Installs the Prometheus factory and returns the registry `/metrics` renders.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}

/// Renders a registry in the Prometheus text exposition format.
public func prometheusText(_ registry: PrometheusCollectorRegistry) -> String {
    var buffer: [UInt8] = []
    registry.emit(into: &buffer)
    return String(decoding: buffer, as: UTF8.self)
}
