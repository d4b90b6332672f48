extension KafkaConsumerClient {
    /// Stops a reader made with `init(settings:assignment:logger:)` at once. Such a reader holds no group membership
    /// and stores no offsets, so there is nothing to leave or commit, and the group close (`close()`) would only wait
    /// for the group coordinator (seconds). The handle is destroyed without it when the last reference goes.
    public func stopReading() {
        abandonWithoutClosing()
    }
}
