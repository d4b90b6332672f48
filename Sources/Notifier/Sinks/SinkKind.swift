/// Names a chat platform: the routes file's `type` and the platform's module (`SinkPlatform`). Each platform declares
/// its own `static let` in its home; `allCases` is the one list of them.
struct SinkKind: Sendable, Hashable, CustomStringConvertible {
    let platform: any SinkPlatform.Type

    init(_ platform: any SinkPlatform.Type) {
        self.platform = platform
    }

    /// Every platform, in the order their environment-configured sinks are created.
    static let allCases: [SinkKind] = [.feishu, .feishuFlow, .dingtalk, .wecom, .webhook, .slack, .teams, .feishuApp]

    /// The platform whose routes-file `type` is `rawValue`.
    init?(rawValue: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = kind
    }

    var rawValue: String { platform.type }
    var description: String { rawValue }
    var documentedLimits: [RateWindow] { platform.documentedLimits }
    var rateLimitPause: Duration { platform.rateLimitPause }

    static func == (lhs: SinkKind, rhs: SinkKind) -> Bool { lhs.rawValue == rhs.rawValue }
    func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
