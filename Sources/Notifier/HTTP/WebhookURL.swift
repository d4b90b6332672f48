/// A webhook URL split for the wire: the origin (one connection pool each) and the request target.
///
/// Parsed on every request (DingTalk signing changes the query each time): `http(s)://host[:port][/path][?query]`, IPv6
/// hosts in brackets. Credentials in the URL are refused rather than sent in the clear.
struct WebhookURL: Sendable, Equatable {
    /// Scheme, host and port: where a connection goes.
    struct Origin: Sendable, Hashable, CustomStringConvertible {
        let tls: Bool
        /// Without brackets for IPv6 literals.
        let host: String
        let port: Int

        /// The `Host` header value: the port only when it is not the scheme's default.
        var hostHeader: String {
            let name = host.contains(":") ? "[\(host)]" : host
            return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
        }

        /// Safe to log: no path, no query (those carry the webhook's token).
        var description: String { "\(tls ? "https" : "http")://\(hostHeader)" }
    }

    let origin: Origin
    /// Path and query, as sent in the request line (at least "/").
    let target: String

    init(_ text: String) throws(WebhookHTTPError) {
        // Byte-wise: this runs for every request, and Character iteration is slow.
        let bytes = Array(text.utf8)
        let tls: Bool
        var index: Int
        if bytes.starts(with: "https://".utf8) {
            (tls, index) = (true, 8)
        } else if bytes.starts(with: "http://".utf8) {
            (tls, index) = (false, 7)
        } else {
            throw .invalidURL(reason: "not an http(s) URL")
        }
        let authorityStart = index
        while index < bytes.count, ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(bytes[index]) {
            index += 1
        }
        let authority = bytes[authorityStart..<index]
        let targetEnd = bytes[index...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        var target = String(decoding: bytes[index..<targetEnd], as: UTF8.self)
        if target.isEmpty || target.utf8.first == UInt8(ascii: "?") { target = "/" + target }
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw .invalidURL(reason: "credentials in the URL are not supported")
        }
        let host: ArraySlice<UInt8>
        var portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw .invalidURL(reason: "unclosed IPv6 bracket")
            }
            host = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw .invalidURL(reason: "junk after the IPv6 host") }
                portBytes = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            portBytes = authority[(colon + 1)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .invalidURL(reason: "no host") }
        var port = tls ? 443 : 80
        if let portBytes {
            guard let number = Int(String(decoding: portBytes, as: UTF8.self)), (1...65_535).contains(number) else {
                throw .invalidURL(reason: "invalid port")
            }
            port = number
        }
        self.origin = Origin(tls: tls, host: String(decoding: host, as: UTF8.self), port: port)
        self.target = target
    }
}
