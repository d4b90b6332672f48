import Events
import Foundation
import Mustache

/// A Mustache template overriding a sink's built-in rendering, checked at start-up.
///
/// The platform's `templateMode` says what it renders: `.text`, the message text (card markdown, markdown text) that
/// the platform wraps in its envelope; `.body`, the whole JSON body, with values JSON-escaped and a JSON object as the
/// result.
struct SinkTemplate: Sendable {
    /// What a template renders for a platform.
    enum Mode: Sendable {
        /// The text inside the platform's envelope; values are inserted as the platform's inert text.
        case text
        /// The whole request body: values JSON-escaped, the result must be a JSON object.
        case body
    }

    let source: String
    let template: MustacheTemplate
    let rendersBody: Bool

    enum TemplateError: Error, CustomStringConvertible {
        case parse(String)
        case notJSON(String)

        var description: String {
            switch self {
            case let .parse(reason): "template does not parse: \(reason)"
            case let .notJSON(sample): "template must render a JSON object, rendered: \(sample.prefix(120))"
            }
        }
    }

    init(source: String, kind: SinkKind) throws(TemplateError) {
        Self.registerContentTypes
        self.source = source
        rendersBody = kind.platform.templateMode == .body
        let pragma = rendersBody ? "{{% CONTENT_TYPE: JSON_STRING}}" : "{{% CONTENT_TYPE: TEXT}}"
        do {
            template = try MustacheTemplate(string: pragma + source)
        } catch {
            throw .parse("\(error)")
        }
        // Render a sample so a body template that cannot produce JSON fails at start, not at 3 a.m.
        let sample = render(EventView(Self.sampleEvent))
        if rendersBody && JSONBody.parse(Array(sample.utf8)) == nil { throw .notJSON(sample) }
    }

    func render(_ view: EventView) -> String {
        template.render(view.templateContext)
    }

    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(JSONStringContentType(), named: "JSON_STRING")
    }()

    /// An event with every field set, for start-up checks.
    static let sampleEvent = IssueEvent(
        eventId: "sample", kind: .created, occurredAt: "2026-01-01T00:00:00Z", workspaceUUID: "wksp_sample",
        channel: .init(uuid: "chan_sample", name: "default"),
        issue: .init(
            uuid: "issue_sample", name: "Sample \"issue\"", level: "critical", statusType: 10, resource: "/api/x",
            resourceType: "service", description: "line 1\nline 2 with \\ and \"quotes\"", createAt: 1_767_225_600,
            updateAt: 1_767_225_600, creator: .init(name: "ops"), url: "https://console.example/issue_sample"))
}

/// Escapes values for the inside of a JSON string literal (templates write the quotes).
struct JSONStringContentType: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
