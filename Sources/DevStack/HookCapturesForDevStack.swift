/// The Slack and Teams webhook fakes as dev-stack services (`dev-stack --hook-captures`), for benchmarks that send
/// to those platforms: their URLs go into the env file once both listen.
struct HookCapturesForDevStack {
    let slack: HookCapture
    let teams: HookCapture

    /// With `rateLimits` off, neither fake throttles.
    init(rateLimits: Bool) {
        slack = SlackCapture.make(perSecond: rateLimits ? 1 : nil)
        teams = TeamsCapture.make(perSecond: rateLimits ? 4 : nil)
    }

    var captures: [HookCapture] { [slack, teams] }

    /// `DEVSTACK_SLACK_URL` and `DEVSTACK_TEAMS_URL`, once both fakes listen.
    func envLines() async throws -> [String] {
        try await eventually(timeout: .seconds(10), interval: .milliseconds(5), "Slack and Teams fakes listening") {
            slack.port != 0 && teams.port != 0
        }
        return ["DEVSTACK_SLACK_URL=\(SlackCapture.url(slack))", "DEVSTACK_TEAMS_URL=\(TeamsCapture.url(teams))"]
    }
}
