import GeoVoteEngine
import Testing

@Suite struct ParallelTests {
    @Test func chunksDependOnCountAndGrainOnly() {
        #expect(Parallel.chunks(count: 10, grain: 4) == [0..<4, 4..<8, 8..<10])
        #expect(Parallel.chunks(count: 0, grain: 4).isEmpty)
    }

    @Test(arguments: [1, 2, 3, 8])
    func mapVisitsEveryIndexOnceInOrder(workers: Int) {
        let values = Parallel.map(count: 10_001, grain: 97, workers: workers) { $0 * 3 }
        #expect(values == (0..<10_001).map { $0 * 3 })
    }

    @Test func chunkOrderedReductionIsIdenticalForAnyWorkerCount() {
        // A sum that depends on the order of additions: per-chunk partials
        // combined in chunk order give the same bits on 1 or 8 workers.
        let n = 100_000
        func sum(workers: Int) -> Double {
            let grain = 1000
            let partials = PerChunk<Double>(count: (n + grain - 1) / grain)
            Parallel.forEachChunk(count: n, grain: grain, workers: workers) { _, chunk, range in
                var s = 0.0
                for i in range { s += 1.0 / Double(i + 1).squareRoot() }
                partials[chunk] = s
            }
            return partials.inOrder.reduce(0, +)
        }
        let one = sum(workers: 1)
        #expect(sum(workers: 2).bitPattern == one.bitPattern)
        #expect(sum(workers: 8).bitPattern == one.bitPattern)
    }
}
