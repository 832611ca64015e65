import ArgumentParser
import PierAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `pier passwd`: manages mosquitto-compatible password files, with mosquitto_passwd's flags.
struct PasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Add, update or delete a user in a mosquitto-compatible password file.",
        discussion: """
            The file is rewritten atomically with mode 0600; other users, comments and line order are kept.
            Hashes are PBKDF2-HMAC-SHA512 ($7$), the format mosquitto 2.0 reads.
            """
    )

    @Flag(name: .customShort("c"), help: "Create a new password file, overwriting an existing one.")
    var create = false

    @Flag(name: .customShort("D"), help: "Delete the user instead of setting its password.")
    var delete = false

    @Flag(name: .customShort("b"), help: "Batch mode: take the password from the command line.")
    var batch = false

    @Option(help: "PBKDF2 iterations for the new hash.")
    var iterations: Int = PasswordHash.defaultIterations

    @Argument(help: "The password file.")
    var file: String

    @Argument(help: "The username.")
    var username: String

    @Argument(help: "The password (only with -b).")
    var password: String?

    func validate() throws {
        if create && delete { throw ValidationError("-c and -D cannot be used together.") }
        if delete && (batch || password != nil) { throw ValidationError("-D takes no password.") }
        if batch && password == nil { throw ValidationError("-b needs a password argument.") }
        if !batch && password != nil { throw ValidationError("A password on the command line needs -b.") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1.") }
        if !PasswordFile.isValidUsername(username) {
            throw ValidationError("Invalid username \"\(username)\": it must be non-empty and contain no ':'.")
        }
    }

    func run() throws {
        var passwords = create ? PasswordFile() : try PasswordFile.load(path: file)
        if delete {
            guard passwords.removeUser(username) else {
                throw PasswdError("User \(username) not found in password file.")
            }
        } else {
            let secret = try password ?? Self.promptPassword()
            try passwords.setHash(PasswordHash.generate(password: secret, iterations: iterations), for: username)
        }
        try passwords.write(to: file)
    }

    /// Asks twice with echo off, as mosquitto_passwd does.
    private static func promptPassword() throws -> String {
        guard let first = getpass("Password: ").map({ String(cString: $0) }) else {
            throw PasswdError("Could not read a password from the terminal.")
        }
        guard let second = getpass("Reenter password: ").map({ String(cString: $0) }) else {
            throw PasswdError("Could not read a password from the terminal.")
        }
        guard first == second else { throw PasswdError("Passwords do not match.") }
        return first
    }
}

struct PasswdError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
