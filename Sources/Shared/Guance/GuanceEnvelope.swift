import Foundation

/// The common answer envelope minus `content`: `code`, `errorCode`, `message`, `success`, `traceId`, `pageInfo`.
/// Every field is optional (the docs do not show failure bodies); `traceId` is typed Boolean in one table but a
/// string in every example, so it is read as "string or number".
struct GuanceEnvelopeHead: Decodable {
    var code: Int?
    var errorCode: String?
    var message: String?
    var success: Bool?
    var traceId: String?
    var pageInfo: GuancePageInfo?

    enum CodingKeys: String, CodingKey { case code, errorCode, message, success, traceId, pageInfo }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = (try? GuanceLenientDecoding.int64(c, .code)).flatMap { $0.map(Int.init) }
        errorCode = try? c.decodeIfPresent(String.self, forKey: .errorCode)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        success = try? c.decodeIfPresent(Bool.self, forKey: .success)
        traceId = c.contains(.traceId) ? (try? GuanceLenientDecoding.stringOrNumber(c, .traceId)) ?? nil : nil
        pageInfo = try? c.decodeIfPresent(GuancePageInfo.self, forKey: .pageInfo)
    }

    /// True when the envelope reports a failure: `errorCode` set, `code` not 200, or `success:false`.
    var isFailure: Bool {
        if let errorCode, !errorCode.isEmpty { return true }
        if let code, code != 200 { return true }
        return success == false
    }
}

/// The `content` of an answer, decoded as `T`.
struct GuanceEnvelopeContent<T: Decodable>: Decodable {
    var content: T?
}

/// Issue-list `content`: the documented `{data, pageInfo}` object, or the bare list the official sample script
/// assumes. Both are accepted.
struct GuanceIssueListContent: Decodable {
    var list: GuanceLenientList<GuanceIssue>
    var pageInfo: GuancePageInfo?

    enum CodingKeys: String, CodingKey { case data, pageInfo }

    init(from decoder: any Decoder) throws {
        if let list = try? GuanceLenientList<GuanceIssue>(from: decoder) {
            self.list = list
            pageInfo = nil
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        list = try c.decodeIfPresent(GuanceLenientList<GuanceIssue>.self, forKey: .data) ?? GuanceLenientList()
        pageInfo = try? c.decodeIfPresent(GuancePageInfo.self, forKey: .pageInfo)
    }
}

extension GuanceLenientList {
    init() {}
}
