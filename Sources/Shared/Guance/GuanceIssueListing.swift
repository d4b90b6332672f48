import Foundation

/// An issue-list filter: `{"key": ..., "value": ..., "equal": true|false}`.
public struct GuanceIssueFilter: Sendable {
    public var key: String
    public var value: String
    public var equal: Bool

    public init(key: String, value: String, equal: Bool = true) {
        self.key = key
        self.value = value
        self.equal = equal
    }

    var json: [String: Any] {
        let number = key == "statusType" ? Int(value) : nil
        return ["key": key, "value": number.map { $0 as Any } ?? value, "equal": equal]
    }
}

/// Every page of an issue listing.
public struct GuanceIssueListing: Sendable {
    public var issues: [GuanceIssue] = []
    /// Items that did not decode (missing or mistyped fields), with reasons.
    public var rejected: [GuanceRejectedItem] = []
    public var pages = 0
    public var totalCount: Int?
    /// True when the listing stopped at `maxIssuePages`.
    public var truncated = false

    public init() {}
}
