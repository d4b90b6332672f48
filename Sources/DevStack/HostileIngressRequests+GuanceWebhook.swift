import Foundation

extension HostileIngressRequests {
    /// The poll target the generated genuine pushes name (the gateway under test must know it).
    public static let guanceWebhookTarget = "default"

    /// `/guance/webhook/<target>`: hostile or missing bearer tokens, hostile, unknown, empty and extra path segments,
    /// hostile bodies (a push's body is never interpreted); authenticated only with the token and a known target.
    mutating func guanceWebhook() -> HostileRequest {
        let goodToken = chance(2)
        var headers = hostileHeaders(["Authorization", "Content-Type"])
        if goodToken, let token = secrets.guanceWebhookToken { headers["Authorization"] = "Bearer \(token)" }
        let target: String
        switch int(5) {
        case 0, 1: target = Self.guanceWebhookTarget
        case 2: target = randomText(0...140)
        case 3: target = hostileText()
        default: target = Self.guanceWebhookTarget + "/" + randomText(0...10)
        }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        let segment = target.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }.joined(separator: "/")
        // The router ignores empty path segments: `default/` and `default//` name the target too.
        let authenticated =
            goodToken && secrets.guanceWebhookToken != nil
            && target.split(separator: "/") == [Substring(Self.guanceWebhookTarget)]
        return HostileRequest(
            path: "/guance/webhook/" + segment, headers: headers, body: hostileBody(), authenticated: authenticated,
            label: authenticated
                ? "guance webhook: bearer token, hostile body" : "guance webhook: hostile token or target")
    }
}
