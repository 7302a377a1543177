import Testing
import StockpileDomain

@Suite("Loading profiles: every mistake names file, line and field")
struct ProfileLoaderTests {
    func loadError(replacing old: String, with new: String) -> ConfigurationError? {
        let text = ProfileFixtures.scale.replacingOccurrences(of: old, with: new)
        #expect(text != ProfileFixtures.scale, "the replacement must change the fixture")
        do {
            _ = try ProfileLoader.parse(text, file: "Devices/bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test("an unknown word order is refused at its line, with the choices")
    func badOrder() throws {
        let error = try #require(loadError(replacing: "order: CDAB", with: "order: ABDC"))
        #expect(
            error.description
                == "Devices/bad.yaml:36: points[3].order: unknown value \"ABDC\" (use ABCD, CDAB, BADC, DCBA)")
    }

    @Test("a misspelt field is refused, not ignored")
    func unknownField() throws {
        let error = try #require(loadError(replacing: "    unit: kg", with: "    units: kg"))
        #expect(error.field == "points[1].units")
        #expect(error.line == 22)
        #expect(error.message.hasPrefix("unknown field"))
    }

    @Test("a missing required field names the field and the entry's line")
    func missing() throws {
        let error = try #require(loadError(replacing: "    table: input\n    address: 1\n", with: "    address: 1\n"))
        #expect(error.field == "points[2].table")
        #expect(error.line == 26)
    }

    @Test("manual 4xxxx notation in an address gets a hint")
    func manualNotation() throws {
        let error = try #require(
            loadError(replacing: "    address: 2\n    type: uint32", with: "    address: 400002\n    type: uint32"))
        #expect(error.message.contains("4xxxx"))
        #expect(error.field == "points[1].address")
    }

    @Test("a quality rule naming an unknown flag is refused")
    func unknownFlag() throws {
        let error = try #require(loadError(replacing: "reject: [overload]", with: "reject: [overlaod]"))
        #expect(error.message == "no flag or bool point named \"overlaod\"")
        #expect(error.field == "points[1].quality")
    }

    @Test("a point wider than max_registers cannot be planned and is refused")
    func tooWide() throws {
        let error = try #require(loadError(replacing: "max_registers: 8", with: "max_registers: 1"))
        #expect(error.message.contains("needs 2 registers in one read; the device allows 1"))
    }

    @Test("a point inside a forbidden range is refused")
    func forbidden() throws {
        let error = try #require(
            loadError(replacing: "max_gap: 2}", with: "max_gap: 2, forbidden: [{table: holding, from: 3, to: 3}]}"))
        #expect(error.message.contains("forbidden range holding 2"))
    }

    @Test("a YAML syntax error carries the parser's line")
    func syntax() throws {
        let error = try #require(loadError(replacing: "kind: scale", with: "kind: [scale"))
        #expect(error.line != nil)
        #expect(error.message.hasPrefix("YAML syntax"))
    }

    @Test("a test vector expecting an unknown point is refused")
    func vectorUnknownPoint() throws {
        let error = try #require(loadError(replacing: "stable: {value: true}", with: "stabel: {value: true}"))
        #expect(error.message == "no point or flag named \"stabel\"")
    }

    @Test("a type bool on a holding register is refused")
    func boolOnRegister() throws {
        let error = try #require(loadError(replacing: "    type: int16", with: "    type: bool"))
        #expect(error.field == "points[2].type")
    }
}
