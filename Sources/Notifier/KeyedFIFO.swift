/// First-in-first-out queues per key (a source partition), so picking the next message looks at one head per key
/// instead of scanning everything waiting.
struct KeyedFIFO<Element> {
    private struct Slot {
        var items: [Element] = []
        var head = 0
        var isEmpty: Bool { head >= items.count }
    }

    private var slots: [String: Slot] = [:]
    private(set) var count = 0

    /// Keys with something waiting.
    var nonEmptyKeys: [String] { slots.compactMap { $0.value.isEmpty ? nil : $0.key } }

    func head(of key: String) -> Element? {
        guard let slot = slots[key], !slot.isEmpty else { return nil }
        return slot.items[slot.head]
    }

    mutating func append(_ element: Element, key: String) {
        slots[key, default: Slot()].items.append(element)
        count += 1
    }

    /// Puts elements back in front of a key's queue, keeping their order (retries).
    mutating func prepend(_ elements: [Element], key: String) {
        guard !elements.isEmpty else { return }
        var slot = slots[key] ?? Slot()
        slot.items = elements + slot.items[slot.head...]
        slot.head = 0
        slots[key] = slot
        count += elements.count
    }

    mutating func popHead(of key: String) -> Element? {
        guard var slot = slots[key], !slot.isEmpty else { return nil }
        let element = slot.items[slot.head]
        slot.head += 1
        if slot.isEmpty {
            slots[key] = nil
        } else {
            if slot.head > 64 && slot.head * 2 > slot.items.count {
                slot.items.removeFirst(slot.head)
                slot.head = 0
            }
            slots[key] = slot
        }
        count -= 1
        return element
    }

    /// Removes the elements matching `predicate` (rare: cancellation).
    mutating func removeAll(where predicate: (Element) -> Bool) {
        for key in Array(slots.keys) {
            guard var slot = slots[key] else { continue }
            let before = slot.items.count - slot.head
            slot.items = slot.items[slot.head...].filter { !predicate($0) }
            slot.head = 0
            count -= before - slot.items.count
            slots[key] = slot.items.isEmpty ? nil : slot
        }
    }

    /// Everything waiting; the queue is empty afterwards.
    mutating func drain() -> [Element] {
        let all = slots.values.flatMap { $0.items[$0.head...] }
        slots.removeAll()
        count = 0
        return all
    }
}
