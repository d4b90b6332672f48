import Events
import Foundation
import GuanceAPI
import ServiceKit

/// The poller's configuration, built once in `main` from the environment and `CONFIG_FILE`.
///
/// Targets: with a `poll_targets` list in `CONFIG_FILE`, exactly those; otherwise one target named `default` from
/// `GUANCE_API_KEY`. A poller with nothing to poll is a configuration error (exit 2 naming `GUANCE_API_KEY`).
///
/// ```yaml
/// poll_targets:
///   - name: prod                       # state key and metrics label; letters, digits, . _ -
///     api_key_env: GUANCE_PROD_API_KEY # or api_key: ... (env var preferred: keeps the secret out of the file)
///     openapi_url: https://openapi.guance.com   # default GUANCE_OPENAPI_URL
///     channel: default                 # channel name, or a chan_... uuid; default GUANCE_CHANNEL or "default"
///     console_url: https://console.guance.com   # default GUANCE_CONSOLE_URL
///     rate_limit: 20                   # requests/min of this key; default GUANCE_RATE_LIMIT
/// ```
struct PollerConfig: Sendable {
    static let targetsSection = "poll_targets"

    var targets: [PollTarget]
    var settings: PollerSettings
    var groupID = "poller"
    var coordinationTopic = Topics.pollerCoordination
    var coordinationPartitions = Topics.pollerCoordinationPartitions
    /// Where Guance's pushes arrive as `PollTrigger`s; nil = interval polling only.
    var pollTriggersTopic: String? = Topics.pollTriggers
    var sessionTimeout: Duration = .seconds(10)
    /// Things worth one log line at start (e.g. a clamped poll interval).
    var notices: [String] = []

    init(targets: [PollTarget], settings: PollerSettings) {
        self.targets = targets
        self.settings = settings
    }

