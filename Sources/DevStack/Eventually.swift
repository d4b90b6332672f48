import Foundation

/// Thrown by `eventually` when the condition did not hold in time.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Waits until `condition` holds, checking every `interval`; throws after `timeout`. Test support: every wait in the
/// test suite is bounded and waits for a condition, never for a fixed time.
public func eventually(
    timeout: Duration = .seconds(20), interval: Duration = .milliseconds(50), _ what: String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    throw ConditionTimedOut(description: "\(what) did not hold within \(timeout)")
}
