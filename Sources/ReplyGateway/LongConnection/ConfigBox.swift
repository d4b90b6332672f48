import Synchronization

/// The connection settings in force, shared between the reconnect loop and the session (pongs update them).
final class ConfigBox: Sendable {
    private let state: Mutex<FeishuLongConnectionClientConfigValues>

    init(_ value: FeishuLongConnectionClientConfigValues) {
        state = Mutex(value)
    }

    var value: FeishuLongConnectionClientConfigValues {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
