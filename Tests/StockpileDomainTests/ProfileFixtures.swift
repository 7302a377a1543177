import StockpileDomain

/// A small scale profile exercising signs, decimals, flags, fields, sentinels and qualifiers.
enum ProfileFixtures {
    static let scale = """
        vendor: Test
        model: Indicator
        kind: scale
        source: {document: "fixture"}
        transport: {address_base: 1, max_registers: 8, max_gap: 2}
        points:
          - name: status
            table: holding
            address: 1
            type: uint16
            class: status
            flags:
              gross_negative: 7
              stable: {bit: 2, invert: true}
              error_code: {bits: 13-15}
              overload: {bits: 13-15, equals: 2}
              decimal_places: {bits: 8-9}
          - name: gross
            table: holding
            address: 2
            type: uint32
            unit: kg
            decimals_from: decimal_places
            sign_from: gross_negative
            quality: {require: [stable], reject: [overload]}
          - name: temperature
            table: input
            address: 1
            type: int16
            scale: 0.1
            unavailable: [0x7FFF]
          - name: humidity
            table: input
            address: 3
            type: float32
            order: CDAB
            unavailable: NaN
          - name: door_1
            table: discrete
            address: 1
            type: bool
        commands:
          zero: {table: holding, address: 9, value: 1, refused_in_motion: true}
          beacon_on: {table: coil, address: 1, value: true}
        vectors:
          - name: stable 2,500 kg
            registers:
              - {table: holding, address: 1, values: [0x0000, 0x0000, 2500]}
            expect:
              gross: {value: 2500, quality: good}
              stable: {value: true}
        """

    static func load(_ text: String = scale, file: String = "fixture.yaml") throws -> DeviceProfile {
        try ProfileLoader.parse(text, file: file)
    }
}
