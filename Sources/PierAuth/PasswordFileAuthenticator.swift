import PierCore
import Synchronization

/// Checks CONNECT credentials against a mosquitto password file.
///
/// `reload()` swaps the parsed file under a lock; a file that fails to parse leaves the
/// previous contents in force, so a typo during an edit cannot lock everyone out.
public final class PasswordFileAuthenticator: Authenticator {
    /// Nil when built from an in-memory file; `reload()` is then a no-op.
    public let path: String?
    private let file: Mutex<PasswordFile>

    public init(path: String) throws {
        self.path = path
        self.file = Mutex(try PasswordFile.load(path: path))
    }

    public init(file: PasswordFile) {
        self.path = nil
        self.file = Mutex(file)
    }

    public func reload() throws {
        guard let path else { return }
        let fresh = try PasswordFile.load(path: path)
        file.withLock { $0 = fresh }
    }

    public var userCount: Int {
        file.withLock { $0.entries.count }
    }

    public func authenticate(username: String?, password: [UInt8]?, identity: ClientIdentity, allowAnonymous: Bool) -> AuthenticationResult {
        guard let username else { return allowAnonymous ? .accepted : .notAuthorized }
        // Copy the entry out so hashing runs without holding the lock.
        guard let entry = file.withLock({ $0.entry(for: username) }) else { return .badCredentials }
        guard let password else { return .badCredentials }
        return entry.hash.verify(password) ? .accepted : .badCredentials
    }
}
