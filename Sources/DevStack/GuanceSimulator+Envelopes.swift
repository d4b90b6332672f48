import Foundation
import GuanceAPI
import Hummingbird
import NIOFoundationEssentialsCompat
import Synchronization

/// The OpenAPI's answer envelopes as the simulator writes them: content, page info, errors.
extension GuanceSimulator {
    static func traceID() -> String { String(UInt64.random(in: 1_000_000_000_000_000...UInt64.max / 2)) }

    static func ok(_ content: Any, pageInfo: [String: Any]? = nil) -> Reply {
        var object: [String: Any] = [
            "code": 200, "content": content, "errorCode": "", "message": "", "success": true, "traceId": traceID(),
        ]
        if let pageInfo { object["pageInfo"] = pageInfo }
        return .envelope(status: 200, object)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Reply {
        .envelope(
            status: status,
            [
                "code": status, "content": NSNull(), "errorCode": code, "message": message, "success": false,
                "traceId": traceID(),
            ])
    }

    static func notFound(_ uuid: String) -> Reply {
        error(404, GuanceAPIError.issueNotFoundCode, "issue \(uuid) does not exist")
    }

    static func page<T>(_ items: [T], index: Int, size: Int) -> (slice: [T], info: [String: Any]) {
        let start = min(max(index - 1, 0) * size, items.count)
        let slice = Array(items[start..<min(start + size, items.count)])
        return (slice, ["count": slice.count, "pageIndex": index, "pageSize": size, "totalCount": items.count])
    }

    static func int(_ value: Any?) -> Int64? {
        switch value {
        case let value as Int: Int64(value)
        case let value as Int64: value
        case let value as Double: Int64(value)
        case let value as NSNumber: value.int64Value
        case let value as String: Int64(value)
        default: nil
        }
    }
}
