import Events
import Foundation

/// One routing rule: events matching every given condition go to `sinks`. A condition lists accepted values; an
/// absent condition matches everything.
struct Route: Sendable, Equatable {
    var name: String
    /// Channel names or uuids.
    var channels: [String] = []
    /// Level names (critical, important, warning, info) or raw Guance levels.
    var levels: [String] = []
    /// Glob patterns (`*`, `?`) over the issue's resource.
    var resources: [String] = []
    /// issue.created, issue.updated, issue.reply.
    var kinds: [String] = []
    var sinks: [String]
    /// Line in the routes file, for messages.
    var line: Int = 0

    func matches(_ event: IssueEvent) -> Bool {
        if !channels.isEmpty {
            guard let channel = event.channel, channels.contains(where: { $0 == channel.name || $0 == channel.uuid })
            else { return false }
        }
        if !levels.isEmpty {
            let name = IssueLevel.name(of: event.issue.level)
            let raw = event.issue.level.lowercased()
            guard levels.contains(where: { $0.lowercased() == name || $0.lowercased() == raw }) else { return false }
        }
        if !resources.isEmpty {
            guard resources.contains(where: { Self.glob($0, matches: event.issue.resource) }) else { return false }
        }
        if !kinds.isEmpty {
            guard kinds.contains(event.kind.rawValue) else { return false }
        }
        return true
    }

    /// Shell-style glob: `*` any run of characters, `?` one character, everything else literal.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// Decides which sinks an event goes to. Without routes, every sink gets every event.
struct EventRouter: Sendable {
    let sinkNames: [String]
    let routes: [Route]

    func sinks(for event: IssueEvent) -> [String] {
        guard !routes.isEmpty else { return sinkNames }
        var chosen: [String] = []
        for route in routes where route.matches(event) {
            for sink in route.sinks where !chosen.contains(sink) { chosen.append(sink) }
        }
        return chosen
    }
}
