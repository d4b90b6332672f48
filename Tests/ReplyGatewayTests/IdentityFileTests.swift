import Testing

@testable import ReplyGateway

@Suite("IDENTITY_FILE")
struct IdentityFileTests {
    @Test func mapsOpenIDsAndFeishuEmailsToGuanceAccounts() throws {
        let file = try IdentityFile.parse(
            """
            # who is who
            feishu:
              ou_7dab8a3d3cdcc9da: zhangsan@example.com
              Li.Si@corp.example: lisi@example.com
            """)
        #expect(file.guanceEmail(feishuOpenID: "ou_7dab8a3d3cdcc9da", feishuEmail: nil) == "zhangsan@example.com")
        #expect(file.guanceEmail(feishuOpenID: "ou_other", feishuEmail: "li.si@corp.example") == "lisi@example.com")
        #expect(file.guanceEmail(feishuOpenID: "ou_other", feishuEmail: "x@corp.example") == nil)
    }

    @Test func emptyFileAndEmptySectionMapNobody() throws {
        #expect(try IdentityFile.parse("").guanceEmail(feishuOpenID: "ou_1", feishuEmail: nil) == nil)
        #expect(try IdentityFile.parse("feishu:\n").guanceEmail(feishuOpenID: "ou_1", feishuEmail: nil) == nil)
    }

    @Test(arguments: [
        ("feishu:\n  ou_1: not-an-email\n", 2, "must be one e-mail"),
        ("feishu:\n  ou_1: a@example.com\n  bob: b@example.com\n", 3, "neither a Feishu open_id"),
        ("feishu:\n  ou_1: a@example.com\n  ou_1: b@example.com\n", 3, "twice"),
        ("feishu:\n  ou_1: [a@example.com]\n", 2, "must be one e-mail"),
        ("dingtalk:\n  x: a@example.com\n", 1, "unknown key 'dingtalk'"),
        ("- ou_1\n", 1, "top level must be a map"),
        ("feishu:\n  - ou_1\n", 2, "must be a map"),
        ("feishu:\n  ou_1: a@example.com\n   bad: [\n", 3, "not valid YAML"),
    ])
    func mistakesNameTheirLine(text: String, line: Int, reason: String) {
        #expect {
            try IdentityFile.parse(text)
        } throws: { error in
            guard let failure = error as? IdentityFile.Failure else { return false }
            return failure.line == line && failure.reason.contains(reason)
        }
    }
}
