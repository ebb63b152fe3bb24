import Foundation

/// GAL, GWT and edge-list CSV files of weights, as GeoDa and libpysal read
/// and write them.
///
/// - GAL (binary neighbours): a header `0 n layer idfield`, then per
///   observation a line `id cardinality` and a line of neighbour ids.
/// - GWT (weighted links): the same header, then a line `id neighbour weight`
///   per link.
/// - CSV: header `focal,neighbor,weight`, 0-based input order.
///
/// Ids are the values of an id column when given, else the 0-based input
/// order (libpysal's default ids for a data frame).
public enum WeightsFiles {
    public enum Format: String, Sendable {
        case gal, gwt, csv

        public init(path: String) throws {
            switch (path as NSString).pathExtension.lowercased() {
            case "gal": self = .gal
            case "gwt": self = .gwt
            case "csv": self = .csv
            default: throw GeoVoteError.unsupported("\(path): weights files are .gal, .gwt or .csv")
            }
        }
    }

    public static func write(_ w: SpatialWeights, to path: String, ids: [String]? = nil, layerName: String = "layer", idField: String = "FID") throws {
        let format = try Format(path: path)
        let ids = ids ?? (0..<w.count).map(String.init)
        guard ids.count == w.count else {
            throw GeoVoteError.invalidArgument("\(path): \(ids.count) ids for weights of \(w.count) units")
        }
        if format != .csv, let bad = ids.firstIndex(where: { $0.isEmpty || $0.contains(where: { $0.isWhitespace || $0 == "," }) }) {
            throw GeoVoteError.malformed(DataLocation(file: path, record: bad, value: ids[bad]),
                                         reason: "is an id with a blank or a comma, which a .\(format.rawValue) file cannot hold: choose another id field")
        }
        if let i = (0..<w.count).first(where: { w.weights(of: $0).contains { !$0.isFinite } }) {
            throw GeoVoteError.malformed(DataLocation(file: path, record: i, value: ids[i]),
                                         reason: "has a weight that is not finite (co-located points with an inverse-distance or zero-bandwidth kernel?): nothing written")
        }
        var text = ""
        text.reserveCapacity(w.linkCount * 12 + w.count * 8)
        switch format {
        case .gal:
            text += "0 \(w.count) \(layerName) \(idField)\n"
            for i in 0..<w.count {
                text += "\(ids[i]) \(w.offsets[i + 1] - w.offsets[i])\n"
                text += w.neighbors(of: i).map { ids[Int($0)] }.joined(separator: " ") + "\n"
            }
        case .gwt:
            text += "0 \(w.count) \(layerName) \(idField)\n"
            for i in 0..<w.count {
                for (j, v) in zip(w.neighbors(of: i), w.weights(of: i)) { text += "\(ids[i]) \(ids[Int(j)]) \(v)\n" }
            }
        case .csv:
            text += "focal,neighbor,weight\n"
            for i in 0..<w.count {
                for (j, v) in zip(w.neighbors(of: i), w.weights(of: i)) { text += "\(i),\(j),\(v)\n" }
            }
        }
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    /// Reads a GAL, GWT or CSV file for a layer whose observations have
    /// these ids (in layer order; default 0..<count). Every id in the file
    /// must be one of them; observations the file does not mention are islands.
    public static func read(_ path: String, ids: [String]) throws -> SpatialWeights {
        let format = try Format(path: path)
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw GeoVoteError.io(path: path, reason: "cannot be read")
        }
        var index = [String: Int]()
        for (i, id) in ids.enumerated() { index[id] = i }
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) }
        lines.removeAll { $0.isEmpty }
        func locate(_ token: Substring, line: Int) throws -> Int {
            guard let i = index[String(token)] else {
                throw GeoVoteError.malformed(DataLocation(file: path, record: line, value: String(token)),
                                             reason: "is not an id of the layer's \(ids.count) observations")
            }
            return i
        }
        var rows = [[Int]](repeating: [], count: ids.count)
        var values = [[Double]](repeating: [], count: ids.count)
        switch format {
        case .gal:
            guard let header = lines.first else { throw GeoVoteError.malformed(DataLocation(file: path), reason: "is empty") }
            let declared = Int(header.count == 1 ? header[0] : header[1]) ?? -1
            guard declared == ids.count else {
                throw GeoVoteError.malformed(DataLocation(file: path, record: 0), reason: "declares \(declared) observations; the layer has \(ids.count)")
            }
            var l = 1
            var seen = Set<Int>()
            while l < lines.count {
                let head = lines[l]
                guard head.count == 2, let k = Int(head[1]) else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: l), reason: "should be 'id cardinality'")
                }
                let i = try locate(head[0], line: l)
                guard seen.insert(i).inserted else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: l, value: String(head[0])), reason: "is listed twice as a focal unit")
                }
                let list = k > 0 && l + 1 < lines.count ? lines[l + 1] : []
                guard list.count == k else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: l + 1), reason: "lists \(list.count) neighbours, not \(k)")
                }
                rows[i] = try list.map { try locate($0, line: l + 1) }
                values[i] = [Double](repeating: 1, count: k)
                l += k > 0 ? 2 : 1
            }
        case .gwt, .csv:
            // Both start with a header line: "0 n layer idfield" (or "n") or
            // "focal,neighbor,weight". A first line that reads as a link is
            // not a header: it would be lost.
            guard let header = lines.first else { throw GeoVoteError.malformed(DataLocation(file: path), reason: "is empty") }
            if format == .csv {
                guard !(header.count == 3 && header.allSatisfy({ Double($0) != nil })) else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: 0), reason: "starts with a link, not the header line 'focal,neighbor,weight'")
                }
            } else {
                guard header.count == 1 || header.count == 4, let declared = Int(header.count == 1 ? header[0] : header[1]) else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: 0), reason: "starts without the header line '0 n layer idfield'")
                }
                guard declared == ids.count else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: 0), reason: "declares \(declared) observations; the layer has \(ids.count)")
                }
            }
            for (offset, line) in lines.dropFirst().enumerated() {
                let l = offset + 1
                guard line.count == 3, let v = Double(line[2]) else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: l), reason: "should be 'id neighbour weight'")
                }
                guard v.isFinite, v >= 0 else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: l, value: String(line[2])), reason: "is not a weight: weights are finite and not negative")
                }
                let i = format == .csv ? try csvIndex(line[0], ids.count, path, l) : try locate(line[0], line: l)
                let j = format == .csv ? try csvIndex(line[1], ids.count, path, l) : try locate(line[1], line: l)
                rows[i].append(j)
                values[i].append(v)
            }
        }
        for i in 0..<rows.count where Set(rows[i]).count != rows[i].count {
            throw GeoVoteError.malformed(DataLocation(file: path, value: ids[i]), reason: "lists a neighbour twice")
        }
        return SpatialWeights(neighborLists: rows, weightLists: values, transform: format == .gal ? .binary : WeightsTransform.none)
    }

    private static func csvIndex(_ token: Substring, _ n: Int, _ path: String, _ line: Int) throws -> Int {
        guard let i = Int(token), i >= 0, i < n else {
            throw GeoVoteError.malformed(DataLocation(file: path, record: line, value: String(token)), reason: "is not a 0-based index below \(n)")
        }
        return i
    }
}
