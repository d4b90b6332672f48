import Foundation

/// No loopback port could be reserved (the kernel refused to bind port 0).
public struct NoFreePort: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "no free loopback port: \(String(cString: strerror(errno)))" }
}

/// A loopback port nobody listens on right now, for processes that must be told their port before they start.
public func freePort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            guard bind(socket, raw, length) == 0, getsockname(socket, raw, &length) == 0 else {
                throw NoFreePort(errno: Foundation.errno)
            }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
