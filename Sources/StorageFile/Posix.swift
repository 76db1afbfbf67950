@_spi(StorageBackend) import OnlineSafetyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX calls the store needs, with errors that name only paths and system reasons.
enum Posix {
    /// The system's description of an `errno` value.
    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Opens a file descriptor, retrying on `EINTR`.
    static func open(_ path: String, flags: Int32) throws(SafetyError) -> Int32 {
        while true {
            let fd = path.withCString { systemOpen($0, flags | O_CLOEXEC, 0o600) }
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            throw SafetyError(.unavailable, "cannot open \(path): \(reason(code))")
        }
    }

    /// Flags for reading and writing, creating the file if missing.
    static let readWriteCreate = O_RDWR | O_CREAT
    /// Flags for appending, creating the file if missing.
    static let appendCreate = O_WRONLY | O_APPEND | O_CREAT
    /// Flags for writing a new file from empty.
    static let writeTruncate = O_WRONLY | O_CREAT | O_TRUNC
    /// Flags for reading.
    static let readOnly = O_RDONLY
    /// Flags for writing a file that must not exist yet (`EEXIST` otherwise).
    static let createNew = O_WRONLY | O_CREAT | O_EXCL

    /// Whether something exists at a path.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// Writes a new file holding `bytes` and flushes it, never replacing an existing file: if
    /// `<name>.<ext>` exists, `<name>-2.<ext>`, `<name>-3.<ext>`... is tried. Returns the file's name.
    static func writeNewFile(in directory: String, name: String, ext: String, _ bytes: [UInt8]) throws(SafetyError) -> String {
        for attempt in 1...1000 {
            let file = attempt == 1 ? "\(name).\(ext)" : "\(name)-\(attempt).\(ext)"
            let path = directory + "/" + file
            let fd = path.withCString { systemOpen($0, createNew | O_CLOEXEC, 0o600) }
            if fd < 0 {
                let code = errno
                if code == EEXIST || code == EINTR { continue }
                throw SafetyError(.unavailable, "cannot create \(path): \(reason(code))")
            }
            defer { closeDescriptor(fd) }
            try writeAll(fd, bytes, path: path)
            try sync(fd, path: path)
            return file
        }
        throw SafetyError(.unavailable, "cannot create a new file named \(name) in \(directory): too many exist")
    }

    /// Creates a directory (readable only by its owner) if it is missing, and flushes its parent.
    static func makeDirectory(_ path: String, parent: String) throws(SafetyError) {
        if mkdir(path, 0o700) != 0 {
            let code = errno
            guard code == EEXIST else { throw SafetyError(.unavailable, "cannot create \(path): \(reason(code))") }
            return
        }
        try syncDirectory(parent)
    }

