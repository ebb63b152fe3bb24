import CGeoVoteABI
import Foundation
import GeoVoteC
import GeoVoteEngine

/// The C interface's workloads: the same analysis through `gv_hotspots`
/// as through the Swift API (what a binding pays), and the interface called
/// from several threads at once (make sanitize runs it under ThreadSanitizer).
enum ABIWorkloads {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Fails with the thread's last error unless `status` is GV_OK.
    static func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw Failure(description: "\(what): status \(status): \(String(cString: gvLastError()))") }
    }

    /// Reads every batch of a stream and releases it; returns the rows.
    static func drain(_ stream: inout ArrowArrayStream) throws -> Int {
        defer { stream.release?(&stream) }
        var schema = ArrowSchema()
        guard stream.get_schema(&stream, &schema) == 0 else { throw Failure(description: "get_schema failed") }
        schema.release?(&schema)
        var rows = 0
        while true {
            var array = ArrowArray()
            guard stream.get_next(&stream, &array) == 0 else { throw Failure(description: "get_next failed") }
            guard array.release != nil else { return rows }
            rows += Int(array.length)
            array.release?(&array)
        }
    }

    static func layer(_ path: String) throws -> OpaquePointer {
        var handle: OpaquePointer?
        try check(gvLayerRead(path, nil, &handle), "gv_layer_read")
        return handle!
    }

    static let giStar999 = #"{"share": "PJD/valid", "statistic": "gistar", "permutations": 999, "seed": 1}"#

    static let all: [Workload] = [
        Workload(name: "job-gistar-999", summary: "Gi* of the PJD share with 999 permutations through the Swift API (HotSpotJob.analyse: the CSV's table, weights built before): what abi-gistar-999 is measured against", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            let job = try HotSpotBatch.job(analysing: path, json: giStar999)
            let weights = try HotSpotAnalysis.weights(for: table, file: path, options: job.options)
            return { _ = try job.analyse(table, weights: weights) }
        },
        Workload(name: "abi-gistar-999", summary: "the same through the C interface: gv_hotspots on a layer handle with prebuilt weights, the results as an Arrow stream read to the end", items: { $0 }) { context in
            let layer = try layer(try context.communesShapefile())
            var weights: OpaquePointer?
            try check(gvWeightsBuild(layer, "queen", nil, &weights), "gv_weights_build")
            return {
                var stream = ArrowArrayStream()
                try check(gvHotspots(layer, weights, giStar999, 0, 0, &stream), "gv_hotspots")
                _ = try drain(&stream)
            }
        },
        Workload(name: "abi-threads", summary: "the C interface from 4 threads at once: each reads its layer, builds weights, runs Gi* (99 permutations), round-trips the layer through Arrow and hits the error paths", items: { $0 * 4 }) { context in
            let path = try context.communesShapefile()
            nonisolated(unsafe) let shared = try layer(path)
            return {
                let failures = PerChunk<String>(count: 4)
                DispatchQueue.concurrentPerform(iterations: 4) { k in
                    do {
                        let own = try layer(path)
                        defer { gvLayerFree(own) }
                        var weights: OpaquePointer?
                        try check(gvWeightsBuild(k % 2 == 0 ? own : shared, "queen", nil, &weights), "gv_weights_build")
                        defer { gvWeightsFree(weights) }
                        var stream = ArrowArrayStream()
                        try check(gvHotspots(shared, weights, #"{"share": "PJD/valid", "permutations": 99, "seed": 1}"#, 1, 1, &stream), "gv_hotspots")
                        guard try drain(&stream) == context.size else { throw Failure(description: "rows") }
                        var out = ArrowArrayStream()
                        try check(gvLayerToArrow(own, &out), "gv_layer_to_arrow")
                        var copy: OpaquePointer?
                        try check(gvLayerFromArrow(&out, nil, nil, "copy", &copy), "gv_layer_from_arrow")
                        gvLayerFree(copy)
                        var n: Int64 = 0
                        guard gvLayerCount(copy, &n) == 4, String(cString: gvLastError()).contains("not live") else { throw Failure(description: "a freed handle was taken") }
                        guard gvHotspots(shared, nil, #"{"share": "NOPE/valid"}"#, 1, 0, &stream) == 2 else { throw Failure(description: "a missing field was taken") }
                    } catch {
                        failures[k] = "thread \(k): \(error)"
                    }
                }
                if let first = failures.inOrder.first { throw Failure(description: first) }
            }
        },
    ]
}
