import Foundation
import Metrics
import Prometheus

/// Bootstraps swift-metrics with a Prometheus registry once per process.
public enum MetricsSetup {
    /// Every metric the product exports starts with this.
    public static let prefix = "guance_chatops_"

    /// Installs the Prometheus factory and returns the registry `/metrics` renders. Metric names get one consistent
    /// shape across services, `guance_chatops_<service>_<name>`, however the code that records them names them.
    public static func bootstrap(service: String) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (exportedName(name, service: service), labels) }
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// `polls_total` or `poller_polls_total` in service `poller` → `guance_chatops_poller_polls_total`.
    public static func exportedName(_ name: String, service: String) -> String {
        let servicePrefix = service.replacingOccurrences(of: "-", with: "_") + "_"
        if name.hasPrefix(prefix) { return name }
        return prefix + (name.hasPrefix(servicePrefix) ? name : servicePrefix + name)
    }
}

/// Renders a registry in the Prometheus text exposition format.
public func prometheusText(_ registry: PrometheusCollectorRegistry) -> String {
    var buffer: [UInt8] = []
    registry.emit(into: &buffer)
    return String(decoding: buffer, as: UTF8.self)
}
