import Events

extension IssueEvent {
    /// Reads an IssueEvent from a parsed document by the rules of its `Codable` conformance (required keys present
    /// with their types; optional ones missing, null or well-typed; unknown keys ignored). Nil for anything else:
    /// the caller then asks `JSONDecoder` for the exact reason, so both paths accept the same documents.
    init?(json: JSONValue) {
        guard case .object = json,
            let schema = json["schema"]?.string,
            let eventId = json["eventId"]?.string,
            let kind = json["kind"]?.string.flatMap(Kind.init(rawValue:)),
            let occurredAt = json["occurredAt"]?.string,
            let workspaceUUID = json["workspaceUUID"]?.string,
            let channel = Self.optional(json["channel"], Channel.init(json:)),
            let issueValue = json["issue"], let issue = Issue(json: issueValue),
            let reply = Self.optional(json["reply"], Reply.init(json:)),
            let actor = Self.optional(json["actor"], Person.init(json:))
        else { return nil }
        self.init(
            eventId: eventId, kind: kind, occurredAt: occurredAt, workspaceUUID: workspaceUUID, channel: channel,
            issue: issue, reply: reply, actor: actor)
        self.schema = schema
    }

    /// `.some(nil)` for a missing or null member, `.some(value)` when it reads, nil when it is there but wrong.
    fileprivate static func optional<T>(_ value: JSONValue?, _ read: (JSONValue) -> T?) -> T?? {
        guard let value, !value.isNull else { return .some(nil) }
        guard let read = read(value) else { return nil }
        return .some(read)
    }
}

extension IssueEvent.Channel {
    fileprivate init?(json: JSONValue) {
        guard let uuid = json["uuid"]?.string, let name = json["name"]?.string else { return nil }
        self.init(uuid: uuid, name: name)
    }
}

extension IssueEvent.Person {
    fileprivate init?(json: JSONValue) {
        guard let name = json["name"]?.string, let email = IssueEvent.optional(json["email"], \.string) else {
            return nil
        }
        self.init(name: name, email: email)
    }
}

extension IssueEvent.Issue {
    fileprivate init?(json: JSONValue) {
        guard let uuid = json["uuid"]?.string,
            let name = json["name"]?.string,
            let level = json["level"]?.string,
            let statusType = json["statusType"]?.integer.flatMap({ Int(exactly: $0) }),
            let resource = json["resource"]?.string,
            let resourceType = json["resourceType"]?.string,
            let description = json["description"]?.string,
            let createAt = json["createAt"]?.integer,
            let updateAt = json["updateAt"]?.integer,
            let creator = IssueEvent.optional(json["creator"], IssueEvent.Person.init(json:)),
            let url = json["url"]?.string,
            let assignees = IssueEvent.optional(json["assignees"], Self.people)
        else { return nil }
        self.init(
            uuid: uuid, name: name, level: level, statusType: statusType, resource: resource,
            resourceType: resourceType, description: description, createAt: createAt, updateAt: updateAt,
            creator: creator, url: url, assignees: assignees)
    }

    /// An array of people; nil when it is not an array or one element is not a person.
    private static func people(_ json: JSONValue) -> [IssueEvent.Person]? {
        guard case .array(let elements) = json else { return nil }
        var people: [IssueEvent.Person] = []
        for element in elements {
            guard let person = IssueEvent.Person(json: element) else { return nil }
            people.append(person)
        }
        return people
    }
}

extension IssueEvent.Reply {
    fileprivate init?(json: JSONValue) {
        guard let uuid = json["uuid"]?.string,
            let content = json["content"]?.string,
            let createAt = json["createAt"]?.integer,
            let creator = IssueEvent.optional(json["creator"], IssueEvent.Person.init(json:))
        else { return nil }
        self.init(uuid: uuid, content: content, createAt: createAt, creator: creator)
    }
}