    /// Takes an exclusive, non-blocking `flock`; returns 0 or the `errno` of the failure.
    static func lockExclusively(_ fd: Int32) -> Int32 {
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return 0 }
            let code = errno
            if code != EINTR { return code }
        }
    }

    /// Whether an `errno` from `flock` means another open file description holds the lock.
    static func isLockHeld(_ code: Int32) -> Bool { code == EWOULDBLOCK || code == EAGAIN }

    /// What a look at a lock file found.
    enum LockProbe: Equatable {
        /// Someone holds the lock.
        case held
        /// No one holds it (the probe took it and let it go at once).
        case free
        /// The lock file is missing or cannot be opened or locked.
        case unusable
    }

    /// Looks whether an existing lock file is locked, without waiting and without creating it:
    /// opens it for reading, tries a non-blocking exclusive `flock`, and releases it at once.
    static func probeLock(_ path: String) -> LockProbe {
        let fd = path.withCString { systemOpen($0, readOnly | O_CLOEXEC, 0) }
        guard fd >= 0 else { return .unusable }
        defer { closeDescriptor(fd) }
        let code = lockExclusively(fd)
        if code == 0 { return .free }
        return isLockHeld(code) ? .held : .unusable
    }

    /// Writes every byte, retrying on short writes and `EINTR`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SafetyError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                systemWrite(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw SafetyError(.unavailable, "cannot write \(path): \(reason(code))")
            }
            written += result
        }
    }

    /// Opens a new file for reading and writing that must not exist yet; `nil` if it does.
    static func createExclusive(_ path: String) throws(SafetyError) -> Int32? {
        while true {
            let fd = path.withCString { systemOpen($0, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            if code == EEXIST { return nil }
            throw SafetyError(.unavailable, "cannot create \(path): \(reason(code))")
        }
    }

    /// Removes a file's name, ignoring errors (an open descriptor keeps the file until closed).
    static func unlink(_ path: String) {
        _ = path.withCString { systemUnlink($0) }
    }

    /// Reads exactly `count` bytes at `offset` into the start of `buffer`, retrying on short
    /// reads and `EINTR`.
    static func readAll(_ fd: Int32, into buffer: inout [UInt8], count: Int, at offset: Int, path: String) throws(SafetyError) {
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                systemPread(fd, raw.baseAddress! + done, count - done, offset + done)
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw SafetyError(.unavailable, "cannot read \(path): \(reason(code))")
            }
            if result == 0 { throw SafetyError(.unavailable, "cannot read \(path): it ended early") }
            done += result
        }
    }

    /// Flushes a file (or directory) to stable storage.
    static func sync(_ fd: Int32, path: String) throws(SafetyError) {
        #if canImport(Darwin)
            if fcntl(fd, F_FULLFSYNC) == 0 { return }
        #endif
        while fsync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw SafetyError(.unavailable, "cannot flush \(path) to disk: \(reason(code))")
        }
    }

    /// Cuts a file to a length.
    static func truncate(_ fd: Int32, to length: Int, path: String) throws(SafetyError) {
        while ftruncate(fd, off_t(length)) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw SafetyError(.unavailable, "cannot truncate \(path): \(reason(code))")
        }
    }

    /// Flushes a directory's entries (new or renamed files) to stable storage.
    static func syncDirectory(_ path: String) throws(SafetyError) {
        let fd = try open(path, flags: readOnly)
        defer { closeDescriptor(fd) }
        try sync(fd, path: path)
    }

    /// Renames a file, replacing any file at the destination.
    static func move(_ source: String, to destination: String) throws(SafetyError) {
        if systemRename(source, destination) != 0 {
            throw SafetyError(.unavailable, "cannot rename \(source) to \(destination): \(reason(errno))")
        }
    }

    /// Closes a descriptor, ignoring errors (nothing is buffered above it).
    static func closeDescriptor(_ fd: Int32) {
        _ = systemClose(fd)
    }
}

// Module-qualified wrappers: inside `Posix`, its own `open` would shadow the C function.
#if canImport(Glibc)
    private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
    private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, bytes, count) }
    private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
    private func systemRename(_ source: String, _ destination: String) -> Int32 { Glibc.rename(source, destination) }
    private func systemUnlink(_ path: UnsafePointer<CChar>) -> Int32 { Glibc.unlink(path) }
    private func systemPread(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
        Glibc.pread(fd, bytes, count, off_t(offset))
    }
#elseif canImport(Musl)
    private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Musl.open(path, flags, mode) }
    private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { Musl.write(fd, bytes, count) }
    private func systemClose(_ fd: Int32) -> Int32 { Musl.close(fd) }
    private func systemRename(_ source: String, _ destination: String) -> Int32 { Musl.rename(source, destination) }
    private func systemUnlink(_ path: UnsafePointer<CChar>) -> Int32 { Musl.unlink(path) }
    private func systemPread(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
        Musl.pread(fd, bytes, count, off_t(offset))
    }
#elseif canImport(Darwin)
    private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
    private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, bytes, count) }
    private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
    private func systemRename(_ source: String, _ destination: String) -> Int32 { Darwin.rename(source, destination) }
    private func systemUnlink(_ path: UnsafePointer<CChar>) -> Int32 { Darwin.unlink(path) }
    private func systemPread(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
        Darwin.pread(fd, bytes, count, off_t(offset))
    }
#endif
