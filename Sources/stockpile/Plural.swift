/// Counts as a person writes them: "1 bus", "3 buses".
enum Plural {
    static func count(_ count: Int, _ one: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? one : plural ?? one + "s")"
    }
}
