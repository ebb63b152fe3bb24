import Foundation

/// Test support shared by the test targets (never part of a product).
///
/// Paths to the committed fixtures and a scratch folder per test.
public enum Fixtures {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Fixtures.swift, Support, Tests
        return url.appendingPathComponent("Fixtures").path
    }()

    /// The libpysal example sets the reference checks use, with their variable.
    public static let referenceSets = [("columbus", "CRIME"), ("NY8", "PROPCAS")]

    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// A new, empty temporary folder.
    public static func scratch(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let dir = NSTemporaryDirectory() + "geovote-tests/\(safe)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Reads a CSV with a header into dictionaries (reference files: no quoting).
    public static func csv(_ relative: String) throws -> [[String: String]] {
        try csv(atPath: path(relative))
    }

    /// The same for any file (e.g. a CSV a test had geovote write).
    public static func csv(atPath file: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }
}

/// Runs a command-line tool and returns its standard output and exit status.
public func runTool(_ executable: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
    let run = try runToolCapturing(executable, arguments)
    return (run.output, run.status)
}

/// What a tool printed on stdout and stderr, and its exit status.
public struct ToolRun: Sendable {
    public let output: String
    public let error: String
    public let status: Int32
}

/// Runs a command-line tool and returns both its streams and its status.
public func runToolCapturing(_ executable: String, _ arguments: [String]) throws -> ToolRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // stderr drained on its own thread, so that neither pipe fills up and blocks the tool.
    nonisolated(unsafe) var errData = Data()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.waitUntilExit()
    return ToolRun(output: String(decoding: outData, as: UTF8.self), error: String(decoding: errData, as: UTF8.self),
                   status: process.terminationStatus)
}
