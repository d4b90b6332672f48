import Logging
import ServiceLifecycle
import Shared

/// `reply-gateway`: accepts chat callbacks and publishes reply commands.
@main
enum GatewayMain {
    static func main() async {
        let basics = ServiceBasics.start(service: "reply-gateway")
        await ServiceRunner.run(basics) { producer in [] }
    }
}