    static func load(_ source: ConfigSource, instanceID: String) throws(ConfigError) -> PollerConfig {
        let defaultURL = try source.url(.guanceOpenAPIURL, default: "https://openapi.guance.com")!
        let consoleURL = try source.url(.guanceConsoleURL)
        let rateLimit = try source.int(.guanceRateLimit, default: 20, range: 0...100_000)
        let channel = source.string(.guanceChannel, default: "default")
        var settings = PollerSettings(instanceID: instanceID)
        settings.pollInterval = try source.seconds(.guancePollInterval, default: .seconds(5))
        settings.budget = try GuanceBudgetSettings(config: source)
        settings.overlap = try source.seconds(.guancePollOverlap, default: .seconds(60))
        settings.lookback = try source.seconds(.guancePollLookback, default: .seconds(300))
        settings.trackWindow =
            source.string(.guanceTrackWindow) == "0"
            ? .zero : try source.seconds(.guanceTrackWindow, default: .seconds(86_400))
        settings.pushPollInterval =
            source.string(.guancePushPollInterval) == "0"
            ? .zero : try source.seconds(.guancePushPollInterval, default: .seconds(30))

        var targets: [PollTarget] = []
        if let section = source.section(targetsSection) {
            guard let list = section as? [Any] else {
                throw .invalid(variable: targetsSection, value: "…", reason: "expected a list of targets")
            }
            for (index, entry) in list.enumerated() {
                guard let map = entry as? [String: Any] else {
                    throw .invalid(variable: "\(targetsSection)[\(index)]", value: "…", reason: "expected a map")
                }
                targets.append(
                    try target(
                        map, index: index, source: source, defaults: (defaultURL, consoleURL, rateLimit, channel)))
            }
            let names = targets.map(\.name)
            if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                throw .invalid(variable: targetsSection, value: duplicate, reason: "target names must be unique")
            }
        } else if let key = source.string(.guanceAPIKey) {
            targets.append(
                PollTarget(
                    name: "default", openAPIURL: defaultURL, apiKey: key,
                    channelUUID: channel.hasPrefix("chan_") ? channel : nil, channelName: channel,
                    consoleURL: consoleURL,
                    rateLimit: rateLimit))
        }
        if targets.isEmpty {
            throw .missing(
                variable: ConfigKey.guanceAPIKey.name,
                meaning: "the Guance API key to poll; or list targets under \(targetsSection) in CONFIG_FILE")
        }
        var config = PollerConfig(targets: targets, settings: settings)
        config.sessionTimeout = try source.seconds(.guancePollerSessionTimeout, default: .seconds(10))
        config.clampInterval()
        return config
    }

    private static func target(
        _ map: [String: Any], index: Int, source: ConfigSource,
        defaults: (url: String, console: String?, rate: Int, channel: String)
    ) throws(ConfigError) -> PollTarget {
        let field = "\(targetsSection)[\(index)]"
        let known: Set<String> = [
            "name", "api_key", "api_key_env", "openapi_url", "channel", "console_url", "rate_limit",
        ]
        if let unknown = map.keys.first(where: { !known.contains($0) }) {
            throw .invalid(
                variable: "\(field).\(unknown)", value: "…", reason: "unknown key (known: \(known.sorted()))")
        }
        guard let name = map["name"].map({ "\($0)" }), PollTrigger.isValidTargetName(name)
        else {
            throw .invalid(
                variable: "\(field).name", value: "\(map["name"] ?? "")", reason: "1 to 128 letters, digits, . _ -")
        }
        var apiKey = map["api_key"].map { "\($0)" }
        if let variable = map["api_key_env"].map({ "\($0)" }) {
            guard let value = source.environment[variable], !value.isEmpty else {
                throw .missing(variable: variable, meaning: "API key of poll target \(name)")
            }
            apiKey = value
        }
        guard let apiKey = apiKey ?? source.string(.guanceAPIKey) else {
            throw .missing(variable: "\(field).api_key_env", meaning: "API key of poll target \(name)")
        }
        let url = try Self.url(map["openapi_url"], field: "\(field).openapi_url") ?? defaults.url
        let console = try Self.url(map["console_url"], field: "\(field).console_url") ?? defaults.console
        let channel = map["channel"].map { "\($0)" } ?? defaults.channel
        var rate = defaults.rate
        if let value = map["rate_limit"] {
            guard let parsed = Int("\(value)"), parsed >= 0 else {
                throw .invalid(
                    variable: "\(field).rate_limit", value: "\(value)", reason: "expected a whole number >= 0")
            }
            rate = parsed
        }
        return PollTarget(
            name: name, openAPIURL: url, apiKey: apiKey, channelUUID: channel.hasPrefix("chan_") ? channel : nil,
            channelName: channel, consoleURL: console, rateLimit: rate)
    }

    private static func url(_ value: Any?, field: String) throws(ConfigError) -> String? {
        guard let value else { return nil }
        let text = "\(value)"
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else { throw .invalid(variable: field, value: text, reason: "expected an http(s) URL") }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// At `limit` requests per minute, of which polling leaves `reserve` to replies, a key can be listed at most
    /// `limit - reserve` times a minute; with several targets on one key, each gets its share. A shorter interval is
    /// raised to that and noted once. Polls woken by pushes may borrow the reserve but one call (a reply write still
    /// goes at once; the rest wait while it waits) and are paced to their share of that (`PollPacer`).
    mutating func clampInterval() {
        var byKey: [String: (count: Int, limit: Int)] = [:]
        for target in targets {
            byKey[target.keyDigest, default: (0, target.rateLimit)].count += 1
        }
        var minimum = Duration.zero
        let kept = min(settings.budget.reserve, 1)
        settings.pushReserveKept = kept < settings.budget.reserve ? kept : nil
        for (_, entry) in byKey where entry.limit > 0 {
            let pollingShare = entry.limit - min(settings.budget.reserve, entry.limit - 1)
            let gap = settings.budgetWindow * entry.count / pollingShare
            let pushShare = max((entry.limit - min(kept, entry.limit - 1)) / entry.count, 1)
            if settings.pushShare == 0 || pushShare < settings.pushShare {
                settings.pushShare = pushShare
                settings.pushBurst = max(pushShare / 6, 1)
            }
            minimum = max(minimum, gap)
        }
        settings.minimumPollGap = minimum
        if settings.pollInterval < minimum {
            notices.append(
                "GUANCE_POLL_INTERVAL \(settings.pollInterval) is below what the request budget allows; using \(minimum)"
            )
            settings.pollInterval = minimum
        }
    }
}
