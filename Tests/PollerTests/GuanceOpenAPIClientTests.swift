import AsyncHTTPClient
import DevStack
import Foundation
import GuanceAPI
import Testing

@Suite("Guance OpenAPI client against the simulator", .timeLimit(.minutes(2)))
struct GuanceOpenAPIClientTests {
    @Test(arguments: [GuanceSimulator.IssueListShape.documented, .bareList])
    func listsEveryPageInBothContentShapes(shape: GuanceSimulator.IssueListShape) async throws {
        var options = GuanceSimulator.Options()
        options.issueListShape = shape
        options.keyRateLimit = nil
        try await withGuanceSimulator(options: options) { sim, client in
            let base = Int64(Date().timeIntervalSince1970) - 100
            for index in 0..<250 {
                sim.addIssue(.init(name: "issue \(index)", createAt: base + Int64(index % 7)))
            }
            let channels = try await client.listChannels()
            #expect(channels.map(\.name) == ["default"])
            let listing = try await client.listAllIssues(
                channelUUID: channels[0].uuid, startTime: base, endTime: base + 10)
            #expect(listing.pages == 3)
            #expect(listing.issues.count == 250)
            #expect(Set(listing.issues.map(\.uuid)).count == 250)
            #expect(listing.rejected.isEmpty)
            #expect(sim.calls(apiKey: sim.apiKey).filter { $0.endpoint == "issue_list" }.count == 3)
        }
    }

    @Test func anInvalidKeyIsFatalAndNotRetried() async throws {
        try await withGuanceSimulator { sim, _ in
            let http = GuanceOpenAPIClient.makeHTTPClient()
            let client = GuanceOpenAPIClient(
                settings: .init(baseURL: sim.url, apiKey: "wrong"), httpClient: http,
                budget: GuanceRequestBudget(limit: 0), logger: guanceTestLogger)
            let error = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            #expect(error?.isInvalidAPIKey == true)
            #expect(error?.status == 403)
            #expect(error?.isRetryable == false)
            #expect(sim.calls(apiKey: "wrong").count == 1)
            try await http.shutdown()
        }
    }

    @Test func rateLimitAnswersAreRetriedAfterABackOff() async throws {
        try await withGuanceSimulator { sim, client in
            sim.injectFault(.rateLimited, endpoint: "channel_list", count: 2)
            let channels = try await client.listChannels()
            #expect(channels.count == 1)
            let statuses = sim.calls(apiKey: sim.apiKey).map(\.status)
            #expect(statuses == [401, 401, 200])
        }
    }

