extension FeatureTable {
    /// The same features with every coordinate transformed to `target`,
    /// in parallel over all coordinates of the layer.
    ///
    /// - Parameters:
    ///   - target: the CRS to transform to.
    ///   - file: the layer's path, named in errors.
    ///   - workers: threads (the result does not depend on it).
    /// - Throws: when the layer has no CRS, or a coordinate cannot be
    ///   transformed (the error names the file and the feature).
    public func projected(to target: CoordinateReferenceSystem, file: String? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> FeatureTable {
        guard let source = crs else {
            throw GeoVoteError.unsupported((file.map { $0 + ": " } ?? "") + "the layer has no CRS (no .prj): cannot reproject it to \(target)")
        }
        let transformer = try CoordinateTransformer(from: source, to: target)
        // One flat array of all coordinates, transformed in bulk.
        var starts = [Int](repeating: 0, count: geometries.count + 1)
        for (i, g) in geometries.enumerated() { starts[i + 1] = starts[i] + g.coordinateCount }
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(starts.last!)
        ys.reserveCapacity(starts.last!)
        for g in geometries {
            xs.append(contentsOf: g.x)
            ys.append(contentsOf: g.y)
        }
        do {
            try transformer.transform(x: &xs, y: &ys, workers: workers)
        } catch let GeoVoteError.malformed(location, reason) {
            // Name the feature that holds the failing coordinate.
            let index = location.record ?? 0
            let feature = (starts.firstIndex { $0 > index } ?? 1) - 1
            throw GeoVoteError.malformed(DataLocation(file: file, record: feature, value: location.value), reason: reason)
        } catch let GeoVoteError.proj(message) where file != nil {
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "cannot be transformed to \(target): PROJ: \(message)")
        }
        var result = self
        result.crs = target
        result.geometries = geometries.indices.map { i in
            let g = geometries[i]
            return Geometry(kind: g.kind, x: ContiguousArray(xs[starts[i]..<starts[i + 1]]),
                            y: ContiguousArray(ys[starts[i]..<starts[i + 1]]),
                            ringOffsets: g.ringOffsets, partOffsets: g.partOffsets)
        }
        return result
    }
}
