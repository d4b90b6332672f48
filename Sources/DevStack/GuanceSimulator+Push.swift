import Synchronization

extension GuanceSimulator {
    /// From now on, pushes every issue created, modified (status) or replied to, through the admin API, the Swift
    /// methods or the OpenAPI, to `url` with `Authorization: Bearer <token>`, as a webhook notification target set
    /// up in Guance would. Run the returned service (it delivers the pushes in order).
    public func pushChanges(to url: String, token: String) -> GuanceWebhookPusher {
        let pusher = GuanceWebhookPusher(url: url, token: token)
        self.pusher.withLock { $0 = pusher }
        return pusher
    }

    /// Queues a push for a change of `issueUUID`, when pushing is on.
    func push(_ event: String, issueUUID: String) {
        guard let pusher = pusher.withLock({ $0 }) else { return }
        let workspace = state.withLock { $0.issues[issueUUID]?.workspaceUUID } ?? workspaceUUID
        pusher.notify(event: event, issueUUID: issueUUID, workspaceUUID: workspace)
    }
}
