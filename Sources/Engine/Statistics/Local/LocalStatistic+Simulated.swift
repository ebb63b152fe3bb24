/// Shorthands for the parts of a local statistic's permutation inference
/// (``PermutationInference``): nil without permutations.
public protocol SimulatedLocalStatistic {
    var simulated: PermutationInference? { get }
}

extension SimulatedLocalStatistic {
    /// esda's `p_sim`: `simulated?.pseudoP`.
    public var pseudoP: [Double]? { simulated?.pseudoP }
    /// esda's `z_sim`: `simulated?.zSim`.
    public var zSim: [Double]? { simulated?.zSim }
    /// The kept simulations (n × R, unit-major): `simulated?.simulations`.
    public var simulations: [Double]? { simulated?.simulations }
    /// esda's `EI_sim`: `simulated?.meanSim`.
    public var meanSim: [Double]? { simulated?.meanSim }
}

extension GetisOrdG: SimulatedLocalStatistic {}
extension LocalMoran: SimulatedLocalStatistic {}
extension LocalGeary: SimulatedLocalStatistic {}
extension LocalJoinCount: SimulatedLocalStatistic {}
