import Foundation

extension ChatCapture {
    /// The captures as `dev-stack` runs them: signing secrets set (so `make run` exercises signatures), rate limits
    /// enforced, each accepted message printed readably on stdout.
    static func startForDevStack(rateLimits: Bool, print: Bool) async throws -> ChatCapture {
        var options = Options(
            feishuSecret: "devstack-feishu-secret", dingtalkSecret: "SECdevstack", enforceRateLimits: rateLimits)
        if print {
            options.printer = { text in FileHandle.standardOutput.write(Data(("\n" + text + "\n").utf8)) }
        }
        let capture = ChatCapture(options: options)
        try await capture.start()
        return capture
    }
}
