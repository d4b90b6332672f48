import Foundation

extension ChatCapture {
    /// The issue events messages stand for: a storm digest's count ("150 issue events (storm digest)"), else 1.
    public static func accountedEvents(_ messages: [Message]) -> Int {
        messages.map { message in
            let text = message.text
            guard let range = text.range(of: #"(\d+) issue events \(storm digest\)"#, options: .regularExpression)
            else { return 1 }
            return Int(text[range].split(separator: " ")[0]) ?? 1
        }.reduce(0, +)
    }
}
