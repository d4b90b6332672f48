import Events
import Foundation
import Yams

/// Parses `ROUTES_FILE`: named `sinks` and `routes`. Every mistake stops start-up naming the line and the reason.
///
/// ```yaml
/// sinks:
///   ops-dingtalk:
///     type: dingtalk                 # a platform's type (SinkKind.allCases)
///     url_env: OPS_DINGTALK_URL      # or url: https://...
///     secret_env: OPS_DINGTALK_SECRET  # or secret: ...
///     rate_limit: 0.33               # messages per second; 0 = off; default: the platform's limits
///     template: "..."                # Mustache, checked at start
/// routes:
///   - match: {level: critical}       # channel, level, resource (glob), kind; values or lists
///     sinks: [ops-dingtalk]
///   - sinks: [feishu]                # no match: every event
/// ```
struct RoutesFile: Sendable {
    var sinks: [SinkDefinition]
    /// nil when the file has no `routes:` (every event to every sink).
    var routes: [Route]?

    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static let sinkKeys: Set<String> = ["type", "url", "url_env", "secret", "secret_env", "rate_limit", "template"]
    static let routeKeys: Set<String> = ["name", "match", "sinks"]
    static let matchKeys: Set<String> = ["channel", "level", "resource", "kind"]

    /// Parses the text. `environment` resolves `url_env` / `secret_env`; `knownSinks` are the env-defined sinks.
    static func parse(_ text: String, environment: [String: String], knownSinks: [String]) throws(Failure) -> RoutesFile
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (line, problem) = Self.location(of: error)
            throw Failure(line: line, reason: "not valid YAML: \(problem)")
        } catch {
            throw Failure(line: 1, reason: "not valid YAML: \(error)")
        }
        guard let root else { return RoutesFile(sinks: [], routes: nil) }
        guard let top = root.mapping else { throw Failure(line: line(root), reason: "the top level must be a map") }
        var sinks: [SinkDefinition] = []
        var routes: [Route]?
        for (key, value) in top {
            switch key.string {
            case "sinks":
                sinks = try parseSinks(value, environment: environment, knownSinks: knownSinks)
            case "routes":
                routes = try parseRoutes(value, sinkNames: knownSinks + sinks.map(\.name))
            default:
                throw Failure(line: line(key), reason: "unknown key '\(key.string ?? "?")' (expected sinks, routes)")
            }
        }
        // `routes` may come before `sinks` in the file: check names again against everything defined.
        let all = Set(knownSinks + sinks.map(\.name))
        for route in routes ?? [] {
            for sink in route.sinks where !all.contains(sink) {
                throw Failure(
                    line: route.line,
                    reason: "route sends to unknown sink '\(sink)' (defined: \(all.sorted().joined(separator: ", ")))")
            }
        }
        return RoutesFile(sinks: sinks, routes: routes)
    }

    private static func parseSinks(
        _ node: Node, environment: [String: String], knownSinks: [String]
    )
        throws(Failure) -> [SinkDefinition]
    {
        guard let map = node.mapping else {
            throw Failure(line: line(node), reason: "sinks must be a map of name: {type, url, ...}")
        }
        var result: [SinkDefinition] = []
        for (key, value) in map {
            let name = key.string ?? ""
            guard !name.isEmpty else { throw Failure(line: line(key), reason: "a sink needs a name") }
            if knownSinks.contains(name) {
                throw Failure(line: line(key), reason: "sink '\(name)' is already defined by the environment")
            }
            guard let fields = value.mapping else {
                throw Failure(line: line(value), reason: "sink '\(name)' must be a map with type and url")
            }
            var values: [String: (String, Int)] = [:]
            for (field, fieldValue) in fields {
                let fieldName = field.string ?? ""
                guard let scalar = fieldValue.scalar else {
                    throw Failure(
                        line: line(fieldValue), reason: "'\(fieldName)' of sink '\(name)' must be a single value")
                }
                values[fieldName] = (scalar.string, line(fieldValue))
            }
            let kinds = SinkKind.allCases.map(\.rawValue).joined(separator: ", ")
            guard let (typeText, typeLine) = values["type"] else {
                throw Failure(line: line(key), reason: "sink '\(name)' has no type (\(kinds))")
            }
            guard let kind = SinkKind(rawValue: typeText) else {
                throw Failure(line: typeLine, reason: "unknown sink type '\(typeText)' (expected \(kinds))")
            }
            // The common fields, and the platform's own with their `_env` forms.
            let allowed = sinkKeys.union(kind.platform.routesFields.flatMap { [$0, $0 + "_env"] })
            for (field, _) in fields where !allowed.contains(field.string ?? "") {
                let expected = allowed.sorted().joined(separator: ", ")
                throw Failure(
                    line: line(field),
                    reason: "unknown key '\(field.string ?? "")' in sink '\(name)' (expected \(expected))")
            }
            var options: [String: String] = [:]
            for field in kind.platform.routesFields {
                options[field] = try resolve(
                    field, values, environment: environment, sink: name, required: false, keyLine: line(key))?.0
            }
            let defaultURL = kind.platform.defaultURL.map { ($0, line(key)) }
            let url =
                try resolve(
                    "url", values, environment: environment, sink: name, required: defaultURL == nil, keyLine: line(key)
                )
                ?? defaultURL!
            guard let parsed = URL(string: url.0), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host != nil
            else {
                throw Failure(line: url.1, reason: "url of sink '\(name)' is not an http(s) URL")
            }
            let secret = try resolve(
                "secret", values, environment: environment, sink: name, required: false, keyLine: line(key))
            var limits: [RateWindow]?
            if let (rateText, rateLine) = values["rate_limit"] {
                guard let rate = Double(rateText), RateWindow.isAcceptable(rate) else {
                    throw Failure(
                        line: rateLine,
                        reason: "rate_limit of sink '\(name)' must be 0 (off) or between 0.001 and 1000 "
                            + "(messages per second)")
                }
                limits = RateWindow.perSecond(rate).map { [$0] } ?? []
            }
            var template: SinkTemplate?
            if let (source, templateLine) = values["template"] {
                do {
                    template = try SinkTemplate(source: source, kind: kind)
                } catch {
                    throw Failure(line: templateLine, reason: "template of sink '\(name)': \(error)")
                }
            }
            let definition = SinkDefinition(
                name: name, kind: kind, url: url.0, secret: secret?.0, limits: limits, template: template,
                options: options)
            if let problem = kind.platform.problem(with: definition) {
                throw Failure(line: line(key), reason: "sink '\(name)': \(problem)")
            }
            result.append(definition)
        }
        return result
    }

    private static func resolve(
        _ field: String, _ values: [String: (String, Int)], environment: [String: String], sink: String,
        required: Bool, keyLine: Int
    ) throws(Failure) -> (String, Int)? {
        if let direct = values[field] { return direct }
        if let (variable, varLine) = values[field + "_env"] {
            guard let value = environment[variable], !value.isEmpty else {
                throw Failure(
                    line: varLine, reason: "\(field)_env of sink '\(sink)' names \(variable), which is not set")
            }
            return (value, varLine)
        }
        if required { throw Failure(line: keyLine, reason: "sink '\(sink)' needs \(field) or \(field)_env") }
        return nil
    }

    private static func parseRoutes(_ node: Node, sinkNames: [String]) throws(Failure) -> [Route] {
        guard let list = node.sequence else { throw Failure(line: line(node), reason: "routes must be a list") }
        var routes: [Route] = []
        for (index, item) in list.enumerated() {
            guard let map = item.mapping else {
                throw Failure(line: line(item), reason: "a route must be a map with sinks and optional match")
            }
            var route = Route(name: "route \(index + 1)", sinks: [], line: line(item))
            var sawSinks = false
            for (key, value) in map {
                switch key.string {
                case "name":
                    route.name = value.string ?? route.name
                case "sinks":
                    route.sinks = try strings(value, what: "sinks")
                    sawSinks = true
                    guard !route.sinks.isEmpty else {
                        throw Failure(line: line(value), reason: "sinks of a route must not be empty")
                    }
                case "match":
                    guard let conditions = value.mapping else {
                        throw Failure(
                            line: line(value), reason: "match must be a map of channel, level, resource, kind")
                    }
                    for (condition, accepted) in conditions {
                        let values = try strings(accepted, what: condition.string ?? "?")
                        switch condition.string {
                        case "channel": route.channels = values
                        case "level": route.levels = values
                        case "resource": route.resources = values
                        case "kind":
                            for kind in values where IssueEvent.Kind(rawValue: kind) == nil {
                                let expected = IssueEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                                throw Failure(
                                    line: line(accepted), reason: "unknown kind '\(kind)' (expected \(expected))")
                            }
                            route.kinds = values
                        default:
                            let expected = matchKeys.sorted().joined(separator: ", ")
                            throw Failure(
                                line: line(condition),
                                reason: "unknown match key '\(condition.string ?? "?")' (expected \(expected))")
                        }
                    }
                default:
                    let expected = routeKeys.sorted().joined(separator: ", ")
                    throw Failure(
                        line: line(key), reason: "unknown key '\(key.string ?? "?")' in a route (expected \(expected))")
                }
            }
            guard sawSinks else { throw Failure(line: route.line, reason: "\(route.name) has no sinks") }
            routes.append(route)
        }
        return routes
    }

    private static func strings(_ node: Node, what: String) throws(Failure) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        if let list = node.sequence {
            var result: [String] = []
            for item in list {
                guard let scalar = item.scalar else {
                    throw Failure(line: line(item), reason: "\(what) must list plain values")
                }
                result.append(scalar.string)
            }
            return result
        }
        throw Failure(line: line(node), reason: "\(what) must be a value or a list of values")
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    /// Line and problem of a YAML error, without echoing the file (it may hold secrets).
    private static func location(of error: YamlError) -> (Int, String) {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return (mark.line, problem)
        default:
            return (1, "unreadable")
        }
    }
}
