import DevStack
import Foundation
import TestSupport
import Testing

/// The script the Dockerfile builds the image's binaries with, run here with the debug configuration (a release
/// build would cost the suite 15 minutes; the script is the same): every product is built, copied and checked, and
/// a missing one fails the build.
@Suite("The image's build script builds and checks every product", .serialized, .timeLimit(.minutes(5)))
struct BuildProductsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let products = ["poller", "notifier", "reply-gateway", "dev-stack"]

    func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram("/bin/bash", [Self.root.appendingPathComponent(script).path] + arguments, in: Self.root)
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("products-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func everyProductIsBuiltCopiedAndStarts() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        // `make test` already built everything with `--build-tests` and holds SwiftPM's lock while tests run: with
        // the same flags the build is a no-op (without them SwiftPM recompiles modules for a build without tests, a
        // minute and a half, and leaves binaries the next `make test` rebuilds).
        let (status, output) = try run(
            "scripts/build-products.sh", ["debug", out.path, "--ignore-lock", "--build-tests"])
        #expect(status == 0, "\(output.suffix(2000))")
        for product in Self.products {
            #expect(
                FileManager.default.isExecutableFile(atPath: out.appendingPathComponent(product).path), "\(product)")
        }
        #expect(output.contains("checked: poller notifier reply-gateway dev-stack"))
    }

    @Test func aMissingProductFailsTheCheckNamingIt() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        for product in Self.products where product != "notifier" {
            try FileManager.default.copyItem(at: ChildProcess.locate(product), to: out.appendingPathComponent(product))
        }
        let (status, output) = try run("scripts/check-products.sh", [out.path])
        #expect(status == 1)
        #expect(output.contains("'notifier' is missing"), "\(output)")
    }

    @Test func aBinaryThatDoesNotStartFailsTheCheck() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        for product in Self.products {
            try FileManager.default.copyItem(at: ChildProcess.locate(product), to: out.appendingPathComponent(product))
        }
        // A poller that exits 0 at once (as a build of the wrong product would) is not a poller.
        let fake = out.appendingPathComponent("poller")
        try FileManager.default.removeItem(at: fake)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: "/bin/true"), to: fake)
        let (status, output) = try run("scripts/check-products.sh", [out.path])
        #expect(status == 1)
        #expect(output.contains("'poller' with an empty environment exited 0"), "\(output)")
    }
}
