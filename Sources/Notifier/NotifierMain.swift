import Logging
import ServiceLifecycle
import Shared

/// `notifier`: consumes issue events and delivers them to chat webhooks.
@main
enum NotifierMain {
    static func main() async {
        let basics = ServiceBasics.start(service: "notifier")
        await ServiceRunner.run(basics) { producer in [] }
    }
}
