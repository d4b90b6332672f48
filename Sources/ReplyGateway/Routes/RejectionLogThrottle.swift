import Foundation
import Synchronization

/// Keeps a flood of bad requests from flooding the log: at most `perSecond` "callback rejected" lines a second for
/// one route. What is left out is counted (every request is still counted in the metrics) and the next line that is
/// written says how many were not.
final class RejectionLogThrottle: Sendable {
    private struct Window {
        var second: Int64 = .min
        var logged = 0
        var suppressed = 0
    }

    let perSecond: Int
    private let window = Mutex(Window())
    private let currentSecond: @Sendable () -> Int64

    init(
        perSecond: Int = 10,
        currentSecond: @escaping @Sendable () -> Int64 = {
            Int64(Date().timeIntervalSince1970.rounded(.down))
        }
    ) {
        self.perSecond = perSecond
        self.currentSecond = currentSecond
    }

    /// Whether this rejection is logged, and how many rejections before it were not (to say so on its line).
    func admit() -> (log: Bool, notLoggedBefore: Int) {
        let second = currentSecond()
        return window.withLock { window in
            if second != window.second {
                let notLogged = window.suppressed
                window = Window(second: second, logged: 1, suppressed: 0)
                return (true, notLogged)
            }
            guard window.logged < perSecond else {
                window.suppressed += 1
                return (false, 0)
            }
            window.logged += 1
            return (true, 0)
        }
    }
}
