import Foundation
import Yams

/// `IDENTITY_FILE`: which Guance account (by e-mail) a chat user is. Strict: every mistake stops start-up naming the
/// line. Format (docs/reply-gateway.md):
///
/// ```yaml
/// feishu:
///   ou_7dab8a3d3cdcc9da365777c7ad535d62: zhangsan@example.com   # Feishu open_id → Guance account e-mail
///   li.si@corp.example: lisi@example.com                        # Feishu e-mail → Guance account e-mail
/// ```
struct IdentityFile: Sendable, Equatable {
    /// A mistake in the file, with the line it is on (1-based; the file's content is never echoed).
    struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// Lower-cased Feishu open_id or e-mail → Guance account e-mail.
    private(set) var feishu: [String: String] = [:]

    /// The Guance account e-mail for a Feishu user, by open_id first, then by the e-mail Feishu knows them by.
    func guanceEmail(feishuOpenID openID: String, feishuEmail: String?) -> String? {
        if let mapped = feishu[openID.lowercased()] { return mapped }
        if let feishuEmail, let mapped = feishu[feishuEmail.lowercased()] { return mapped }
        return nil
    }

    static func parse(_ text: String) throws(Failure) -> IdentityFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(line: Self.line(of: error), reason: "not valid YAML")
        } catch {
            throw Failure(line: 1, reason: "not valid YAML")
        }
        var result = IdentityFile()
        guard let root else { return result }
        guard let top = root.mapping else { throw Failure(line: line(root), reason: "the top level must be a map") }
        for (key, value) in top {
            guard key.string == "feishu" else {
                throw Failure(line: line(key), reason: "unknown key '\(key.string ?? "?")' (expected feishu)")
            }
            result.feishu = try parsePeople(value)
        }
        return result
    }

    private static func parsePeople(_ node: Node) throws(Failure) -> [String: String] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" { return [:] }
        guard let mapping = node.mapping else {
            throw Failure(line: line(node), reason: "feishu must be a map of open_id or e-mail: Guance account e-mail")
        }
        var people: [String: String] = [:]
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                throw Failure(line: line(key), reason: "a key must be a Feishu open_id (ou_…) or an e-mail address")
            }
            let id = keyScalar.string.trimmingCharacters(in: .whitespaces)
            guard id.hasPrefix("ou_") && id.count > 3 && id.count <= 128 || isEmail(id) else {
                throw Failure(
                    line: line(key),
                    reason: "'\(id.prefix(64))' is neither a Feishu open_id (ou_…) nor an e-mail address")
            }
            guard case .scalar(let valueScalar) = value, isEmail(valueScalar.string) else {
                throw Failure(
                    line: line(value), reason: "the Guance account of '\(id.prefix(64))' must be one e-mail address")
            }
            guard people.updateValue(valueScalar.string, forKey: id.lowercased()) == nil else {
                throw Failure(line: line(key), reason: "'\(id.prefix(64))' is listed twice")
            }
        }
        return people
    }

    /// One address, `local@domain.tld`, no spaces.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && text.count <= 254 && !text.contains(where: { $0.isWhitespace })
    }

    private static func line(_ node: Node) -> Int { (node.mark?.line ?? 0) }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark.line
        default: 1
        }
    }
}
