import Foundation
import ServiceKit
import Testing

@testable import ReplyGateway

extension GatewayConfigTests {
    @Test func identityFileIsReadAtStartAndAMistakeStopsItWithTheLine() throws {
        let directory = FileManager.default.temporaryDirectory
        let good = directory.appendingPathComponent("identities-\(UUID().uuidString).yaml")
        let bad = directory.appendingPathComponent("identities-\(UUID().uuidString).yaml")
        defer {
            try? FileManager.default.removeItem(at: good)
            try? FileManager.default.removeItem(at: bad)
        }
        try "feishu:\n  ou_a: a@example.com\n".write(to: good, atomically: true, encoding: .utf8)
        try "feishu:\n  ou_a: a@example.com\n  ou_b: nobody\n".write(to: bad, atomically: true, encoding: .utf8)
        let config = try GatewayConfig.load(
            ConfigSource(["FLOW_TOKEN": "t", "IDENTITY_FILE": good.path]), role: .ingress)
        #expect(config.identities?.guanceEmail(feishuOpenID: "ou_a", feishuEmail: nil) == "a@example.com")
        do {
            _ = try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t", "IDENTITY_FILE": bad.path]), role: .ingress)
            Issue.record("started with a broken IDENTITY_FILE")
        } catch {
            #expect("\(error)".contains("line 3"))
            #expect(!"\(error)".contains("nobody"), "the file's content is not echoed")
        }
        #expect(throws: ConfigError.self) {
            try GatewayConfig.load(
                ConfigSource(["FLOW_TOKEN": "t", "IDENTITY_FILE": "/nonexistent/identities.yaml"]), role: .ingress)
        }
    }
}
