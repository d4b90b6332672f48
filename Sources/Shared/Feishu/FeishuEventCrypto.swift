import Crypto
import Foundation
import _CryptoExtras

/// Feishu event subscription v2 cryptography (docs/protocols/feishu.md): the AES-256-CBC `encrypt` field and
/// the `X-Lark-Signature` header. Shared because the gateway verifies and decrypts while DevStack's event sender
/// encrypts and signs.
public enum FeishuEventCrypto {
    /// Why an `encrypt` blob could not be opened. Never carries key material.
    public enum DecryptionError: Error, Sendable, Equatable, CustomStringConvertible {
        case notBase64
        /// Shorter than IV + one block, or the ciphertext is not a whole number of AES blocks.
        case badLength(Int)
        /// Wrong key or corrupted ciphertext (padding check failed).
        case cipher
        case notUTF8

        public var description: String {
            switch self {
            case .notBase64: "encrypt field is not base64"
            case .badLength(let count): "encrypt blob of \(count) bytes is not IV + whole AES blocks"
            case .cipher: "AES-256-CBC decryption failed (wrong key or corrupted body)"
            case .notUTF8: "decrypted body is not UTF-8"
            }
        }
    }

    /// `SHA256(utf8(encryptKey))`, the AES-256 key.
    public static func aesKey(_ encryptKey: String) -> SymmetricKey {
        SymmetricKey(data: Data(SHA256.hash(data: Data(encryptKey.utf8))))
    }

    /// Opens the base64 `encrypt` field: IV (16 bytes) then ciphertext, PKCS#7 padded.
    public static func decrypt(_ encrypted: String, encryptKey: String) throws(DecryptionError) -> String {
        guard let blob = Data(base64Encoded: encrypted) else { throw .notBase64 }
        guard blob.count >= 32, blob.count % 16 == 0 else { throw .badLength(blob.count) }
        let plain: Data
        do {
            let iv = try AES._CBC.IV(ivBytes: blob.prefix(16))
            plain = try AES._CBC.decrypt(blob.dropFirst(16), using: aesKey(encryptKey), iv: iv)
        } catch {
            throw .cipher
        }
        guard let text = String(data: plain, encoding: .utf8) else { throw .notUTF8 }
        return text
    }

    /// Encrypts the way Feishu does: the IV (random unless given) is prepended, the whole blob base64-encoded.
    public static func encrypt(_ plaintext: String, encryptKey: String, iv: [UInt8]? = nil) -> String {
        let ivBytes = iv ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        // Both calls only throw for a wrong IV length or noPadding misuse, neither possible here.
        let cbcIV = try! AES._CBC.IV(ivBytes: ivBytes)
        let ciphertext = try! AES._CBC.encrypt(Data(plaintext.utf8), using: aesKey(encryptKey), iv: cbcIV)
        return (Data(ivBytes) + ciphertext).base64EncodedString()
    }

    /// `hex(SHA256(timestamp + nonce + encryptKey + rawBody))`, lowercase.
    public static func signature(timestamp: String, nonce: String, encryptKey: String, body: some Sequence<UInt8>)
        -> String
    {
        var hasher = SHA256()
        hasher.update(data: Data((timestamp + nonce + encryptKey).utf8))
        hasher.update(data: Data(body))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two strings in time independent of where they differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}

/// Header names of Feishu event subscription requests.
public enum FeishuHeaders {
    public static let timestamp = "X-Lark-Request-Timestamp"
    public static let nonce = "X-Lark-Request-Nonce"
    public static let signature = "X-Lark-Signature"
}
