import AsyncHTTPClient
import FeishuKit
import Foundation
import KafkaClient
import NIOCore
import NIOHTTP1
import ServiceKit
import Timing

/// Asks Feishu where to connect: `POST {FEISHU_OPENAPI_URL}/callback/ws/endpoint` with the app credentials. The
/// answer's URL carries a one-time ticket, so it is asked again before every connection.
struct LongConnectionEndpointClient: Sendable {
    struct Endpoint: Sendable {
        var url: String
        var config: FeishuLongConnectionClientConfig
    }

    let settings: LongConnectionSettings
    var httpClient: HTTPClient = .outbound

    func fetch() async throws(LongConnectionError) -> Endpoint {
        var request = HTTPClientRequest(url: settings.baseURL + FeishuLongConnectionEndpoint.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "locale", value: "zh")
        let body = FeishuLongConnectionEndpoint.Request(appID: settings.appID, appSecret: settings.appSecret)
        request.body = .bytes(ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data()))
        let bytes: ByteBuffer
        let status: UInt
        do {
            let response = try await httpClient.execute(request, timeout: settings.connectTimeout.timeAmount)
            status = response.status.code
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw .endpointUnreachable("\(type(of: error)): \(error)")
        }
        guard
            let answer = try? JSONDecoder().decode(
                FeishuLongConnectionEndpoint.Response.self, from: Data(bytes.readableBytesView))
        else {
            throw .endpointUnreachable("HTTP \(status), not the endpoint API's JSON")
        }
        guard answer.code == 0 else {
            throw .endpointRefused(
                code: answer.code, message: answer.msg ?? "",
                retryable: FeishuLongConnectionEndpoint.retryableCodes.contains(answer.code))
        }
        guard let url = answer.data?.url, url.hasPrefix("ws://") || url.hasPrefix("wss://") else {
            throw .badURL(answer.data?.url ?? "")
        }
        return Endpoint(url: url, config: answer.data?.clientConfig ?? FeishuLongConnectionClientConfig())
    }
}

extension Duration {
    /// The same span as NIO's `TimeAmount`.
    var timeAmount: TimeAmount { .nanoseconds(nanoseconds) }
}
