import Events
import Foundation

/// Turns events into the request body of one sink: the sink's whole-body template, or its platform's built-in
/// rendering. Bodies stay within the platform's size limits (descriptions are trimmed, never the message dropped).
struct MessageRenderer: Sendable {
    let kind: SinkKind
    let template: SinkTemplate?
    /// How many of the newest titles a storm digest lists.
    var digestTitles = 10

    init(kind: SinkKind, template: SinkTemplate? = nil) {
        self.kind = kind
        self.template = template
    }

    /// The template that renders the text inside the platform's envelope, if the sink has one.
    var textTemplate: SinkTemplate? { template.flatMap { $0.rendersBody ? nil : $0 } }

    // MARK: - One event

    /// The body for one event. `raw` is the record's value (the webhook sink forwards it unchanged).
    func render(_ event: IssueEvent, raw: [UInt8]) -> [UInt8] {
        if let template, template.rendersBody { return Array(template.render(EventView(event)).utf8) }
        return kind.platform.render(event, raw: raw, renderer: self)
    }

    /// Renders, and if the body is over the platform's `maxBodyBytes`, trims the description (then the reply) to the
    /// longest text that fits.
    func fitting(_ view: EventView, _ make: (EventView) -> [UInt8]) -> [UInt8] {
        let body = make(view)
        guard let maxBytes = kind.platform.maxBodyBytes, body.count > maxBytes else { return body }
        var base = view
        base.replyContent = JSONBody.trim(view.replyContent, toBytes: 2000)
        // Binary search over the description's byte budget: rendering is cheap and this path is rare.
        var low = 0
        var high = view.description.utf8.count
        var best = {
            var empty = base
            empty.description = JSONBody.trim(view.description, toBytes: 0)
            return make(empty)
        }()
        while low < high {
            let mid = (low + high + 1) / 2
            var candidate = base
            candidate.description = JSONBody.trim(view.description, toBytes: mid)
            let rendered = make(candidate)
            if rendered.count <= maxBytes {
                low = mid
                best = rendered
            } else {
                high = mid - 1
            }
        }
        return best
    }

    /// Each line of `text` prefixed as a markdown quote continuation.
    static func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n> ")
    }
}
