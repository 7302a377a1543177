import StockpileDomain
import Testing

@Suite("Access roles")
struct AccessRoleTests {
    @Test("what each role may do, the whole table")
    func table() {
        let expected: [AccessRole: Set<AccessAction>] = [
            .viewer: [.read],
            .operator: [.read, .acknowledge, .silence],
            .auditor: [.read, .reconcile, .count],
            .admin: Set(AccessAction.allCases),
        ]
        for role in AccessRole.allCases {
            #expect(Set(AccessAction.allCases.filter(role.permits)) == expected[role], "\(role)")
        }
        #expect(AccessRole.least(for: .acknowledge) == .operator)
        #expect(AccessRole.least(for: .reconcile) == .auditor)
        #expect(AccessRole.least(for: .recordTransaction) == .admin)
    }
}
