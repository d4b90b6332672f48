import FeishuKit
import Foundation
import Synchronization
import Testing

@testable import ReplyGateway

@Suite("Feishu identity resolution")
struct FeishuIdentityResolverTests {
    /// A directory that counts lookups and can change its answers or go down.
    final class Directory: FeishuContactDirectory {
        struct Down: Error {}
        let users = Mutex<[String: FeishuContactUser]>([:])
        let down = Mutex(false)
        let lookups = Mutex(0)

        func user(openID: String) async throws -> FeishuContactUser {
            lookups.withLock { $0 += 1 }
            if down.withLock({ $0 }) { throw Down() }
            guard let user = users.withLock({ $0[openID] }) else { throw Down() }
            return user
        }
    }

    final class Clock: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    @Test func cachedUntilExpiryThenLookedUpAgainAndStaleWhenTheDirectoryFails() async {
        let directory = Directory()
        directory.users.withLock { $0["ou_a"] = FeishuContactUser(name: "A", email: "a@corp.example") }
        let clock = Clock()
        let resolver = FeishuIdentityResolver(
            file: nil, directory: directory, ttl: .seconds(60), logger: gatewayTestLogger,
            now: { clock.time.withLock { $0 } })
        #expect(await resolver.identity(openID: "ou_a") == ChatIdentity(name: "A", email: "a@corp.example"))
        _ = await resolver.identity(openID: "ou_a")
        #expect(directory.lookups.withLock { $0 } == 1)
        clock.advance(61)
        directory.users.withLock { $0["ou_a"] = FeishuContactUser(name: "A. Renamed", email: "a@corp.example") }
        #expect(await resolver.identity(openID: "ou_a").name == "A. Renamed")
        #expect(directory.lookups.withLock { $0 } == 2)
        clock.advance(61)
        directory.down.withLock { $0 = true }
        #expect(await resolver.identity(openID: "ou_a").name == "A. Renamed")
        #expect(await resolver.identity(openID: "ou_unknown") == ChatIdentity())
        // An unknown person is not looked up again on every message, but again after a minute.
        let before = directory.lookups.withLock { $0 }
        _ = await resolver.identity(openID: "ou_unknown")
        #expect(directory.lookups.withLock { $0 } == before)
        clock.advance(61)
        _ = await resolver.identity(openID: "ou_unknown")
        #expect(directory.lookups.withLock { $0 } == before + 1)
    }

    @Test func theFileDecidesTheGuanceAccountByOpenIDOrByFeishuEmail() async throws {
        let directory = Directory()
        directory.users.withLock {
            $0["ou_a"] = FeishuContactUser(name: "A", email: "a@corp.example")
            $0["ou_b"] = FeishuContactUser(name: "B", email: "b@corp.example")
        }
        let file = try IdentityFile.parse(
            "feishu:\n  ou_a: a@guance.example\n  b@corp.example: b@guance.example\n  ou_c: c@guance.example\n")
        let resolver = FeishuIdentityResolver(file: file, directory: directory, logger: gatewayTestLogger)
        #expect(await resolver.identity(openID: "ou_a") == ChatIdentity(name: "A", email: "a@guance.example"))
        #expect(await resolver.identity(openID: "ou_b") == ChatIdentity(name: "B", email: "b@guance.example"))
        // Not in the directory (out of the app's contact range): the file alone still maps the account.
        #expect(await resolver.identity(openID: "ou_c") == ChatIdentity(name: nil, email: "c@guance.example"))
    }
}
