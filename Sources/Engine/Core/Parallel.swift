import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic data-parallel loops over `0..<n`.
///
/// Chunk boundaries depend on `n` and the grain only, never on the number of
/// threads, so a reduction that combines per-chunk partials in chunk order
/// gives bit-identical results on any machine. Workers take chunks in a fixed
/// stride (`worker, worker + workers, …`), so a worker-local resource (a GEOS
/// or PROJ context) is touched by exactly one thread.
public enum Parallel {
    /// Number of workers used when the caller does not say: every core.
    public static var defaultWorkerCount: Int {
        if let override = workerOverride { return override }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    nonisolated(unsafe) private static var workerOverride: Int?

    /// Sets the worker count for the whole process (the CLI's `--threads`).
    /// Call before any parallel work starts; `nil` restores every core.
    public static func setDefaultWorkerCount(_ count: Int?) {
        precondition(count == nil || count! >= 1, "worker count must be at least 1")
        workerOverride = count
    }

    /// The chunk ranges of `0..<n` for a given grain: `[0, g), [g, 2g), …`.
    @inlinable
    public static func chunks(count n: Int, grain: Int) -> [Range<Int>] {
        precondition(grain > 0)
        var result: [Range<Int>] = []
        result.reserveCapacity((n + grain - 1) / grain)
        var start = 0
        while start < n {
            let end = min(n, start + grain)
            result.append(start..<end)
            start = end
        }
        return result
    }

    /// Runs `body(worker, chunkIndex, range)` for every chunk of `0..<n`.
    ///
    /// - Parameters:
    ///   - n: number of items.
    ///   - grain: items per chunk (fixed; never derived from the core count).
    ///   - workers: number of concurrent workers; `body` sees `worker` in
    ///     `0..<workers` and each worker runs on one thread at a time.
    ///   - body: the work of one chunk: the worker, the chunk's index, its range.
    /// - Complexity: O(n / grain) scheduling overhead.
    public static func forEachChunk(
        count n: Int,
        grain: Int,
        workers: Int = Parallel.defaultWorkerCount,
        _ body: @Sendable (_ worker: Int, _ chunk: Int, _ range: Range<Int>) -> Void
    ) {
        let chunkCount = (n + grain - 1) / grain
        guard chunkCount > 0 else { return }
        let used = max(1, min(workers, chunkCount))
        if used == 1 {
            for chunk in 0..<chunkCount {
                body(0, chunk, (chunk * grain)..<min(n, (chunk + 1) * grain))
            }
            return
        }
        // A mutex passed hand to hand around the region: the caller's writes
        // before it happen before every worker's reads, and every worker's
        // writes before the caller's reads after it, in terms that
        // ThreadSanitizer sees (pthread mutexes; it does not always see
        // libdispatch's own hand-off on Linux, and reported such a race once).
        let handoff = NSLock()
        handoff.lock()
        handoff.unlock()
        DispatchQueue.concurrentPerform(iterations: used) { worker in
            handoff.lock()
            handoff.unlock()
            var chunk = worker
            while chunk < chunkCount {
                body(worker, chunk, (chunk * grain)..<min(n, (chunk + 1) * grain))
                chunk += used
            }
            handoff.lock()
            handoff.unlock()
        }
        handoff.lock()
        handoff.unlock()
    }

    /// The number of workers `forEachChunk` will actually use.
    public static func workersUsed(count n: Int, grain: Int, workers: Int = Parallel.defaultWorkerCount) -> Int {
        let chunkCount = (n + grain - 1) / grain
        return max(1, min(workers, chunkCount))
    }

    /// Maps every index of `0..<n` to a value, in parallel, into a new array.
    public static func map<T>(
        count n: Int,
        grain: Int = 1024,
        workers: Int = Parallel.defaultWorkerCount,
        _ transform: @Sendable (Int) -> T
    ) -> [T] {
        guard n > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            let out = UnsafeSendableBuffer(buffer)
            forEachChunk(count: n, grain: grain, workers: workers) { _, _, range in
                for i in range { (out.base + i).initialize(to: transform(i)) }
            }
            initialized = n
        }
    }
}

/// A mutable buffer that parallel chunks write through, each into its own
/// disjoint slice. The caller guarantees disjointness; that is why this is
/// `@unchecked Sendable`.
package struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int

    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        self.base = buffer.baseAddress ?? UnsafeMutablePointer<Element>.allocate(capacity: 0)
        self.count = buffer.count
    }

    @inlinable
    public subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// One value per worker (a GEOS or PROJ context), created before a parallel
/// region on the calling thread and handed to exactly one worker each.
/// `@unchecked Sendable` because `Parallel.forEachChunk` gives each worker
/// index to a single thread at a time.
package final class PerWorker<Value>: @unchecked Sendable {
    private var values: [Value]

    public init(count: Int, _ make: (Int) throws -> Value) rethrows {
        values = []
        values.reserveCapacity(count)
        for i in 0..<count { values.append(try make(i)) }
    }

    public subscript(worker: Int) -> Value { values[worker] }
}

/// A per-chunk slot for results or errors of parallel work, read after the
/// region ends, in chunk order.
package final class PerChunk<Value>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Value?>
    public let count: Int

    public init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    /// Each chunk writes only its own slot.
    public subscript(chunk: Int) -> Value? {
        get { storage[chunk] }
        set { storage[chunk] = newValue }
    }

    /// The stored values in chunk order, skipping empty slots.
    public var inOrder: [Value] { (0..<count).compactMap { storage[$0] } }
}