    @Test func rateLimitErrorCarriesTheServersCodeAndTrace() async throws {
        try await withGuanceSimulator(retry: .none) { sim, client in
            sim.injectFault(.rateLimited)
            let error = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            #expect(error?.isRateLimited == true)
            #expect(error?.status == 401)
            #expect(error?.errorCode == "ft.TriggerApiAkCurrentLimiting")
            #expect(error?.traceId?.isEmpty == false)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func badAnswersBecomeTypedErrors() async throws {
        try await withGuanceSimulator(retry: .none) { sim, client in
            sim.injectFault(.malformedJSON)
            let malformed = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            guard case .malformedResponse = malformed else {
                Issue.record("got \(String(describing: malformed))")
                return
            }

            sim.injectFault(.htmlPage(status: 502))
            let html = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            #expect(html?.status == 502)
            #expect(html?.isRetryable == true)
            #expect("\(html!)".contains("Bad Gateway"))

            sim.injectFault(.successFalse(errorCode: "ft.SomethingWrong", message: "nope"))
            let unsuccessful = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            #expect(unsuccessful?.errorCode == "ft.SomethingWrong")
            #expect(unsuccessful?.isRetryable == false)

            sim.injectFault(.status(503, errorCode: "ft.ServiceUnavailable"))
            let unavailable = await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            #expect(unavailable?.isRetryable == true)
        }
    }

    @Test func aTimeoutIsRetryable() async throws {
        try await withGuanceSimulator(retry: .none) { sim, client in
            var settings = client.settings
            settings.requestTimeout = .milliseconds(200)
            sim.injectFault(.delay(.seconds(1)))
            let http = GuanceOpenAPIClient.makeHTTPClient()
            let slow = GuanceOpenAPIClient(
                settings: settings, httpClient: http, budget: GuanceRequestBudget(limit: 0), logger: guanceTestLogger)
            let error = await #expect(throws: GuanceAPIError.self) { try await slow.listChannels() }
            guard case .timeout = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(error?.isRetryable == true)
            try await http.shutdown()
        }
    }

    @Test func repliesCarryTheMarkerAndCanBeFoundByCommandID() async throws {
        try await withGuanceSimulator { sim, client in
            let issue = sim.addIssue(.init(name: "db down", createAt: Int64(Date().timeIntervalSince1970) - 10))
            let marker = GuanceReplyMarker(commandID: "cmd-42")
            let created = try await client.createReply(
                issueUUID: issue.uuid, content: "on it",
                extend: marker.extend(merging: .object(["members": .array([])])))
            #expect(created.type == "reply")
            #expect(created.chatOpsMarker == marker)
            #expect(created.extend?["members"] == .array([]))
            sim.addReply(issueUUID: issue.uuid, content: "from the console")

            let page = try await client.listReplies(issueUUID: issue.uuid)
            #expect(page.items.first?.content == "from the console")  // newest first
            #expect(page.items.filter(\.isHumanReply).count == 2)
            #expect(page.items.contains { $0.type == "change" })
            #expect(page.pageInfo?.totalCount == 3)
            let found = try await client.findReply(issueUUID: issue.uuid, commandID: "cmd-42")
            #expect(found?.uuid == created.uuid)
            #expect(try await client.findReply(issueUUID: issue.uuid, commandID: "cmd-other") == nil)
            #expect(sim.issue(uuid: issue.uuid)!.updateAt > issue.updateAt)
        }
    }

    @Test func getAndModifyIssues() async throws {
        try await withGuanceSimulator(retry: .none) { sim, client in
            let issue = sim.addIssue(.init(name: "cpu", level: .string("system_level_3")))
            let fetched = try await client.getIssue(uuid: issue.uuid)
            #expect(fetched.level == "system_level_3")
            let resolved = try await client.modifyIssue(uuid: issue.uuid, statusType: 20)
            #expect(resolved.statusType == 20)
            let rejected = await #expect(throws: GuanceAPIError.self) {
                try await client.modifyIssue(uuid: issue.uuid, statusType: 25)
            }
            #expect(rejected?.status == 400)
            let missing = await #expect(throws: GuanceAPIError.self) { try await client.getIssue(uuid: "issue_nope") }
            #expect(missing?.isIssueNotFound == true)
            let missingReply = await #expect(throws: GuanceAPIError.self) {
                try await client.createReply(issueUUID: "issue_nope", content: "x")
            }
            #expect(missingReply?.isIssueNotFound == true)
        }
    }

    @Test func aMissingFieldRejectsOnlyThatIssue() async throws {
        try await withGuanceSimulator { sim, client in
            sim.addIssue(.init(name: "fine"))
            let broken = sim.addIssue(.init(name: "broken", omittedFields: ["createAt"]))
            let page = try await client.listIssues(channelUUID: sim.defaultChannelUUID, startTime: nil, endTime: nil)
            #expect(page.items.map(\.name) == ["fine"])
            #expect(page.rejected.count == 1)
            #expect(page.rejected.first?.uuid == broken.uuid)
            #expect(page.rejected.first?.reason.contains("createAt") == true)
        }
    }

    @Test func theBudgetKeepsConcurrentCallsInsideTheWindow() async throws {
        var options = GuanceSimulator.Options()
        options.rateLimitWindow = .seconds(1)
        options.keyRateLimit = 5
        let budget = GuanceRequestBudget(limit: 5, window: .seconds(1))
        try await withGuanceSimulator(options: options, budget: budget) { sim, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { _ = try await client.listChannels() } }
                try await group.waitForAll()
            }
            let calls = sim.calls(apiKey: sim.apiKey)
            #expect(calls.count == 12)
            #expect(calls.allSatisfy { $0.status == 200 })
            #expect(sim.maxCallsInAnyWindow(apiKey: sim.apiKey, window: .seconds(1)) <= 5)
        }
    }
}
