import Foundation
import ServiceKit
import Testing

/// The provisioned Grafana dashboard may only chart metrics the services define.
@Suite("Grafana dashboard")
struct DashboardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The executable each source folder belongs to; code in Shared is exported under every service that runs it.
    static let services = [
        "Poller": ["poller"], "Notifier": ["notifier"], "ReplyGateway": ["reply-gateway"],
        "Shared": ["poller", "notifier", "reply-gateway"],
    ]

    /// Metric names the sources define, with the prefix; histograms (Timer, aggregating Recorder) also with the
    /// `_bucket`, `_sum` and `_count` series Prometheus exposes for them.
    static func definedMetricNames() throws -> Set<String> {
        let patterns = [
            (#"\b(Counter|Gauge|Meter)\(\s*label:\s*"([a-z0-9_]+)""#, false),
            (#"\b(Timer|Recorder)\(\s*label:\s*"([a-z0-9_]+)""#, true),
            // NotifierMetrics builds its per-sink counters through a local helper.
            (#"\b(counter)\(\s*"([a-z0-9_]+)""#, false),
        ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
        var names: Set<String> = []
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let module = file.path.dropFirst(sources.path.count + 1).split(separator: "/").first.map(String.init) ?? ""
            guard let owners = services[module] else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for (regex, histogram) in patterns {
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    guard let range = Range(match.range(at: 2), in: text) else { continue }
                    for service in owners {
                        // The same renaming the metrics bootstrap applies (MetricsSetup.exportedName).
                        let name = MetricsSetup.exportedName(String(text[range]), service: service)
                        names.insert(name)
                        if histogram { names.formUnion(["_bucket", "_sum", "_count"].map { name + $0 }) }
                    }
                }
            }
        }
        return names
    }

    static func expressions() throws -> [String] {
        let data = try Data(contentsOf: root.appendingPathComponent("deploy/grafana/dashboards/guance-chatops.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        return panels.flatMap { panel in
            ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { $0["expr"] as? String }
        }
    }

    @Test func everyMetricInTheDashboardIsDefinedInTheSources() throws {
        let defined = try Self.definedMetricNames()
        #expect(defined.contains("guance_chatops_poller_polls_total"))
        #expect(defined.contains("guance_chatops_notifier_deliveries_total"))
        #expect(defined.contains("guance_chatops_notifier_delivery_duration_seconds_bucket"))
        // Documented in docs/notifier.md, docs/poller.md and docs/operations.md under these names.
        #expect(defined.contains("guance_chatops_notifier_partitions_paused"))
        #expect(defined.contains("guance_chatops_poller_targets_unowned"))

        let expressions = try Self.expressions()
        #expect(expressions.count >= 20)
        let metric = try NSRegularExpression(pattern: #"\b(guance_chatops_[a-z0-9_]+)"#)
        var used: Set<String> = []
        for expression in expressions {
            let matches = metric.matches(in: expression, range: NSRange(expression.startIndex..., in: expression))
            #expect(!matches.isEmpty, "no product metric in \(expression)")
            for match in matches {
                used.insert(String(expression[Range(match.range(at: 1), in: expression)!]))
            }
        }
        #expect(used.subtracting(defined).isEmpty, "undefined: \(used.subtracting(defined).sorted())")
        // The issue's required views: deliveries, failures, DLQ, lag, API budget, reply gateway latency.
        for required in [
            "guance_chatops_notifier_deliveries_total", "guance_chatops_notifier_dlq_total",
            "guance_chatops_notifier_consumer_lag_seconds", "guance_chatops_poller_budget_remaining",
            "guance_chatops_poller_guance_openapi_calls_total", "guance_chatops_poller_lag_seconds",
            "guance_chatops_reply_gateway_requests_total",
            "guance_chatops_reply_gateway_request_duration_seconds_bucket",
            "guance_chatops_reply_gateway_writer_commands_total",
        ] {
            #expect(used.contains(required), "dashboard lacks \(required)")
        }
    }

    @Test func everyPanelUsesTheProvisionedPrometheusDatasource() throws {
        let path = "deploy/grafana/dashboards/guance-chatops.json"
        let data = try Data(contentsOf: Self.root.appendingPathComponent(path))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let provisioning = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/grafana/provisioning/datasources/prometheus.yml"),
            encoding: .utf8)
        #expect(provisioning.contains("uid: prometheus"))
        for panel in panels where panel["type"] as? String != "row" {
            let datasource = panel["datasource"] as? [String: Any]
            #expect(datasource?["uid"] as? String == "prometheus", "\(panel["title"] ?? "?")")
        }
    }
}
