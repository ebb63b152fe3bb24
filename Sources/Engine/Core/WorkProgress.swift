import Synchronization

/// A thread-safe count of work done, reported to a callback: the CLI's
/// progress bar. Workers call `advance(by:)` as chunks finish; `report`
/// sees (done, total) and decides itself how often to draw.
public final class WorkProgress: Sendable {
    public let total: Int
    private let done = Atomic<Int>(0)
    private let report: @Sendable (Int, Int) -> Void

    public init(total: Int, report: @escaping @Sendable (Int, Int) -> Void) {
        self.total = total
        self.report = report
    }

    public func advance(by count: Int) {
        let now = done.add(count, ordering: .relaxed).newValue
        report(now, total)
    }
}
