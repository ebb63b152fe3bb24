/// GeoVote's version, with the GEOS and PROJ it runs on: what `--version`
/// prints and what GeoPackage outputs record beside each analysis.
public enum GeoVoteVersion {
    public static let number = "0.1.0"
    public static let string = "\(number) (GEOS \(GeometryEngine.geosVersion), PROJ \(CoordinateReferenceSystem.projVersion))"
}

/// What produced an output layer: recorded in a GeoPackage's
/// `geovote_analyses` table beside the layer, so a result can be traced to
/// its inputs.
public struct Provenance: Sendable, Hashable {
    /// The command or job kind (`hotspots`, `zones`, `cluster`).
    public var command: String
    /// The parameters: the command line, or the job's options.
    public var parameters: String
    /// The input layers.
    public var inputs: [String]

    public init(command: String, parameters: String, inputs: [String]) {
        self.command = command
        self.parameters = parameters
        self.inputs = inputs
    }
}
