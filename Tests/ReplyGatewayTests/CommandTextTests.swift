import Testing

@testable import ReplyGateway

@Suite("Command text parsing")
struct CommandTextTests {
    @Test func parsesTheReferenceFormat() {
        #expect(
            CommandText.parse(" #issue_abc123#收到，正在处理 ") == CommandText(issueUUID: "issue_abc123", content: "收到，正在处理"))
    }

    @Test func keepsHashesInsideTheReply() {
        #expect(CommandText.parse("#issue_1#see #42 and #43")?.content == "see #42 and #43")
    }

    @Test func acceptsFullWidthHashes() {
        #expect(CommandText.parse("＃issue_x1＃ok") == CommandText(issueUUID: "issue_x1", content: "ok"))
    }

    @Test func emptyTextIsParsedSoTheWriterCanRejectIt() {
        #expect(CommandText.parse("#issue_x1#   ") == CommandText(issueUUID: "issue_x1", content: ""))
    }

    @Test func rejectsTextWithoutAnIssueReference() {
        #expect(CommandText.parse("hello") == nil)
        #expect(CommandText.parse("#issue x#text") == nil)
        #expect(CommandText.parse("##text") == nil)
        #expect(CommandText.parse("#issue_only") == nil)
    }

    @Test func stripsTheLeadingBotMentionAndNamesOtherMentions() {
        let mentions = [
            (key: "@_user_1", name: "IssueBot"), (key: "@_user_2", name: "张三"), (key: "@_user_12", name: "Li"),
        ]
        #expect(MentionText.strip("@_user_1 #issue_a#收到", mentions: mentions) == "#issue_a#收到")
        #expect(
            MentionText.strip("@_user_1 #issue_a#ask @_user_2 and @_user_12", mentions: mentions)
                == "#issue_a#ask @张三 and @Li")
    }

    @Test func findsTheIssueInANotificationText() {
        #expect(
            CommandText.findIssueUUID(in: #"{"text":"[critical] disk full issue_da778a8295ae4292 open"}"#)
                == "issue_da778a8295ae4292")
        #expect(CommandText.findIssueUUID(in: "no issue here") == nil)
    }
}
