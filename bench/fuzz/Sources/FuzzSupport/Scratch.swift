import Foundation
import GeoVoteEngine

/// A per-process scratch folder (in /dev/shm when there is one) that a fuzz
/// input is written into, as files the readers open by path.
public enum Scratch {
    public static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/geovote-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// The repository's Fixtures folder.
    public static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }  // Scratch.swift, FuzzSupport, Sources, fuzz, bench
        return url.appendingPathComponent("Fixtures").path
    }()

    /// Copies a fixture file into the scratch folder once, as `name`.
    public static func fixture(_ relative: String, as name: String) {
        let target = folder + "/" + name
        if !FileManager.default.fileExists(atPath: target) { try? FileManager.default.copyItem(atPath: fixtures + "/" + relative, toPath: target) }
    }

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    public static func file(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes))
        return path
    }

    /// Splits one input into `parts` pieces: the first 2·(parts−1) bytes give
    /// the lengths of all but the last piece (little-endian UInt16).
    public static func split(_ data: UnsafeBufferPointer<UInt8>, parts: Int) -> [UnsafeBufferPointer<UInt8>] {
        let header = 2 * (parts - 1)
        guard data.count >= header else { return Array(repeating: UnsafeBufferPointer(start: data.baseAddress, count: 0), count: parts) }
        var pieces: [UnsafeBufferPointer<UInt8>] = []
        var at = header
        for k in 0..<parts {
            let length = k == parts - 1 ? data.count - at : min(data.count - at, Int(data[2 * k]) | Int(data[2 * k + 1]) << 8)
            pieces.append(UnsafeBufferPointer(rebasing: data[at..<(at + length)]))
            at += length
        }
        return pieces
    }

    /// Runs `body`; a GeoVoteError is the expected answer to bad input.
    /// Anything else thrown is a defect: it traps, so libFuzzer reports it.
    public static func expectingOnlyGeoVoteErrors(_ body: () throws -> Void) {
        do { try body() } catch is GeoVoteError { } catch { fatalError("not a GeoVoteError: \(error)") }
    }
}
