import Foundation

/// What a vote-share surface is made of and how (``VoteSurface``).
public struct VoteSurfaceOptions: Sendable, Equatable {
    /// How counts reach the cells.
    public enum Method: String, Sendable, CaseIterable {
        /// Areal interpolation from polygons: each polygon's counts spread
        /// uniformly over its area, by the exact fraction of each cell it covers.
        case coverage
        /// Nadaraya–Watson kernel smoothing of points (polling stations).
        case kernel
    }

    /// The kernel of the `kernel` method.
    public enum Kernel: String, Sendable, CaseIterable {
        /// exp(−d² / 2h²), h the bandwidth; cut at ``VoteSurfaceOptions/truncation`` bandwidths.
        case gaussian
        /// (1 − d²/h²)² for d < h: the bandwidth is the kernel's radius (as
        /// QGIS's heatmap and ArcGIS's Kernel Density).
        case quartic
    }

    public var method: Method
    /// The count fields whose shares are mapped (party votes), in band order.
    public var fields: [String]
    /// The denominator of the shares (valid votes).
    public var total: String
    /// Turnout = votes / registered, as one more band; nil: no turnout band.
    public var turnoutVotes: String?
    public var turnoutRegistered: String?
    /// Cell size in CRS units (ignored with a ``template``).
    public var resolution: Double?
    /// The area to cover (snapped outward to the resolution); nil: the layer's extent.
    public var extent: BoundingBox?
    /// A grid to match cell for cell (``GeoTIFF/readGrid(_:)`` of a `--like` template).
    public var template: RasterGrid?
    public var kernel: Kernel = .gaussian
    /// Fixed bandwidth in CRS units (metres in a projected CRS).
    public var bandwidth: Double?
    /// Adaptive bandwidth: the distance from each cell centre to its k-th nearest station.
    public var adaptiveNeighbours: Int?
    /// Choose the fixed bandwidth by leave-one-out cross-validation
    /// (``BandwidthSelection``) among ``bandwidthCandidates`` (nil: its defaults).
    public var crossValidate: Bool = false
    public var bandwidthCandidates: [Double]?
    /// The Gaussian kernel is cut at this many bandwidths; nil: never (exact sum over every station).
    public var truncation: Double? = 4
    /// Also write the interpolated counts (one band per field, "FIELD_count").
    public var counts: Bool = false
    /// Coverage: spread each polygon's counts in proportion to these cell
    /// weights (a population raster: dasymetric mapping) instead of area.
    public var cellWeights: CellWeights?

    public init(method: Method, fields: [String], total: String, resolution: Double? = nil, extent: BoundingBox? = nil, template: RasterGrid? = nil,
                bandwidth: Double? = nil, adaptiveNeighbours: Int? = nil) {
        self.method = method
        self.fields = fields
        self.total = total
        self.resolution = resolution
        self.extent = extent
        self.template = template
        self.bandwidth = bandwidth
        self.adaptiveNeighbours = adaptiveNeighbours
    }

    /// Checks the options on their own (the layer is checked by ``VoteSurface/make(_:file:options:workers:progress:)``).
    public func validate() throws {
        guard !fields.isEmpty else { throw GeoVoteError.invalidArgument("no count field to map: give the party fields (or all parties)") }
        if let duplicate = Dictionary(grouping: fields, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw GeoVoteError.invalidArgument("the field '\(duplicate)' is given twice")
        }
        guard !total.isEmpty else { throw GeoVoteError.invalidArgument("no total field (the valid votes) to divide by") }
        if (turnoutVotes == nil) != (turnoutRegistered == nil) { throw GeoVoteError.invalidArgument("turnout needs both the votes and the registered field") }
        if template == nil {
            guard let resolution else { throw GeoVoteError.invalidArgument("a resolution (cell size in CRS units) or a template grid is needed") }
            guard resolution.isFinite, resolution > 0 else { throw GeoVoteError.invalidArgument("the resolution is a positive number of CRS units, not \(resolution)") }
        }
        switch method {
        case .coverage:
            if bandwidth != nil || adaptiveNeighbours != nil || crossValidate { throw GeoVoteError.invalidArgument("a bandwidth is the kernel method's: the coverage method spreads each polygon's counts over its area") }
        case .kernel:
            if crossValidate {
                guard bandwidth == nil, adaptiveNeighbours == nil else { throw GeoVoteError.invalidArgument("cross-validation chooses the bandwidth: give no bandwidth and no adaptive number of neighbours") }
                break
            }
            switch (bandwidth, adaptiveNeighbours) {
            case (nil, nil): throw GeoVoteError.invalidArgument("the kernel method needs a bandwidth (in CRS units), an adaptive number of neighbours, or cross-validation")
            case (.some, .some): throw GeoVoteError.invalidArgument("give a fixed bandwidth or an adaptive number of neighbours, not both")
            case (let b?, nil): guard b.isFinite, b > 0 else { throw GeoVoteError.invalidArgument("the bandwidth is a positive distance in CRS units, not \(b)") }
            case (nil, let k?): guard k >= 1 else { throw GeoVoteError.invalidArgument("the adaptive bandwidth needs at least 1 neighbour, not \(k)") }
            }
            if let t = truncation { guard t.isFinite, t > 0 else { throw GeoVoteError.invalidArgument("the truncation is a positive number of bandwidths, not \(t)") } }
        }
    }

    /// The fields summed per cell, in order: the shares' fields, the total, then turnout's.
    var summedFields: [String] {
        var out = fields
        if !fields.contains(total) { out.append(total) }
        if let v = turnoutVotes, let r = turnoutRegistered {
            if !out.contains(v) { out.append(v) }
            if !out.contains(r) { out.append(r) }
        }
        return out
    }

    /// The kernel's reach in bandwidths: where its weight becomes 0.
    var reach: Double? { kernel == .quartic ? 1 : truncation }
}

/// Weights per cell of a grid (e.g. population), read from a raster on the
/// output grid, for dasymetric areal interpolation.
public struct CellWeights: Sendable, Equatable {
    public var grid: RasterGrid
    /// Row-major, one per cell; nodata, NaN and negative values are refused by ``init(grid:values:nodata:file:)``.
    public var values: [Double]

    /// - Parameters:
    ///   - grid: the grid the weights are on (the output's).
    ///   - values: one weight per cell, row-major.
    ///   - nodata: cells with this value weigh 0.
    ///   - file: named in errors.
    public init(grid: RasterGrid, values: [Double], nodata: Double? = nil, file: String? = nil) throws {
        guard values.count == grid.cellCount else { throw GeoVoteError.invalidArgument("\(file ?? "the weights"): \(values.count) values for \(grid.cellCount) cells") }
        var cleaned = values
        for (i, v) in values.enumerated() {
            if let nodata, v == nodata { cleaned[i] = 0; continue }
            guard v.isFinite, v >= 0 else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: "cell (row \(i / grid.columns), column \(i % grid.columns))", value: "\(v)"),
                                             reason: "is not a weight (a finite number ≥ 0, or the nodata value)")
            }
        }
        self.grid = grid
        self.values = cleaned
    }
}
