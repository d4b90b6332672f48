/// What one HTTP attempt to a sink came to, decided from the body code (the platforms answer HTTP 200 on errors).
enum SendOutcome: Sendable, Equatable {
    case delivered
    /// Worth another attempt: transport error, timeout, 5xx, the platform's busy or rate-limit codes.
    /// `minimumWait` is the platform's own advice (WeCom 45009: wait for the minute to roll over).
    case retryable(reason: String, minimumWait: Duration = .zero, rateLimited: Bool = false)
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
            case 11232: return .retryable(reason: "feishu 11232 \(message)", rateLimited: true)
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
            // Exceeding 20/min throttles the robot for 10 minutes: wait at least a minute before trying again.
            case 130101:
                return .retryable(reason: "dingtalk 130101 \(message)", minimumWait: .seconds(60), rateLimited: true)
            case -1: return .retryable(reason: "dingtalk -1 \(message)")
            default: return .rejected(reason: "dingtalk \(code) \(message)")
            }
        case .wecom:
            guard let code = json?["errcode"]?.int else { return byStatus(status, text) }
            let message = json?["errmsg"]?.string ?? text
            switch code {
            case 0: return status < 300 ? .delivered : byStatus(status, text)
            case 45009:
                return .retryable(reason: "wecom 45009 \(message)", minimumWait: .seconds(60), rateLimited: true)
            case -1, 45033: return .retryable(reason: "wecom \(code) \(message)")
            default: return .rejected(reason: "wecom \(code) \(message)")
            }
        case .webhook:
            return byStatus(status, text)
        }
    }

    /// HTTP-status-only decision: 2xx delivered; 408, 429 and 5xx retryable; other 4xx rejected.
    static func byStatus(_ status: Int, _ text: @autoclosure () -> String) -> SendOutcome {
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 500...599: return .retryable(reason: "HTTP \(status) \(text())")
        case 429: return .retryable(reason: "HTTP 429 \(text())", rateLimited: true)
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
