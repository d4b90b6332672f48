/// What one HTTP attempt to a sink came to, decided from the body code (the platforms answer HTTP 200 on errors).
enum SendOutcome: Sendable, Equatable {
    case delivered
    /// Worth another attempt of this event: transport error, timeout, 5xx, the platform's busy codes.
    case retryable(reason: String)
    /// The platform throttles the whole robot (11232, 130101, 45009, HTTP 429): the sink waits for its penalty
    /// window; the events are not at fault.
    case rateLimited(reason: String)
    /// Never worth repeating: bad signature, bad request, keyword mismatch, unknown token.
    case rejected(reason: String)

    /// Classifies an HTTP answer of a sink.
    static func classify(kind: SinkKind, status: Int, body: [UInt8]) -> SendOutcome {
        let json = try? JSONReader.parse(body)
        // Only rejections and retries quote the body: a delivery never builds this text.
        var text: String { String(decoding: body.prefix(300), as: UTF8.self) }
        switch kind {
        case .feishu:
            // {"code":0,...} or {"StatusCode":0,...}
            let code = json?["code"]?.int ?? json?["StatusCode"]?.int
            let message = json?["msg"]?.string ?? json?["StatusMessage"]?.string ?? text
            guard let code else { return byStatus(status, text) }
            switch code {
            case 0: return status < 300 ? .delivered : byStatus(status, text)
            case 11232: return .rateLimited(reason: "feishu 11232 \(message)")
            case 19021, 19024, 19022, 19001, 9499:
                return .rejected(reason: "feishu \(code) \(message)")
            default:
                return status >= 500
                    ? .retryable(reason: "feishu \(code) \(message)") : .rejected(reason: "feishu \(code) \(message)")
            }
        case .feishuFlow:
            guard let code = json?["code"]?.int else { return byStatus(status, text) }
            let message = json?["msg"]?.string ?? text
            if code == 0 && status < 300 { return .delivered }
            return status >= 500
                ? .retryable(reason: "feishu flow \(code) \(message)")
                : .rejected(reason: "feishu flow \(code) \(message)")
        case .dingtalk:
            guard let code = json?["errcode"]?.int else { return byStatus(status, text) }
            let message = json?["errmsg"]?.string ?? text
            switch code {
            case 0: return status < 300 ? .delivered : byStatus(status, text)
            // Exceeding 20/min throttles the robot for 10 minutes.
            case 130101: return .rateLimited(reason: "dingtalk 130101 \(message)")
            case -1: return .retryable(reason: "dingtalk -1 \(message)")
            default: return .rejected(reason: "dingtalk \(code) \(message)")
            }
        case .wecom:
            guard let code = json?["errcode"]?.int else { return byStatus(status, text) }
            let message = json?["errmsg"]?.string ?? text
            switch code {
            case 0: return status < 300 ? .delivered : byStatus(status, text)
            case 45009: return .rateLimited(reason: "wecom 45009 \(message)")
            case -1, 45033: return .retryable(reason: "wecom \(code) \(message)")
            default: return .rejected(reason: "wecom \(code) \(message)")
            }
        case .webhook:
            return byStatus(status, text)
        }
    }

    /// HTTP-status-only decision: 2xx delivered; 408 and 5xx retryable; 429 rate limited; other 4xx rejected.
    static func byStatus(_ status: Int, _ text: @autoclosure () -> String) -> SendOutcome {
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 500...599: return .retryable(reason: "HTTP \(status) \(text())")
        case 429: return .rateLimited(reason: "HTTP 429 \(text())")
        default: return .rejected(reason: "HTTP \(status) \(text())")
        }
    }
}

extension JSONValue {
    /// A code as the platforms send it: an integer, a number with a zero fraction, or a quoted integer.
    fileprivate var int: Int? {
        switch self {
        case let .number(text): Int(text) ?? Double(text).flatMap { Int(exactly: $0) }
        case let .string(text): Int(text)
        default: nil
        }
    }
}
