import Synchronization

/// The most recent accepted command ids, bounded (oldest forgotten first). A repeated callback whose command was
/// already acknowledged by Kafka is answered without publishing again; the reply writer dedupes a second time.
final class EventIDCache: Sendable {
    private struct State {
        var members: Set<String> = []
        var order: [String] = []
        var next = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    func contains(_ id: String) -> Bool {
        state.withLock { $0.members.contains(id) }
    }

    /// Remembers `id`; returns false when it was already known.
    @discardableResult
    func insert(_ id: String) -> Bool {
        state.withLock { state in
            guard state.members.insert(id).inserted else { return false }
            if state.order.count < capacity {
                state.order.append(id)
            } else {
                state.members.remove(state.order[state.next])
                state.order[state.next] = id
                state.next = (state.next + 1) % capacity
            }
            return true
        }
    }

    var count: Int { state.withLock { $0.members.count } }
}
