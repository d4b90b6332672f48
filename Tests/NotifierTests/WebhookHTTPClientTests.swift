import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import Testing

@testable import Notifier

@Suite("The webhook client: keep-alive, deadlines, errors without secrets, TLS", .timeLimit(.minutes(1)))
struct WebhookHTTPClientTests {
    let headers = [("Content-Type", "application/json")]

    @Test func reusesOneKeepAliveConnectionAndSendsTheRequestIntact() async throws {
        let server = try await ScriptedHTTPServer { _ in .respond(status: 200, body: #"{"code":0}"#) }
        let client = WebhookHTTPClient()
        for index in 0..<20 {
            let answer = try await client.post(
                server.url(), headers: headers, body: Array(#"{"n":\#(index)}"#.utf8), timeout: .seconds(5))
            #expect(answer.status == 200)
            #expect(answer.body == Array(#"{"code":0}"#.utf8))
        }
        #expect(server.connectionsAccepted == 1)
        let first = try #require(server.requests.first)
        #expect(first.head.method == .POST)
        #expect(first.head.uri == "/hook?token=secret-token")
        #expect(first.head.headers["Host"] == ["127.0.0.1:\(server.port)"])
        #expect(first.head.headers["Content-Type"] == ["application/json"])
        #expect(first.head.headers["Content-Length"] == ["7"])
        #expect(server.requests.map(\.body) == (0..<20).map { #"{"n":\#($0)}"# })
        await client.shutdown()
        await server.close()
    }

    /// A connection close to its idle timeout is not handed out (its timer could close it under the request).
    @Test func doesNotReuseAConnectionAboutToBeClosedForIdleness() async throws {
        let server = try await ScriptedHTTPServer { _ in .respond(status: 200, body: "ok") }
        var settings = WebhookHTTPClient.Settings()
        settings.idleTimeout = .milliseconds(2500)  // reusable for 1.5 s (a second's margin)
        let client = WebhookHTTPClient(settings: settings)
        _ = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        _ = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        #expect(server.connectionsAccepted == 1)
        try await Task.sleep(for: .milliseconds(2000))  // the passing time is what is under test
        _ = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        #expect(server.connectionsAccepted == 2)
        await client.shutdown()
        await server.close()
    }

    @Test func opensANewConnectionWhenTheServerSaysClose() async throws {
        let server = try await ScriptedHTTPServer { _ in .respondAndClose(status: 200, body: "ok") }
        let client = WebhookHTTPClient()
        for _ in 0..<3 {
            let answer = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
            #expect(answer.status == 200)
            #expect(answer.keepAlive == false)
        }
        #expect(server.connectionsAccepted == 3)
        await client.shutdown()
        await server.close()
    }

    @Test func timesOutWithinTheDeadlineNamingTheOriginButNotTheToken() async throws {
        let server = try await ScriptedHTTPServer { _ in .stall }
        let client = WebhookHTTPClient()
        let started = ContinuousClock.now
        let error = await #expect(throws: WebhookHTTPError.self) {
            _ = try await client.post(server.url(), headers: headers, body: [1], timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(error == .timedOut(origin: "http://127.0.0.1:\(server.port)", after: .milliseconds(300)))
        #expect(error.map { "\($0)".contains("secret-token") } == false)
        await client.shutdown()
        await server.close()
    }

    @Test func aHangUpIsAClosedConnectionAndTheNextRequestUsesANewOne() async throws {
        let calls = Counter()
        let server = try await ScriptedHTTPServer { _ in
            calls.next() == 1 ? .hangUp : .respond(status: 200, body: "ok")
        }
        let client = WebhookHTTPClient()
        let error = await #expect(throws: WebhookHTTPError.self) {
            _ = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        }
        guard case .connectionClosed(let origin, _) = error else {
            Issue.record("expected connectionClosed, got \(String(describing: error))")
            return
        }
        #expect(origin == "http://127.0.0.1:\(server.port)")
        let answer = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        #expect(answer.status == 200)
        #expect(server.connectionsAccepted == 2)
        await client.shutdown()
        await server.close()
    }

    @Test func aRefusedConnectionIsConnectFailedWithoutTheToken() async throws {
        let server = try await ScriptedHTTPServer { _ in .respond(status: 200, body: "") }
        let url = server.url()
        await server.close()
        let client = WebhookHTTPClient()
        let error = await #expect(throws: WebhookHTTPError.self) {
            _ = try await client.post(url, headers: headers, body: [], timeout: .seconds(5))
        }
        guard case .connectFailed = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(error.map { "\($0)".contains("secret-token") } == false)
        await client.shutdown()
    }

    @Test func keepsOnlyTheFirstBytesOfABigAnswer() async throws {
        let big = String(repeating: "x", count: 100_000)
        let server = try await ScriptedHTTPServer { _ in .respond(status: 502, body: big) }
        var settings = WebhookHTTPClient.Settings()
        settings.maxResponseBytes = 1024
        let client = WebhookHTTPClient(settings: settings)
        let answer = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        #expect(answer.status == 502)
        #expect(answer.body.count == 1024)
        // The rest of the body was read off the connection, so it serves the next request.
        _ = try await client.post(server.url(), headers: headers, body: [], timeout: .seconds(5))
        #expect(server.connectionsAccepted == 1)
        await client.shutdown()
        await server.close()
    }

    @Test func afterShutdownRequestsFail() async throws {
        let client = WebhookHTTPClient()
        await client.shutdown()
        await #expect(throws: WebhookHTTPError.shutDown) {
            _ = try await client.post("http://127.0.0.1:9/x", headers: headers, body: [], timeout: .seconds(1))
        }
    }

    @Test func httpsVerifiesTheServerCertificate() async throws {
        let pki = try SelfSignedCertificate.make(commonName: "localhost")
        let serverTLS = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(pki.certificate)], privateKey: .privateKey(pki.key)))
        let server = try await ScriptedHTTPServer(tls: serverTLS) { _ in .respond(status: 200, body: #"{"code":0}"#) }
        var settings = WebhookHTTPClient.Settings()
        settings.tls.trustRoots = .certificates([pki.certificate])
        let trusting = WebhookHTTPClient(settings: settings)
        let answer = try await trusting.post(
            server.url(scheme: "https", host: "localhost"), headers: headers, body: [], timeout: .seconds(5))
        #expect(answer.status == 200)
        #expect(server.requests.first?.head.headers["Host"] == ["localhost:\(server.port)"])
        // The system trust roots do not know this certificate: no answer, and nothing was delivered.
        let strict = WebhookHTTPClient()
        await #expect(throws: WebhookHTTPError.self) {
            _ = try await strict.post(
                server.url(scheme: "https", host: "localhost"), headers: headers, body: [], timeout: .seconds(5))
        }
        #expect(server.requests.count == 1)
        await trusting.shutdown()
        await strict.shutdown()
        await server.close()
    }

