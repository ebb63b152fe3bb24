import Foundation
import Synchronization

/// Writes files whole or not at all: the bytes go to a hidden temporary
/// file beside the target, which is renamed over it only once complete
/// (rename(2) is atomic within a folder). On failure the temporary file is
/// removed and the target is left as it was.
public enum AtomicFile {
    /// The folder part of a path ("" for a bare name), without Foundation's
    /// `deletingLastPathComponent` (it traps on one-character names in Swift 6.3.1).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path.
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A temporary path beside `path`: `.NAME.geovote-tmp-UUID`.
    public static func temporaryPath(beside path: String) -> String {
        let folder = folder(of: path)
        let tmp = ".\(name(of: path)).geovote-tmp-\(UUID().uuidString.prefix(8))"
        return folder.isEmpty ? tmp : (folder == "/" ? "/" + tmp : folder + "/" + tmp)
    }

    /// Writes `data` to `path` atomically.
    /// - Throws: `GeoVoteError.io` naming the path when the folder is missing
    ///   or not writable, or the disk is full.
    public static func write(_ data: Data, to path: String) throws {
        let tmp = temporaryPath(beside: path)
        track(tmp)
        defer { untrack(tmp) }
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            let folder = folder(of: path)
            var isDirectory: ObjCBool = false
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw GeoVoteError.io(path: path, reason: "cannot be written: the folder \(folder) does not exist")
            }
            throw GeoVoteError.io(path: path, reason: "cannot be written (folder not writable, or disk full)")
        }
        try commit(tmp, to: path)
    }

    /// Temporary files being written now, for ``removeTemporaryFiles()``.
    private static let inFlight = Mutex<Set<String>>([])

    /// Registers a temporary file that is being written (removed by
    /// ``removeTemporaryFiles()`` if the process is stopped before it is
    /// renamed into place).
    public static func track(_ tmp: String) { inFlight.withLock { _ = $0.insert(tmp) } }

    /// The temporary file was renamed or removed.
    public static func untrack(_ tmp: String) { inFlight.withLock { _ = $0.remove(tmp) } }

    /// Removes every temporary file still being written: what a program
    /// calls when it is interrupted (the CLI does on SIGINT and SIGTERM), so
    /// no hidden partial file is left beside the targets.
    public static func removeTemporaryFiles() {
        removeTemporaryFiles { _ in true }
    }

    /// Removes the temporary files being written that `selected` picks (a
    /// test removes its own without touching other writers' files).
    public static func removeTemporaryFiles(where selected: (String) -> Bool) {
        for tmp in inFlight.withLock({ $0 }) where selected(tmp) { unlink(tmp) }
    }

    /// Renames a finished temporary file over `path`; removes it on failure.
    public static func commit(_ tmp: String, to path: String) throws {
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw GeoVoteError.io(path: path, reason: "cannot be written: \(reason)")
        }
    }

    /// Refuses, before any work, an output whose folder is missing or not writable.
    public static func checkWritable(_ path: String) throws {
        let folder = folder(of: path)
        guard canWrite(into: folder) else {
            throw GeoVoteError.io(path: path, reason: "cannot be written: the folder \(folder.isEmpty ? "." : folder) does not exist or is not writable")
        }
    }

    /// Whether a folder exists and this process may create files in it.
    public static func canWrite(into folder: String) -> Bool {
        let dir = folder.isEmpty ? "." : folder
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && isDirectory.boolValue
            && access(dir, W_OK) == 0
    }
}
