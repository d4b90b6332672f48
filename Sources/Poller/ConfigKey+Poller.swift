import GuanceAPI
import ServiceKit

extension ConfigKey {
    public static let guancePollInterval = ConfigKey("GUANCE_POLL_INTERVAL", "poll interval in seconds; default 5")
    public static let guanceChannel = ConfigKey(
        "GUANCE_CHANNEL", "poller: channel name to list (default `default`) or a channel uuid (chan_...)")
    public static let guancePollOverlap = ConfigKey(
        "GUANCE_POLL_OVERLAP", "poller: seconds each listing reaches back before the cursor; default 60")
    public static let guancePollLookback = ConfigKey(
        "GUANCE_POLL_LOOKBACK", "poller: on a target's first start, announce issues this many seconds old; default 300")
    public static let guanceTrackWindow = ConfigKey(
        "GUANCE_TRACK_WINDOW",
        "poller: seconds of issues swept for status/level changes (spare budget only); default 86400, 0 = off")
    public static let guancePushPollInterval = ConfigKey(
        "GUANCE_PUSH_POLL_INTERVAL",
        "poller: poll interval in seconds while Guance pushes arrive (a lost push costs at most this); default 30, "
            + "0 = always GUANCE_POLL_INTERVAL")
    public static let guancePollerSessionTimeout = ConfigKey(
        "GUANCE_POLLER_SESSION_TIMEOUT", "poller: seconds before a dead instance's targets move to another; default 10")

    /// Keys of the poller: the Guance OpenAPI keys and its own.
    public static let pollerKeys: [ConfigKey] =
        guanceAPIKeys + [
            guancePollInterval, guanceConsoleURL, guanceChannel, guancePollOverlap, guancePollLookback,
            guanceTrackWindow, guancePushPollInterval, guancePollerSessionTimeout,
        ]
}
