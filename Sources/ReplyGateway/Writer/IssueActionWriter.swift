import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit

/// Performs one `IssueAction` on Guance: `POST /api/v1/issue/{uuid}/modify` with `statusType` 20 (resolve), 10
/// (reopen) or `extend.manager = [actor e-mail]` (acknowledge).
///
/// At most one modify per click: the issue is read first, and a change that is already in place (an earlier
/// attempt that timed out but was applied, a previous owner of the partition that crashed before committing, or
/// someone who did the same in the console) is not made again. After an ambiguous failure the next attempt waits
/// `ambiguityWait` and reads again before modifying. The changed issue comes back as the `issue.updated` event the
/// poller would derive for the same change (same event id), so the card changes at once and the later poll adds
/// nothing new.
struct IssueActionWriter: Sendable {
    /// What became of the action, and the issue as it is now (as an `issue.updated` event) when it is known.
    struct Outcome: Sendable {
        var result: ReplyResult
        var changed: IssueEvent?
    }

    let guance: any GuanceIssueActions
    let events: IssueEventFactory
    var maxAttempts = 5
    var retryDelay: Duration = .seconds(1)
    var ambiguityWait: Duration = .seconds(10)
    var now: @Sendable () -> Date = { Date() }

    func perform(_ action: IssueAction, log: Logger) async throws -> Outcome {
        func result(_ outcome: ReplyResult.Outcome, issueName: String? = nil, reason: String? = nil) -> ReplyResult {
            var result = ReplyResult(
                commandId: action.commandId, issueUUID: action.issueUUID, issueName: issueName, outcome: outcome,
                replyUUID: nil, reason: reason, completedAt: EventCoding.rfc3339(now()), origin: action.origin)
            result.action = action.action
            return result
        }
        func changed(_ issue: GuanceIssue) -> IssueEvent {
            var event = events.updated(issue)
            let actor = IssueEvent.Person(name: action.actor.name ?? action.actor.id, email: action.actor.email)
            event.actor = IssueEvent.Person(name: actor.name)
            event.issue.assignees = event.issue.assignees.map { Self.naming($0, after: actor) }
            return event
        }
        let change = Change(action)
        if action.action == .acknowledge && change.managers == nil {
            let who = action.actor.name ?? action.actor.id
            return Outcome(result: result(.rejected, reason: "no Guance account is known for \(who)"), changed: nil)
        }
        var lastError: GuanceAPIError?
        for attempt in 1...max(maxAttempts, 1) {
            if attempt > 1 {
                var delay = retryDelay * (1 << min(attempt - 2, 5))
                if lastError?.isAmbiguous == true { delay = max(delay, ambiguityWait) }
                try await Task.sleep(for: delay)
            }
            do throws(GuanceAPIError) {
                let issue = try await guance.getIssue(uuid: action.issueUUID)
                if change.isApplied(to: issue) {
                    log.info("issue already in the requested state; not modified again")
                    return Outcome(result: result(.written, issueName: issue.name), changed: changed(issue))
                }
                let modified = try await guance.modifyIssue(
                    uuid: action.issueUUID, statusType: change.statusType, managers: change.managers)
                log.info("issue modified", metadata: ["action": "\(action.action.rawValue)"])
                return Outcome(result: result(.written, issueName: modified.name), changed: changed(modified))
            } catch {
                if case .issueNotFound = error {
                    return Outcome(
                        result: result(.rejected, reason: "issue \(action.issueUUID) does not exist"), changed: nil)
                }
                lastError = error
                guard error.isRetryable else { break }
                log.warning(
                    "issue action failed, retrying", metadata: [LogKey.error: "\(error)", "attempt": "\(attempt)"])
            }
        }
        log.error("issue action not performed", metadata: [LogKey.error: "\(lastError.map { "\($0)" } ?? "-")"])
        return Outcome(result: result(.failed, reason: lastError.map { "\($0)" } ?? "unknown error"), changed: nil)
    }

    /// The assignees with the clicker's name where Guance lists the clicker's e-mail (Acknowledge assigns by e-mail;
    /// Guance returns only the address).
    static func naming(_ assignees: [IssueEvent.Person], after actor: IssueEvent.Person) -> [IssueEvent.Person] {
        guard let email = actor.email?.trimmingCharacters(in: .whitespaces).lowercased(), !email.isEmpty else {
            return assignees
        }
        return assignees.map { person in
            person.email?.lowercased() == email ? IssueEvent.Person(name: actor.name, email: person.email) : person
        }
    }

    /// The modify request an action makes, and how to tell it is already in place.
    struct Change: Sendable, Equatable {
        var statusType: Int?
        var managers: [String]?

        init(_ action: IssueAction) {
            switch action.action {
            case .resolve: statusType = 20
            case .reopen: statusType = 10
            case .acknowledge:
                let email = action.actor.email?.trimmingCharacters(in: .whitespaces) ?? ""
                managers = email.isEmpty ? nil : [email]
            }
        }

        func isApplied(to issue: GuanceIssue) -> Bool {
            if let statusType, issue.statusType != statusType { return false }
            if let managers {
                let current = Set(issue.managers.map { $0.lowercased() })
                if !managers.allSatisfy({ current.contains($0.lowercased()) }) { return false }
            }
            return true
        }
    }
}
