import Foundation

/// Which `sessionWebhook` addresses the gateway may POST a DingTalk answer to. The address arrives in the callback
/// body, and DingTalk's `sign` does not cover the body: without this check anyone holding one valid signature could
/// make the gateway call any address (an internal service, a metadata endpoint).
///
/// An allowed address is `https` (or the exact scheme of a configured origin), on an allowed origin (scheme, host and
/// port exactly), on the path `/robot/sendBySession`, with no user info or fragment. Hosts are compared as written
/// in the address (`encodedHost`: punycode stays punycode, percent escapes stay escaped), never decoded: decoding
/// is ICU's IDNA, which loaded about 1.3 MiB of ICU data into the gateway at start-up just to read the default origin.
struct SessionWebhookPolicy: Sendable, Equatable {
    /// DingTalk's own session-reply endpoint.
    static let dingTalkOrigin = "https://oapi.dingtalk.com"
    static let path = "/robot/sendBySession"

    /// Allowed origins, normalised to `scheme://host[:port]` in lower case.
    let origins: Set<String>

    init(origins: [String] = [Self.dingTalkOrigin]) {
        self.origins = Set(origins.compactMap(Self.origin(ofOriginText:)))
    }

    /// The reason an address is refused, or nil when the gateway may call it.
    func refusal(_ address: String) -> String? {
        guard let components = URLComponents(string: address), let scheme = components.scheme?.lowercased(),
            let host = components.encodedHost?.lowercased(), !host.isEmpty
        else { return "not an absolute URL" }
        guard components.user == nil, components.password == nil, components.fragment == nil else {
            return "user info or fragment present"
        }
        let origin = Self.origin(scheme: scheme, host: host, port: components.port)
        guard origins.contains(origin) else { return "origin \(origin) is not allowed" }
        guard components.percentEncodedPath == Self.path else { return "path is not \(Self.path)" }
        return nil
    }

    /// `https://Example.com:443/` → `https://example.com`; nil for anything that is not an origin.
    static func origin(ofOriginText text: String) -> String? {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.encodedHost?.lowercased(), !host.isEmpty,
            components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil
        else { return nil }
        return origin(scheme: scheme, host: host, port: components.port)
    }

    private static func origin(scheme: String, host: String, port: Int?) -> String {
        let defaultPort = scheme == "https" ? 443 : 80
        guard let port, port != defaultPort else { return "\(scheme)://\(host)" }
        return "\(scheme)://\(host):\(port)"
    }
}
