import ArgumentParser
import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// `notifier <subcommand>`: the notifier's operator commands. Without arguments `notifier` runs the service.
struct NotifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier",
        abstract: "Delivers issue events to chat webhooks (run without arguments to start the service).",
        subcommands: [DLQCommand.self])
}

/// `notifier dlq list|replay`: inspects and re-publishes records parked on a dead-letter topic.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect and replay dead-letter records (KAFKA_BROKERS from the environment).",
        subcommands: [List.self, Replay.self])

    /// The options `list` and `replay` share.
    struct Filters: ParsableArguments {
        @Option(help: "The dead-letter topic.")
        var topic: String = Topics.deadLetter(of: Topics.issueEvents)

        @Option(help: "Only records parked since this RFC 3339 time or this long ago (90s, 30m, 2h, 7d).")
        var since: String?

        @Option(name: .customLong("offset"), help: "Only this DLQ record, as PARTITION:OFFSET (repeatable).")
        var offsets: [String] = []

        @Option(help: "Only records whose dlq-reason contains this text (case-insensitive).")
        var reasonContains: String?

        @Option(help: "Seconds to read the topic to its end before giving up.")
        var timeout: Int = 30

        func selection() throws -> DLQSelection {
            var selection = DLQSelection()
            if let since {
                guard let date = DLQSelection.parseSince(since) else {
                    throw ValidationError("--since \(since): expected an RFC 3339 time or a duration like 2h")
                }
                selection.since = date
            }
            for text in offsets {
                guard let position = DLQPosition(text) else {
                    throw ValidationError("--offset \(text): expected PARTITION:OFFSET, e.g. 0:42")
                }
                selection.positions.insert(position)
            }
            selection.reasonContains = reasonContains
            return selection
        }

        func tool() throws -> DLQTool {
            let kafka: KafkaClientSettings
            do {
                let config = try ConfigSource.load()
                kafka = try KafkaClientSettings(config: config, clientID: "notifier-dlq")
            } catch {
                FileHandle.standardError.write(Data("notifier dlq: \(error)\n".utf8))
                throw ExitCode(2)
            }
            var logger = Logger(label: "notifier.dlq") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .warning
            return DLQTool(kafka: kafka, logger: logger, timeout: .seconds(max(1, timeout)))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print parked records with their dlq-* headers.")

        @OptionGroup var filters: Filters

        func run() async throws {
            let selection = try filters.selection()
            let tool = try filters.tool()
            let records: [KafkaRecord]
            do { records = try await tool.list(topic: filters.topic, selection: selection) } catch {
                FileHandle.standardError.write(Data("notifier dlq list: \(error)\n".utf8))
                throw ExitCode(1)
            }
            for record in records { print(DLQListing.describe(record)) }
            print("\(records.count) record(s) on \(filters.topic)")
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-publish parked records to the topic in their dlq-source-topic header.")

        @OptionGroup var filters: Filters

        @Flag(help: "Replay every record of the topic (required when no filter is given).")
        var all = false

        func validate() throws {
            if !all && filters.since == nil && filters.offsets.isEmpty && filters.reasonContains == nil {
                throw ValidationError("choose records with --since, --offset or --reason-contains, or pass --all")
            }
        }

        func run() async throws {
            let selection = try filters.selection()
            let tool = try filters.tool()
            let producer = try KafkaProducerClient(
                settings: KafkaProducerSettings(client: tool.kafka), logger: tool.logger)
            let runner = Task { try await producer.run() }
            let result: Result<[DLQTool.Replayed], DLQTool.ToolError>
            do {
                let replayed = try await tool.replay(topic: filters.topic, selection: selection, producer: producer) {
                    print("replayed \($0.record.topic) \($0.record.partition):\($0.record.offset) -> \($0.destination)"
                        + "  key=\($0.record.keyString ?? "-")")
                }
                result = .success(replayed)
            } catch {
                result = .failure(error)
            }
            runner.cancel()
            _ = await runner.result
            switch result {
            case let .success(replayed): print("\(replayed.count) record(s) replayed from \(filters.topic)")
            case let .failure(error):
                FileHandle.standardError.write(Data("notifier dlq replay: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
