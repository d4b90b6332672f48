import Logging
import ServiceLifecycle
import Shared

/// `poller`: reads the Guance OpenAPI and publishes issue events to Kafka.
@main
enum PollerMain {
    static func main() async {
        let basics = ServiceBasics.start(service: "poller")
        await ServiceRunner.run(basics) { producer in [] }
    }
}
