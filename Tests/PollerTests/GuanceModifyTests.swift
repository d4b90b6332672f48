import AsyncHTTPClient
import DevStack
import Foundation
import GuanceAPI
import NIOCore
import NIOHTTP1
import Testing

@testable import Poller

/// The simulator's `POST /api/v1/issue/{uuid}/modify` is as strict as the documented contract, and what it changes
/// shows in the next listing (the poller derives its `issue.updated` from that).
@Suite("Guance simulator: issue modify", .timeLimit(.minutes(1)))
struct GuanceModifyTests {
    func post(_ sim: GuanceSimulator, _ uuid: String, _ body: String, key: String?) async throws -> Int {
        var request = HTTPClientRequest(url: sim.url + "/api/v1/issue/\(uuid)/modify")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "DF-API-KEY", value: key) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test func wrongShapesAndValuesAreRefusedAndChangeNothing() async throws {
        try await withGuanceSimulator(retry: .none) { sim, _ in
            let issue = sim.addIssue(.init(name: "cpu"))
            let anonymous = try await post(sim, issue.uuid, #"{"statusType":20}"#, key: nil)
            #expect(anonymous >= 400)
            let wrongKey = try await post(sim, issue.uuid, #"{"statusType":20}"#, key: "not-the-key")
            #expect(wrongKey >= 400)
            for body in [
                "[]", "not json", #"{"statusType":25}"#, #"{"statusType":15}"#, #"{"statusType":"20"}"#,
                #"{"statusType":20.5}"#, #"{"statusType":true}"#, #"{"status":20}"#, #"{"extend":[]}"#,
                #"{"extend":{"manager":"a@example.com"}}"#, #"{"extend":{"manager":["not an email"]}}"#,
            ] {
                let status = try await post(sim, issue.uuid, body, key: sim.apiKey)
                #expect(status == 400, "\(body)")
            }
            #expect(sim.issue(uuid: issue.uuid)?.statusType == 10)
            let missing = try await post(sim, "issue_nope", #"{"statusType":20}"#, key: sim.apiKey)
            #expect(missing >= 400)
        }
    }

    @Test func statusAndAssigneeChangesShowInTheNextListing() async throws {
        try await withGuanceSimulator(retry: .none) { sim, client in
            let issue = sim.addIssue(.init(name: "disk", createAt: Int64(Date().timeIntervalSince1970) - 100))
            let resolved = try await client.modifyIssue(uuid: issue.uuid, statusType: 20)
            let assigned = try await client.modifyIssue(uuid: issue.uuid, managers: ["alice@example.com"])
            #expect(assigned.statusType == 20)
            let channel = try #require(try await client.listChannels().first)
            let listing = try await client.listIssues(channelUUID: channel.uuid, startTime: nil, endTime: nil)
            let listed = try #require(listing.items.first { $0.uuid == issue.uuid })
            #expect(listed.statusType == 20)
            #expect(listed.updateAt >= resolved.updateAt)
            #expect(listed.extend?["manager"] == .array([.string("alice@example.com")]))
            #expect(IssueEventFactory.updatedID(listed) == IssueEventFactory.updatedID(assigned))
        }
    }
}
