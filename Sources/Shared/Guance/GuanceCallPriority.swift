/// Who is waiting for an OpenAPI call. When both want the last calls of a window, a person waiting in the chat
/// (reply writes, card actions) goes before the next listing.
public enum GuanceCallPriority: String, Codable, Sendable, CaseIterable {
    /// Reply writes and card actions: may use every call of the window.
    case interactive
    /// Polling: leaves the window's reserve to interactive calls and stops claiming while an interactive caller
    /// waits (the poll cursor simply waits).
    case polling
}
