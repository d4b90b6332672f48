import GuanceAPI
import ServiceKit
import Testing

/// GUANCE_RATE_WINDOW, GUANCE_RATE_RESERVE and GUANCE_BUDGET_MODE.
@Suite("Budget settings")
struct GuanceBudgetSettingsTests {
    @Test func defaultsShareOneMinuteAndReserveFourCalls() throws {
        let settings = try GuanceBudgetSettings(config: ConfigSource([:]))
        #expect(settings == GuanceBudgetSettings(window: .seconds(60), reserve: 4, shared: true))
        #expect(settings.claimWindow == .seconds(62))
    }

    @Test func localModeAndAShorterWindowAreRead() throws {
        let settings = try GuanceBudgetSettings(
            config: ConfigSource([
                "GUANCE_BUDGET_MODE": "LOCAL", "GUANCE_RATE_WINDOW": "6", "GUANCE_RATE_RESERVE": "2",
            ]))
        #expect(settings == GuanceBudgetSettings(window: .seconds(6), reserve: 2, shared: false))
    }

    @Test func anUnknownModeOrAWindowBelowASecondIsRefusedByName() {
        for (name, value) in [("GUANCE_BUDGET_MODE", "cluster"), ("GUANCE_RATE_WINDOW", "0.2")] {
            #expect {
                try GuanceBudgetSettings(config: ConfigSource([name: value]))
            } throws: { error in
                "\(error)".contains(name)
            }
        }
    }
}
