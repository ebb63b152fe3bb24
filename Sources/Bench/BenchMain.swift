import ArgumentParser
import GeoVoteEngine
import Foundation

/// geovote-bench: every kernel measured the same way.
///
/// Protocol: inputs are made (and cached) before timing and read once so they
/// are in the page cache; one warm-up run; then `--repeat` timed runs whose
/// median, min and max wall time are printed with throughput and the peak
/// resident memory of the process. `all` runs every workload in a fresh
/// process (this program again), so that each peak is its own. One JSON line
/// per measurement on stdout, a readable line on stderr.
@main
struct BenchMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geovote-bench",
        abstract: "Time GeoVote's kernels on synthetic data.")

    @Argument(help: "Workload name, or 'all'. See --list.")
    var workload: String?

    @Flag(name: .long, help: "List the workloads.")
    var list = false

    @Option(name: .long, help: "Problem size (features or points).")
    var size = 50_000

    @Option(name: .long, help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(name: .long, help: "Timed runs after one warm-up.")
    var `repeat` = 5

    @Option(name: .long, help: "Folder for cached inputs.")
    var cache = NSTemporaryDirectory() + "geovote-bench-cache"

    func run() throws {
        if list || workload == nil {
            for w in Workloads.all { print("\(w.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(w.summary)") }
            return
        }
        if let threads { Parallel.setDefaultWorkerCount(threads) }
        if workload == "all" {
            // A fresh process per workload: its own peak memory, no warm caches from the others.
            var failed: [String] = []
            for w in Workloads.all where w.name != "geos-convert" {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : "/proc/self/exe")
                p.arguments = [w.name, "--size", "\(size)", "--repeat", "\(self.repeat)", "--cache", cache] + (threads.map { ["--threads", "\($0)"] } ?? [])
                try p.run()
                p.waitUntilExit()
                if p.terminationStatus != 0 { failed.append(w.name) }
            }
            if !failed.isEmpty { throw ValidationError("failed: \(failed.joined(separator: ", "))") }
            return
        }
        let selected = Workloads.all.filter { $0.name == workload }
        guard !selected.isEmpty else { throw ValidationError("unknown workload '\(workload!)'; see --list") }
        for w in selected {
            let context = WorkloadContext(size: size, cacheDirectory: cache)
            let run = try w.prepare(context)
            try run()  // warm-up
            var times: [Double] = []
            for _ in 0..<max(1, self.repeat) {
                let start = DispatchTime.now().uptimeNanoseconds
                try run()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let m = Measurement(workload: w.name, size: size, threads: Parallel.defaultWorkerCount, times: times, items: w.items(size))
            print(m.json)
            FileHandle.standardError.write(Data((m.table + "\n").utf8))
        }
    }
}

struct Measurement {
    let workload: String
    let size: Int
    let threads: Int
    let times: [Double]
    let items: Int

    var median: Double {
        let s = times.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    var peakRSSBytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    static let revision: String = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = Pipe()
        guard (try? p.run()) != nil else { return "unknown" }
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static let machine: String = {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }()

    var json: String {
        let fields: [(String, String)] = [
            ("workload", "\"\(workload)\""), ("size", "\(size)"), ("threads", "\(threads)"),
            ("median_s", "\(median)"), ("min_s", "\(times.min()!)"), ("max_s", "\(times.max()!)"),
            ("throughput_per_s", "\(Double(items) / median)"), ("peak_rss_bytes", "\(peakRSSBytes)"),
            ("revision", "\"\(Self.revision)\""), ("machine", "\"\(Self.machine)\""),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    var table: String {
        workload.padding(toLength: 18, withPad: " ", startingAt: 0) +
        String(format: " n=%-9d threads=%d  median %.4f s  min %.4f  max %.4f  %.3g items/s  peak %.0f MiB",
               size, threads, median, times.min()!, times.max()!,
               Double(items) / median, Double(peakRSSBytes) / 1_048_576)
    }
}
