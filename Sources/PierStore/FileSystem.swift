#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory and whole-file operations, on Glibc directly (no Foundation in this module).
enum FileSystem {
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p`.
    static func createDirectory(_ path: String) throws(StoreError) {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if !isDirectory(prefix) && mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .io(operation: "mkdir", path: prefix, errno: errno)
            }
            prefix += "/"
        }
    }

    static func list(_ directory: String) throws(StoreError) -> [String] {
        guard let dir = opendir(directory) else { throw .io(operation: "opendir", path: directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(StoreError) {
        guard systemRename(from, to) == 0 else { throw .io(operation: "rename", path: from, errno: errno) }
    }

    /// Makes creations, renames and unlinks in `directory` durable.
    static func syncDirectory(_ directory: String) throws(StoreError) {
        let dir = try StoreFile(path: directory, flags: O_RDONLY | O_DIRECTORY)
        guard fsync(dir.fd) == 0 else { throw .io(operation: "fsync", path: directory, errno: errno) }
    }

    /// Temp file, fsync, rename over `name`, fsync the directory: after a crash the file is
    /// either the old version or the new one, never a mix.
    static func writeAtomically(_ bytes: [UInt8], directory: String, name: String) throws(StoreError) {
        let final = join(directory, name)
        let temp = final + ".tmp"
        do {
            let file = try StoreFile(path: temp, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        try rename(temp, final)
        try syncDirectory(directory)
    }

    static func readFile(_ path: String) throws(StoreError) -> [UInt8] {
        try StoreFile.openForReading(path).readAll()
    }
}
