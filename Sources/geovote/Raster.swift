import ArgumentParser
import GeoVoteEngine
import Foundation

extension VoteSurfaceOptions.Method: ExpressibleByArgument {}
extension VoteSurfaceOptions.Kernel: ExpressibleByArgument {}

struct RasterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raster",
        abstract: "Vote-share rasters: exact areal interpolation from communes, or kernel-smoothed shares from polling stations.",
        discussion: """
        Counts first, shares after. --method coverage spreads each polygon's counts \
        uniformly over its area by the exact fraction of each cell it covers \
        (exactextract's coverage fractions; holes and parts included; invalid polygons \
        repaired with GEOS MakeValid, said); the cells' counts add up to the polygons' \
        inside the grid. --weight-raster POP.tif spreads them by its cell weights \
        instead of area (dasymetric; its grid is the output's; a polygon on cells of \
        weight 0 only is spread by area, said). --method kernel sums the stations' counts weighted by a kernel \
        of the distance to each cell centre (Nadaraya–Watson): Gaussian exp(-d²/2h²) cut \
        at --truncation bandwidths (4; 'none': every station), or quartic (1-d²/h²)², h \
        its radius; --bandwidth in CRS units, --bandwidth cv (leave-one-out \
        cross-validation of the stations' shares, weighted by their totals, among 20 \
        bandwidths from twice the median nearest-neighbour distance to a tenth of the \
        extent), or --adaptive K (h per cell = the distance to its K-th nearest station). The kernel needs a projected CRS (a layer in \
        longitude/latitude is refused with a proposed projection).
        Bands: one share per --fields field (field / --total, default the field 'valid'; \
        --all-parties: every integer field after the total), turnout (--turnout \
        VOTES/REGISTERED), winner (1-based index in field order, ties to the first; \
        WINNER_i metadata names the fields) and margin (largest minus second share) with \
        two fields or more, FIELD_count bands with --counts. Nodata (-9999) where no \
        polygon or station reaches a cell or its total is 0.
        The grid: --resolution R over the layer's extent or --extent (snapped outward \
        to multiples of R), row 0 at the top; or --like TEMPLATE.tif. A grid that does \
        not fit in memory is refused with the memory it needs.
        Output: a GeoTIFF (Float32, tiled, DEFLATE with the floating-point predictor, \
        band descriptions, nodata, EPSG GeoKeys; --overviews 2,4,8) or .asc (one ESRI \
        ASCII grid per band, STEM_BAND.asc). --png draws one band (--png-band; default \
        the first) with its legend. Identical for any --threads.
        """
    )

    @Argument(help: "The layer: communes (.shp, .geojson, FILE.gpkg[:LAYER]) for coverage, polling stations for kernel.")
    var file: String

    @Option(name: .long, help: "coverage | kernel")
    var method: VoteSurfaceOptions.Method

    @Option(name: .long, help: "The count fields to map, comma-separated (e.g. MP,RNI).")
    var fields: String?

    @Flag(name: .long, help: "Map every party: the integer fields after the total field.")
    var allParties = false

    @Option(name: .long, help: "The shares' denominator (default: the field 'valid').")
    var total: String?

    @Option(name: .long, help: "A turnout band: VOTES/REGISTERED (e.g. voters/registered).")
    var turnout: String?

    @Option(name: .long, parsing: .unconditional, help: "Cell size in CRS units.")
    var resolution: Double?

    @Option(name: .long, parsing: .unconditional, help: "XMIN,YMIN,XMAX,YMAX in CRS units (default: the layer's extent).")
    var extent: String?

    @Option(name: .long, help: "Take the grid (size, origin, cell size, CRS) of this GeoTIFF.")
    var like: String?

    @Option(name: .long, help: "Coverage: spread each polygon's counts by this raster's cell weights (e.g. population) instead of area; its grid is the output's.")
    var weightRaster: String?

    @Option(name: .long, parsing: .unconditional, help: "The weight raster's band (default 1).")
    var weightBand: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Kernel: fixed bandwidth in CRS units (metres), or 'cv' to choose it by leave-one-out cross-validation.")
    var bandwidth: String?

    @Option(name: .long, parsing: .unconditional, help: "Kernel: adaptive bandwidth, the distance to the K-th nearest station.")
    var adaptive: Int?

    @Option(name: .long, help: "Kernel: gaussian (default) | quartic")
    var kernel: VoteSurfaceOptions.Kernel = .gaussian

    @Option(name: .long, help: "Gaussian: cut at this many bandwidths (default 4), or 'none' for the exact sum over every station.")
    var truncation: String?

    @Flag(name: .long, help: "Also write the interpolated counts (FIELD_count bands).")
    var counts = false

    @Option(name: .long, help: "GeoTIFF overviews, comma-separated factors (e.g. 2,4,8).")
    var overviews: String?

    @Option(name: .shortAndLong, help: "Output .tif (GeoTIFF) or .asc (ESRI ASCII grid, one per band).")
    var output: String

    @Option(name: .long, help: "Also draw one band to this PNG.")
    var png: String?

    @Option(name: .long, help: "The band --png draws (default: the first).")
    var pngBand: String?

    @OptionGroup var common: CommonOptions

    func job() throws -> RasterJob {
        let fieldList = commaList(fields ?? "")
        if allParties, !fieldList.isEmpty { throw ValidationError("give --fields or --all-parties, not both") }
        if !allParties, fieldList.isEmpty { throw ValidationError("name the party fields (--fields MP,RNI,…) or --all-parties") }
        if like != nil, resolution != nil || extent != nil { throw ValidationError("--like takes the template's grid: drop --resolution and --extent") }
        var fixed: Double?
        var crossValidate = false
        if let bandwidth {
            if bandwidth.lowercased() == "cv" { crossValidate = true } else {
                guard let b = Double(bandwidth) else { throw ValidationError("--bandwidth is a distance in CRS units or 'cv', not '\(bandwidth)'") }
                fixed = b
            }
        }
        var options = VoteSurfaceOptions(method: method, fields: fieldList, total: "", resolution: resolution, bandwidth: fixed, adaptiveNeighbours: adaptive)
        options.crossValidate = crossValidate
        options.kernel = kernel
        options.counts = counts
        if let extent {
            let parts = extent.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let x0 = parts[0], let y0 = parts[1], let x1 = parts[2], let y1 = parts[3] else {
                throw ValidationError("--extent is XMIN,YMIN,XMAX,YMAX, not '\(extent)'")
            }
            options.extent = BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1)
        }
        if let truncation {
            if truncation.lowercased() == "none" { options.truncation = nil } else {
                guard let t = Double(truncation), t.isFinite, t > 0 else { throw ValidationError("--truncation is a positive number of bandwidths or 'none', not '\(truncation)'") }
                options.truncation = t
            }
        }
        if let turnout {
            let parts = turnout.split(separator: "/").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--turnout is VOTES/REGISTERED, not '\(turnout)'") }
            options.turnoutVotes = parts[0]
            options.turnoutRegistered = parts[1]
        }
        var job = RasterJob(input: file, options: options, output: output)
        job.allParties = allParties
        job.totalField = total
        job.templatePath = like
        job.weightRasterPath = weightRaster
        job.weightBand = weightBand
        job.png = png
        job.pngBand = pngBand
        job.encoding = try common.apply()
        if let overviews {
            job.overviews = try overviews.split(separator: ",").map {
                guard let f = Int($0.trimmingCharacters(in: .whitespaces)), f >= 2 else { throw ValidationError("--overviews are factors of 2 or more, comma-separated, not '\(overviews)'") }
                return f
            }
        }
        return job
    }

    func run() throws {
        var job = try job()
        job.commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        try runReportingErrors(geodesic: false) { try Self.run(job) }
    }

    /// Runs a job and prints what `raster` prints: notes, the summary, the files written.
    static func run(_ job: RasterJob) throws {
        let report = try job.run(progress: { rows in ProgressBar.make(label: "raster", total: rows) })
        if ProgressBar.isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        report.notes.forEach(printNote)
        print(report.result.summary)
        print("wrote \(report.written.joined(separator: ", "))")
    }
}
