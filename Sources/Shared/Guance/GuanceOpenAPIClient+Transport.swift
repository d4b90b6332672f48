import AsyncHTTPClient
import Foundation
import KafkaClient
import Logging
import Metrics
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import ServiceKit

/// One OpenAPI call: its turn in the budget, the HTTP exchange with a timeout, retries, and decoding the envelope.
extension GuanceOpenAPIClient {
    struct Answer {
        var status: Int
        var body: Data
        var head: GuanceEnvelopeHead
        var endpoint: String
    }

    func call(
        _ method: HTTPMethod, _ path: String, label: String, query: [(String, String)] = [],
        json: [String: Any]? = nil, issue: String? = nil, retryAmbiguous: Bool = true
    ) async throws(GuanceAPIError) -> Answer {
        let endpoint = "\(method.rawValue) \(path)"
        var url = settings.baseURL + path
        if !query.isEmpty {
            url +=
                "?"
                + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
        }
        let body = json.flatMap { try? SortedKeysJSON.data($0) }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let answer = try await attemptOnce(method, url: url, body: body, endpoint: endpoint, issue: issue)
                Counter(label: "guance_openapi_calls_total", dimensions: [("endpoint", label), ("outcome", "ok")])
                    .increment()
                return answer
            } catch {
                Counter(
                    label: "guance_openapi_calls_total",
                    dimensions: [("endpoint", label), ("outcome", error.outcomeLabel)]
                )
                .increment()
                let retryable = error.isRetryable && (retryAmbiguous || !error.isAmbiguous)
                var metadata: Logger.Metadata = [
                    "endpoint": "\(endpoint)", "attempt": "\(attempt)", LogKey.error: "\(error)",
                ]
                if let issue { metadata[LogKey.issueUUID] = "\(issue)" }
                guard retryable, attempt < settings.retry.maxAttempts, !Task.isCancelled else {
                    if error.isInvalidAPIKey {
                        logger.error("Guance rejected the API key", metadata: metadata)
                    } else {
                        logger.debug("Guance call failed", metadata: metadata)
                    }
                    throw error
                }
                let delay = settings.retry.delay(afterAttempt: attempt, rateLimited: error.isRateLimited)
                if error.isRateLimited { await budget.pause(for: delay) }
                metadata["retry_in"] = "\(delay)"
                logger.warning("Guance call failed, retrying", metadata: metadata)
                do { try await Task.sleep(for: delay) } catch {
                    throw GuanceAPIError.transport(endpoint: endpoint, reason: "cancelled")
                }
            }
        }
    }

    func attemptOnce(
        _ method: HTTPMethod, url: String, body: Data?, endpoint: String, issue: String?
    ) async throws(GuanceAPIError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "DF-API-KEY", value: settings.apiKey)
        request.headers.add(name: "Content-Type", value: "application/json;charset=UTF-8")
        request.headers.add(name: "Accept", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let grant: GuanceRequestBudget.Grant
        do { grant = try await budget.acquire(priority: settings.priority, keeping: settings.reserveKept) } catch {
            throw .transport(endpoint: endpoint, reason: "cancelled")
        }
        let timeout = TimeAmount.nanoseconds(
            Int64(settings.requestTimeout.components.seconds) * 1_000_000_000
                + settings.requestTimeout.components.attoseconds / 1_000_000_000)
        let exchanged: Result<(Int, ByteBuffer), GuanceAPIError>
        do {
            let response = try await http.execute(request, timeout: timeout, logger: nil)
            let bytes = try await response.body.collect(upTo: settings.maxResponseBytes)
            exchanged = .success((Int(response.status.code), bytes))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                exchanged = .failure(.timeout(endpoint: endpoint, after: settings.requestTimeout))
            default:
                exchanged = .failure(.transport(endpoint: endpoint, reason: "\(error)"))
            }
        } catch is NIOTooManyBytesError {
            exchanged = .failure(
                .malformedResponse(
                    endpoint: endpoint, status: 200, reason: "body larger than \(settings.maxResponseBytes) bytes",
                    traceId: nil))
        } catch {
            exchanged = .failure(.transport(endpoint: endpoint, reason: "\(error)"))
        }
        // The slot's window starts when the answer (or the failure) arrived: the server saw the call before that.
        await budget.finish(grant)
        let (status, bytes) = try exchanged.get()
        let data = Data(buffer: bytes)
        let head: GuanceEnvelopeHead
        do {
            head = try JSONDecoder().decode(GuanceEnvelopeHead.self, from: data)
        } catch {
            throw .malformedResponse(
                endpoint: endpoint, status: status, reason: "not a JSON envelope (\(Self.snippet(data)))", traceId: nil)
        }
        if !(200...299).contains(status) || head.isFailure {
            let code = head.errorCode ?? ""
            let effectiveStatus = (200...299).contains(status) ? (head.code ?? status) : status
            if let issue, effectiveStatus == 404 || code.contains("NotFound") || code.contains("NotExist") {
                throw .issueNotFound(
                    issueUUID: issue, endpoint: endpoint, status: effectiveStatus, errorCode: code,
                    message: head.message ?? "", traceId: head.traceId)
            }
            throw .api(
                endpoint: endpoint, status: effectiveStatus, errorCode: code,
                message: head.message ?? (head.success == false ? "success:false" : ""), traceId: head.traceId)
        }
        return Answer(status: status, body: data, head: head, endpoint: endpoint)
    }

    func decodeContent<T: Decodable>(_ type: T.Type, _ answer: Answer) throws(GuanceAPIError) -> T {
        do {
            guard let content = try JSONDecoder().decode(GuanceEnvelopeContent<T>.self, from: answer.body).content
            else {
                throw GuanceAPIError.malformedResponse(
                    endpoint: answer.endpoint, status: answer.status, reason: "missing content",
                    traceId: answer.head.traceId)
            }
            return content
        } catch let error as GuanceAPIError {
            throw error
        } catch {
            throw .malformedResponse(
                endpoint: answer.endpoint, status: answer.status,
                reason: "unexpected content: \(GuanceLenientDecoding.describe(error))", traceId: answer.head.traceId)
        }
    }

    func pathComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/")))
            ?? value
    }

    /// The start of a body for error messages (an HTML page's title shows what answered).
    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(160), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return data.isEmpty ? "empty body" : "body starts: \(text)"
    }
}
