import StockpileDomain

/// How a `PointValue` lands in the two value columns: a number in `value` (REAL), a text in `value_text`,
/// and a bool in both (`value` 0 or 1, so aggregates and charts see it; `value_text` "true" or "false", so it
/// reads back as a bool). Neither column set means no value.
struct StoredValue: Hashable, Sendable {
    var number: Double?
    var text: String?

    init(number: Double?, text: String?) {
        self.number = number
        self.text = text
    }

    init(_ value: PointValue?) {
        switch value {
        case nil: self.init(number: nil, text: nil)
        case .number(let number): self.init(number: number, text: nil)
        case .bool(let flag): self.init(number: flag ? 1 : 0, text: flag ? "true" : "false")
        case .text(let text): self.init(number: nil, text: text)
        }
    }

    var pointValue: PointValue? {
        switch (number, text) {
        case (nil, nil): nil
        case (let number?, nil): .number(number)
        case (nil, let text?): .text(text)
        case (let number?, let text?): text == "true" || text == "false" ? .bool(number != 0) : .text(text)
        }
    }
}