    @Test(arguments: [
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/abc", true, "open.feishu.cn", 443,
            "/open-apis/bot/v2/hook/abc",
            "open.feishu.cn"
        ),
        ("http://127.0.0.1:8080/flow?x=1#frag", false, "127.0.0.1", 8080, "/flow?x=1", "127.0.0.1:8080"),
        (
            "https://oapi.dingtalk.com?access_token=t", true, "oapi.dingtalk.com", 443, "/?access_token=t",
            "oapi.dingtalk.com"
        ),
        ("http://[::1]:9000", false, "::1", 9000, "/", "[::1]:9000"),
        ("http://example.com:80/", false, "example.com", 80, "/", "example.com"),
    ])
    func parsesWebhookURLs(url: String, tls: Bool, host: String, port: Int, target: String, hostHeader: String) throws {
        let parsed = try WebhookURL(url)
        #expect(parsed.origin == WebhookURL.Origin(tls: tls, host: host, port: port))
        #expect(parsed.target == target)
        #expect(parsed.origin.hostHeader == hostHeader)
    }

    @Test(arguments: [
        ("ftp://example.com/x", "not an http(s) URL"), ("http://user:pw@example.com/", "credentials"),
        ("http://:80/", "no host"), ("http://example.com:0/", "invalid port"),
        ("http://example.com:http/", "invalid port"),
        ("http://[::1/", "unclosed IPv6 bracket"),
    ])
    func refusesBadURLsWithAReason(url: String, reason: String) {
        #expect {
            _ = try WebhookURL(url)
        } throws: { error in
            guard case WebhookHTTPError.invalidURL(let text) = error else { return false }
            return text.contains(reason)
        }
    }
}

/// Counts calls from the server's event loop.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
