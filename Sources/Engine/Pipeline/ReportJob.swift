import Foundation

/// `geovote report`: the HTML report of a hot-spot result layer, or of the
/// hot-spot steps of a batch job file (run first, writing what they write).
public struct ReportJob: Sendable {
    /// A layer written by `geovote hotspots`, or a job file (.json).
    public var input: String
    /// The output folder (DIR/index.html).
    public var output: String
    /// The weights of a result layer's scatterplot, Moran's I and zones
    /// (a job's own weights are used for a job).
    public var weights: String
    public var nameField: String?
    public var title: String?
    public var encoding: TextEncoding?

    public init(input: String, output: String, weights: String = "queen", nameField: String? = nil, title: String? = nil,
                encoding: TextEncoding? = nil) {
        self.input = input
        self.output = output
        self.weights = weights
        self.nameField = nameField
        self.title = title
        self.encoding = encoding
    }

    public var isJob: Bool { input.lowercased().hasSuffix(".json") }

    public func validate() throws {
        _ = try WeightsSpec(parsing: weights)
        guard FileManager.default.fileExists(atPath: LayerIO.split(input).file) else {
            throw GeoVoteError.io(path: input, reason: "does not exist")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw GeoVoteError.invalidArgument("--output \(output) is a file: the report is written into a folder (DIR/index.html)")
        }
    }

    public struct Report: Sendable {
        public var page: String
        public var sections: Int
        /// Files the job's steps wrote (a job file only).
        public var written: [String]
        public var notes: [String]
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        var options = HotSpotReport.Options(nameField: nameField)
        if let title { options.title = title }
        if isJob {
            let batch = try HotSpotBatch(contentsOf: input, encoding: encoding)
            let jobs = batch.jobs
            guard let first = jobs.first else {
                throw GeoVoteError.malformed(DataLocation(file: input), reason: "has no hotspots step to report on")
            }
            var notes: [String] = [], written: [String] = [], sections: [HotSpotReportSection] = []
            let (layer, readNotes) = try first.read()
            notes += readNotes
            var weights: SpatialWeights?
            for job in jobs {
                guard job.input == first.input else {
                    notes.append("the step on \(job.input) is not in the report (a report covers one layer: \(first.input))")
                    continue
                }
                let report = try job.run(layer: layer, workers: workers)
                written += report.written
                notes += report.notes
                weights = weights ?? report.results.weights
                sections += try HotSpotReport.sections(of: report.results, layer: layer, file: first.input)
                options.parameters.append(("step → \(job.output)", job.commandLine ?? "\(job.variables); \(job.options)"))
            }
            let page = try HotSpotReport.write(layer: layer, file: first.input, sections: sections, weights: weights!,
                                               options: options, to: output, workers: workers)
            return Report(page: page.page, sections: sections.count, written: written, notes: notes + page.notes)
        }
        let (layer, readNotes) = try LayerIO.read(input, options: .init(encoding: encoding))
        let sections = try HotSpotReport.sections(ofResultLayer: layer, file: input)
        let hot = HotSpotOptions(weights: try WeightsSpec(parsing: weights))
        let (w, summary) = try HotSpotAnalysis.weights(for: layer, file: input, options: hot, workers: workers)
        options.parameters.append(("result", input))
        let page = try HotSpotReport.write(layer: layer, file: input, sections: sections, weights: w, options: options, to: output, workers: workers)
        return Report(page: page.page, sections: sections.count, written: [], notes: readNotes + summary.warnings.map { "weights: " + $0 } + page.notes)
    }
}
