import GeoVoteEngine
import TestSupport
import Testing

/// Each file in Fixtures/bad/ (made by Fixtures/bad/make.py) breaks one rule;
/// each gives a clear error naming the file and, where there is one, the
/// record, the field and the value.
@Suite struct ShapefileBadInputTests {
    func message(_ name: String, encoding: TextEncoding? = nil) -> String? {
        do {
            _ = try ShapefileReader(encoding: encoding).read(Fixtures.path("bad/\(name).shp"))
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func missingIndex() throws {
        let m = try #require(message("missing_shx"))
        #expect(m.contains("missing_shx.shx") && m.contains("missing"))
    }

    @Test func missingTable() throws {
        let m = try #require(message("missing_dbf"))
        #expect(m.contains("missing_dbf.dbf") && m.contains("missing"))
    }

    @Test func truncatedShapes() throws {
        let m = try #require(message("truncated"))
        #expect(m.contains("truncated.shp: record 2") && m.contains("truncated"))
    }

    @Test func recordTypeDisagreesWithHeader() throws {
        let m = try #require(message("type_mismatch"))
        #expect(m.contains("type_mismatch.shp: record 1") && m.contains("shape type 5"))
    }

    @Test func fewerRecordsThanShapes() throws {
        let m = try #require(message("short_dbf"))
        #expect(m.contains("short_dbf.dbf") && m.contains("2 records") && m.contains("3 shapes"))
    }

    @Test func unknownProjection() throws {
        let m = try #require(message("unknown_prj"))
        #expect(m.contains("unknown_prj.prj"))
    }

    @Test func textInANumericField() throws {
        let m = try #require(message("numeric_text"))
        #expect(m.hasSuffix("numeric_text.dbf: record 1, field 'VOTES_MP': \"n/a\" is not a number"))
    }

    @Test func blankNumberIsMissingNotZero() throws {
        // Same file without the "n/a": record 2 is blank → missing. Built here.
        let table = FeatureTable(geometries: [.point(x: 0, y: 0), .point(x: 1, y: 1)],
                                 columns: [Column(name: "V", values: .integer([5, nil]))])
        let path = Fixtures.scratch() + "/blank.shp"
        var writer = ShapefileWriter()
        try writer.write(table, to: path)
        #expect(try ShapefileReader().read(path).columns[0].values == .integer([5, nil]))
    }

    @Test func undeclaredArabicCodePage() throws {
        let m = try #require(message("undeclared_cp1256"))
        #expect(m.hasSuffix("undeclared_cp1256.dbf: declares no text encoding (no .cpg) and its text is not UTF-8; name the encoding (UTF-8, CP1256, ISO-8859-6, CP1252, ISO-8859-1)"))
        // Typed, so that a caller (the CLI) can turn it into its own advice.
        #expect(throws: GeoVoteError.textEncoding(DataLocation(file: Fixtures.path("bad/undeclared_cp1256.dbf")), .undeclared(languageDriver: nil))) {
            try ShapefileReader().read(Fixtures.path("bad/undeclared_cp1256.shp"))
        }
        #expect(message("undeclared_cp1256", encoding: .windows1256) == nil)
        let table = try ShapefileReader(encoding: .windows1256).read(Fixtures.path("bad/undeclared_cp1256.shp"))
        #expect(table.columns[0].values.displayValue(0) == "الرباط")
    }

    /// Hostile files from the input audit (issue 18; Fixtures/bad/make.py
    /// items 12–23): each crashed, hung or read wrongly; each is now one
    /// error naming the file and, where there is one, the record or field.
    @Test(arguments: [
        ("part_start", "part_start.shp: record 1: has part 0 starting at vertex 2 of 5"),
        ("shape_type_77", "shape_type_77.shp: record 1: has shape type 77"),
        ("shx_all_first", "shx_all_first.shp: record 1: is indexed at byte 100"),
        ("shx_short", "shx_short.shp: holds 3 records but its .shx indexes 2"),
        ("shx_mid_record", "shx_mid_record.shp: record 1: is indexed at byte 216"),
        ("nan_hole", "nan_hole.shp: record 0: \"(nan, 0.8)\" has vertex 7, which is not a finite coordinate"),
        ("dbf_zero_width", "dbf_zero_width.dbf: field '#2': has width 0"),
        ("dbf_huge_count", "dbf_huge_count.dbf: declares 2147483647 records of 14 bytes, but the file holds 1"),
        ("dbf_short_header", "dbf_short_header.dbf: declares records of 14 bytes, but its 0 fields take 1 + 0"),
        ("dbf_record_length", "dbf_record_length.dbf: declares records of 40 bytes, but its 2 fields take 1 + 13"),
        ("dbf_duplicate_names", "dbf_duplicate_names.dbf: field 'CODE': names fields 1 and 2"),
    ])
    func hostileFileIsOneClearError(name: String, expected: String) throws {
        let m = try #require(message(name), "\(name) was read without an error")
        #expect(m.contains(expected), "\(m)")
    }

    /// Records flagged deleted are skipped with their shapes, and a note says so.
    @Test func deletedRecordsAreSkippedAndSaid() throws {
        let (table, notes) = try ShapefileReader().readWithNotes(Fixtures.path("bad/dbf_deleted.shp"))
        #expect(table.count == 2)
        #expect(table.column(named: "CODE")?.values == .text(["001", "003"]))
        #expect(table.geometries[1].boundingBox?.minX == 0, "record 2's square, not record 1's")
        #expect(notes.count == 1 && notes[0].contains("1 records flagged deleted were skipped with their shapes (records 1)"))
    }

    /// An open polygon ring is closed on read and said, so the GeoJSON
    /// written from it reads back.
    @Test func openRingIsClosedAndSaid() throws {
        let (table, notes) = try ShapefileReader().readWithNotes(Fixtures.path("bad/open_ring.shp"))
        #expect(table.geometries[0].coordinateCount == 5)
        #expect(notes == ["\(Fixtures.path("bad/open_ring.shp")): 1 polygons had a ring whose last vertex is not its first; closed (records 0)"])
        let out = Fixtures.scratch() + "/open.geojson"
        try LayerIO.write(table, to: out)
        #expect(try LayerIO.read(out).geometries[0].coordinateCount == 5)
    }
}
