import AsyncHTTPClient
import DevStack
import Foundation
import GuanceAPI
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import Testing

/// The simulator follows the protocol notes: auth, limits with the documented error bodies, and its admin API.
@Suite("Guance simulator", .timeLimit(.minutes(1)))
struct GuanceSimulatorTests {
    func get(_ http: HTTPClient, _ url: String, key: String?) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: url)
        if let key { request.headers.add(name: "DF-API-KEY", value: key) }
        let response = try await http.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }

    @Test func enforcesAuthAndThePerKeyLimitWithTheDocumentedBodies() async throws {
        var options = GuanceSimulator.Options()
        options.rateLimitWindow = .seconds(30)
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        let http = HTTPClient()
        let url = simulator.url + "/api/v1/channel/quick_list"
        let (status, body) = try await get(http, url, key: nil)
        #expect(status == 403)
        #expect(body["errorCode"] as? String == "ft.InvalidAPIKey")
        #expect(body["success"] as? Bool == false)
        for _ in 0..<20 {
            let (ok, envelope) = try await get(http, url, key: simulator.apiKey)
            #expect(ok == 200)
            #expect(envelope["errorCode"] as? String == "")
            #expect(envelope["traceId"] is String)
        }
        let (limited, limitBody) = try await get(http, url, key: simulator.apiKey)
        #expect(limited == 401)
        #expect(limitBody["code"] as? Int == 401)
        #expect(limitBody["errorCode"] as? String == "ft.TriggerApiAkCurrentLimiting")
        #expect(limitBody["content"] is NSNull)
        #expect(simulator.maxCallsInAnyWindow(apiKey: simulator.apiKey, window: .seconds(60)) == 21)
        try await http.shutdown()
        await simulator.stop()
    }

    @Test func theAdminAPICreatesIssuesAndRepliesAndCountsCalls() async throws {
        let simulator = GuanceSimulator()
        try await simulator.start()
        let http = HTTPClient()
        func post(_ path: String, _ json: String) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: simulator.url + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
            let response = try await http.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 200)
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
        }
        let issue = try await post("/__admin/issues", #"{"name":"disk full","level":"system_level_1"}"#)
        let uuid = try #require(issue["uuid"] as? String)
        _ = try await post("/__admin/issues/\(uuid)/replies", #"{"content":"on it","creatorName":"bob"}"#)
        _ = try await post("/__admin/issues/\(uuid)/status", #"{"statusType":20}"#)
        #expect(simulator.issue(uuid: uuid)?.statusType == 20)
        #expect(simulator.issue(uuid: uuid)?.level == "system_level_1")
        #expect(simulator.replies(issueUUID: uuid).filter(\.isHumanReply).map(\.content) == ["on it"])
        _ = try await get(http, simulator.url + "/api/v1/channel/quick_list", key: simulator.apiKey)
        let (_, counts) = try await get(http, simulator.url + "/__admin/calls?apiKey=\(simulator.apiKey)", key: nil)
        #expect(counts["total"] as? Int == 1)
        try await http.shutdown()
        await simulator.stop()
    }
}
