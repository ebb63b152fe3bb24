import CGeoVoteABI
import Foundation
import GeoVoteEngine

// The functions of include/geovote.h. Each one is a thin wrapper over the
// engine's public API: arguments checked, the call made inside `guarded`,
// whose status and thread-local message are what C sees.

/// The ABI number bindings check (GV_ABI_VERSION in geovote.h).
let abiVersion: Int32 = 1

nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar> = strdup(GeoVoteVersion.string)

@_cdecl("gv_version")
public func gvVersion() -> UnsafePointer<CChar> { UnsafePointer(versionText) }

@_cdecl("gv_abi_version")
public func gvABIVersion() -> Int32 { abiVersion }

@_cdecl("gv_check_abi")
public func gvCheckABI(_ expected: Int32) -> Int32 {
    guarded {
        guard expected == abiVersion else {
            throw InterfaceError(status: .argument, description: "the binding was made for GeoVote's C ABI \(expected), this library (\(GeoVoteVersion.number)) has ABI \(abiVersion): use the binding of this library")
        }
        return []
    }
}

@_cdecl("gv_last_error")
public func gvLastError() -> UnsafePointer<CChar> { ThreadMessages.error }

@_cdecl("gv_last_notes")
public func gvLastNotes() -> UnsafePointer<CChar> { ThreadMessages.notes }

// MARK: Layers

@_cdecl("gv_layer_read")
public func gvLayerRead(_ path: UnsafePointer<CChar>?, _ encoding: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        out.pointee = nil
        let path = try text(path, "the path")
        var options = LayerIO.ReadOptions()
        if let encoding {
            let name = String(cString: encoding)
            guard let e = TextEncoding(name: name) else {
                throw GeoVoteError.invalidArgument("'\(name)' is not an encoding GeoVote knows: use UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1")
            }
            options.encoding = e
        }
        let (table, notes) = try LayerIO.read(path, options: options)
        out.pointee = Handles.register(LayerHandle(table: table, source: path))
        return notes
    }
}

@_cdecl("gv_layer_from_arrow")
public func gvLayerFromArrow(_ stream: UnsafeMutablePointer<ArrowArrayStream>?, _ geometryColumn: UnsafePointer<CChar>?, _ crs: UnsafePointer<CChar>?,
                             _ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        out.pointee = nil
        guard let stream else { throw InterfaceError.handle("the Arrow stream is NULL") }
        let source = name.map { String(cString: $0) } ?? "arrow table"
        let reader = ArrowImport(source: source, geometryColumn: geometryColumn.map { String(cString: $0) }, crs: crs.map { String(cString: $0) },
                                 workers: Parallel.defaultWorkerCount)
        let table = try reader.read(stream)
        out.pointee = Handles.register(LayerHandle(table: table, source: source))
        return []
    }
}

@_cdecl("gv_layer_to_arrow")
public func gvLayerToArrow(_ layer: OpaquePointer?, _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        let layer = try Handles.look(layer, as: LayerHandle.self, "layer")
        ExportedTable(layer.table, geometry: true, workers: Parallel.defaultWorkerCount).exportStream(to: out)
        return []
    }
}

@_cdecl("gv_layer_count")
public func gvLayerCount(_ layer: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        out.pointee = Int64(try Handles.look(layer, as: LayerHandle.self, "layer").table.count)
        return []
    }
}

@_cdecl("gv_layer_crs")
public func gvLayerCRS(_ layer: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        out.pointee = UnsafePointer(try Handles.look(layer, as: LayerHandle.self, "layer").crsText)
        return []
    }
}

@_cdecl("gv_layer_free")
public func gvLayerFree(_ layer: OpaquePointer?) { Handles.free(layer) }

// MARK: Weights

@_cdecl("gv_weights_build")
public func gvWeightsBuild(_ layer: OpaquePointer?, _ spec: UnsafePointer<CChar>?, _ idField: UnsafePointer<CChar>?,
                           _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        out.pointee = nil
        let layer = try Handles.look(layer, as: LayerHandle.self, "layer")
        let spec = try WeightsSpec(parsing: try text(spec, "the weights specification"), idField: idField.map { String(cString: $0) })
        let (weights, notes) = try spec.build(layer.table, file: layer.source)
        let summary = WeightsSummary(weights, threshold: notes.threshold)
        out.pointee = Handles.register(WeightsHandle(weights: weights, summary: summary))
        return summary.warnings
    }
}

@_cdecl("gv_weights_info")
public func gvWeightsInfo(_ weights: OpaquePointer?, _ units: UnsafeMutablePointer<Int64>?, _ links: UnsafeMutablePointer<Int64>?,
                          _ islands: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let w = try Handles.look(weights, as: WeightsHandle.self, "weights").weights
        units?.pointee = Int64(w.count)
        links?.pointee = Int64(w.linkCount)
        islands?.pointee = Int64(w.islands.count)
        return []
    }
}

@_cdecl("gv_weights_to_arrow")
public func gvWeightsToArrow(_ weights: OpaquePointer?, _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        let w = try Handles.look(weights, as: WeightsHandle.self, "weights").weights
        var focal = [Int64?](), neighbor = [Int64?](), weight = [Double?]()
        focal.reserveCapacity(w.linkCount)
        neighbor.reserveCapacity(w.linkCount)
        weight.reserveCapacity(w.linkCount)
        for i in 0..<w.count {
            for k in w.offsets[i]..<w.offsets[i + 1] {
                focal.append(Int64(i))
                neighbor.append(Int64(w.neighbors[k]))
                weight.append(w.weights[k])
            }
        }
        let table = ExportedTable(count: w.linkCount)
        table.add(Column(name: "focal", values: .integer(focal)))
        table.add(Column(name: "neighbor", values: .integer(neighbor)))
        table.add(Column(name: "weight", values: .real(weight)))
        table.exportStream(to: out)
        return []
    }
}

@_cdecl("gv_weights_free")
public func gvWeightsFree(_ weights: OpaquePointer?) { Handles.free(weights) }

// MARK: Hot spots

@_cdecl("gv_hotspots")
public func gvHotspots(_ layer: OpaquePointer?, _ weights: OpaquePointer?, _ options: UnsafePointer<CChar>?, _ threads: Int32,
                       _ withGeometry: Int32, _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        let out = try output(out, "out")
        let layer = try Handles.look(layer, as: LayerHandle.self, "layer")
        let prebuilt = try weights.map { try Handles.look($0, as: WeightsHandle.self, "weights") }
        guard threads >= 0 else { throw GeoVoteError.invalidArgument("threads is \(threads): give 0 (every core) or more") }
        let workers = threads == 0 ? Parallel.defaultWorkerCount : Int(threads)
        let job = try HotSpotBatch.job(analysing: layer.source, json: try text(options, "the options"))
        if let prebuilt, prebuilt.weights.count != layer.table.count {
            throw GeoVoteError.invalidArgument("the weights have \(prebuilt.weights.count) units, \(layer.source) has \(layer.table.count) features")
        }
        let analysis = try job.analyse(layer.table, as: .csv, workers: workers, weights: prebuilt.map { ($0.weights, $0.summary) })
        var table = analysis.table.table
        table.crs = layer.table.crs
        ExportedTable(table, geometry: withGeometry != 0, workers: workers).exportStream(to: out)
        return analysis.notes
    }
}
