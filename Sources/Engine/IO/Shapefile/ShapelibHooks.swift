internal import CShapelib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// shapelib's I/O hooks: stderr messages switched off (GeoVote reports each
/// failure itself, naming the file and the record), and files held in memory.
///
/// shapelib seeks before every record, so through stdio each record costs
/// an `lseek` and a `read`/`write` system call (2.5 million of them to copy
/// 500,000 points). These hooks read a file whole when it is opened and
/// write it whole when it is closed; shapelib sees the same byte stream.
enum ShapelibHooks {
    static var quiet: SAHooks {
        var hooks = SAHooks()
        SASetupDefaultHooks(&hooks)
        hooks.Error = { _ in }
        return hooks
    }

    static var inMemory: SAHooks {
        var hooks = quiet
        hooks.FOpen = { name, access in
            guard let name, let access else { return nil }
            return MemoryFile.open(path: String(cString: name), access: String(cString: access))
        }
        hooks.FRead = { p, size, count, file in
            guard let p, let file else { return 0 }
            return MemoryFile.from(file).read(into: p, size: Int(size), count: Int(count))
        }
        hooks.FWrite = { p, size, count, file in
            guard let p, let file else { return 0 }
            return MemoryFile.from(file).write(from: p, size: Int(size), count: Int(count))
        }
        hooks.FSeek = { file, offset, whence in
            guard let file else { return SAOffset(bitPattern: -1) }
            return MemoryFile.from(file).seek(Int(bitPattern: UInt(offset)), whence: whence)
        }
        hooks.FTell = { file in
            guard let file else { return 0 }
            return SAOffset(MemoryFile.from(file).position)
        }
        hooks.FFlush = { file in
            guard let file else { return -1 }
            return MemoryFile.from(file).flush() ? 0 : -1
        }
        hooks.FClose = { file in
            guard let file else { return -1 }
            let f = Unmanaged<MemoryFile>.fromOpaque(UnsafeRawPointer(file)).takeRetainedValue()
            return f.flush() ? 0 : -1
        }
        return hooks
    }
}

/// One open file: its bytes, a position, and whether it must be written back.
final class MemoryFile {
    let path: String
    var bytes: [UInt8]
    var position = 0
    let writable: Bool
    var dirty: Bool

    init(path: String, bytes: [UInt8], writable: Bool, dirty: Bool) {
        self.path = path
        self.bytes = bytes
        self.writable = writable
        self.dirty = dirty
    }

    static func from(_ file: SAFile) -> MemoryFile {
        Unmanaged<MemoryFile>.fromOpaque(UnsafeRawPointer(file)).takeUnretainedValue()
    }

    /// fopen's modes: "rb" reads, "r+b"/"rb+" reads and writes, "wb"/"w+b"
    /// starts empty. Returns nil (as fopen) when a file to read is absent.
    static func open(path: String, access: String) -> SAFile? {
        let writable = access.contains("w") || access.contains("+") || access.contains("a")
        var bytes: [UInt8] = []
        if access.contains("w") {
            // Like fopen: the file must be creatable now.
            guard let f = fopen(path, "wb") else { return nil }
            fclose(f)
        } else {
            guard let f = fopen(path, "rb") else { return nil }
            defer { fclose(f) }
            fseek(f, 0, SEEK_END)
            let size = ftell(f)
            fseek(f, 0, SEEK_SET)
            guard size >= 0 else { return nil }
            bytes = [UInt8](repeating: 0, count: size)
            let got = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, f) }
            guard got == size else { return nil }
        }
        let file = MemoryFile(path: path, bytes: bytes, writable: writable, dirty: access.contains("w"))
        return UnsafeMutablePointer<Int32>(OpaquePointer(Unmanaged.passRetained(file).toOpaque()))
    }

    func read(into p: UnsafeMutableRawPointer, size: Int, count: Int) -> SAOffset {
        guard size > 0 else { return 0 }
        // As fread: a short read still delivers its bytes; the count is of whole items.
        let n = min(size * count, max(0, bytes.count - position))
        if n > 0 {
            bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
        }
        return SAOffset(n / size)
    }

    func write(from p: UnsafeMutableRawPointer, size: Int, count: Int) -> SAOffset {
        guard writable, size > 0 else { return 0 }
        let n = size * count
        let end = position + n
        if end > bytes.count { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
        bytes.withUnsafeMutableBytes { ($0.baseAddress! + position).copyMemory(from: p, byteCount: n) }
        position = end
        dirty = true
        return SAOffset(count)
    }

    func seek(_ offset: Int, whence: Int32) -> SAOffset {
        let base: Int
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = bytes.count
        default: return SAOffset(bitPattern: -1)
        }
        guard base + offset >= 0 else { return SAOffset(bitPattern: -1) }
        position = base + offset
        return 0
    }

    /// Writes the bytes back when they changed; false when that fails
    /// (and the path is recorded: shapelib ignores what its close returns).
    func flush() -> Bool {
        guard dirty else { return true }
        var ok = false
        if let f = fopen(path, "wb") {
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            ok = (fclose(f) == 0) && written == bytes.count
        }
        if ok { dirty = false } else { MemoryFile.recordFailure(path) }
        return ok
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var failures = Set<String>()

    static func recordFailure(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        failures.insert(path)
    }

    /// True (once) when writing `path` back failed since the last call.
    static func takeFailure(_ path: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return failures.remove(path) != nil
    }
}
