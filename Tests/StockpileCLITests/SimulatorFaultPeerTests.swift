import Foundation
import Testing

/// One healthy scale and one scale per fault kind, each on TCP and on the RTU line. Each scale's
/// load is 1000 + its unit id, so an answer names the scale it came from.
private let faultScenario = """
    name: fault-peers
    seed: 5
    step: 100ms
    tcp:
      - {name: main, port: 0}
    rtu:
      - {name: line1, link: $DIR/rtu, baud: 9600, parity: E}
    devices:

    """
    + [
        ("healthy", 1), ("offline", 11), ("slow", 12), ("busy", 13), ("crc", 14), ("truncating", 15),
        ("dropping", 16), ("confused", 17),
    ].map { name, unit in
        "  - {name: \(name), profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: \(unit), model: scale,"
            + " parameters: {noise_divisions: 0, load: \(1000 + unit)}}\n"
    }.joined()

/// The fault each scale gets through the control channel, and the name the channel then lists.
private let faultsToArm: [(device: String, body: String, name: String)] = [
    ("offline", #"{"fault": "offline"}"#, "offline"),
    ("slow", #"{"fault": "slow", "delay": "1500ms"}"#, "slow"),
    ("busy", #"{"fault": "exception", "code": 6}"#, "exception"),
    ("crc", #"{"fault": "bad_crc"}"#, "bad_crc"),
    ("truncating", #"{"fault": "truncated"}"#, "truncated"),
    ("dropping", #"{"fault": "drop_connection"}"#, "drop_connection"),
    ("confused", #"{"fault": "wrong_unit"}"#, "wrong_unit"),
]

private func armFaults(_ simulator: SimulatorProcess) async throws {
    for fault in faultsToArm {
        let inForce = try await simulator.addFault(fault.device, fault.body)
        #expect(inForce == [fault.name], "\(fault.device)")
    }
}

/// The slow scale's delay, and the short client timeout that gives up before it.
private let slowDelay = 1.5
private let shortTimeout = 0.3

@Suite("faults as independent Modbus masters see them")
struct SimulatorFaultPeerTests {
    @Test("pymodbus sees each fault over TCP and over the pty as its own specific failure")
    func pymodbus() async throws {
        try await SimulatorProcess.run(scenario: faultScenario) { simulator in
            try await armFaults(simulator)
            func read(_ unit: Int) -> [IndependentPeers.PymodbusRequest] { [.init(unit: unit, address: 7, count: 2)] }
            let port = simulator.port
            let pty = try #require(simulator.pty)
            // One new connection (or port opening) per fault. On the line a late answer goes out
            // whoever listens, so there the slow unit comes last, the long wait before the short.
            let units = [1, 11, 13, 14, 15, 16, 17]
            async let tcpReport = IndependentPeers.pymodbus(
                units.map { .tcp(port, timeout: $0 == 1 ? 1 : shortTimeout, read($0)) }
                    + [.tcp(port, timeout: 0.5, read(12)), .tcp(port, timeout: 3, read(12))])
            async let rtuReport = IndependentPeers.pymodbus(
                units.map { .serial(pty, timeout: $0 == 1 ? 1 : shortTimeout, read($0)) }
                    + [.serial(pty, timeout: 3, read(12)), .serial(pty, timeout: 0.5, read(12))])
            let (tcp, rtu) = try await (tcpReport, rtuReport)
            let tcpResults = tcp.sessions.compactMap(\.results.first)
            let rtuResults = rtu.sessions.compactMap(\.results.first)
            try #require(tcpResults.count == 9 && rtuResults.count == 9, "\(tcp) \(rtu)")
            let noAnswer = "No response received after 0 retries"

            for (transport, results) in [("tcp", tcpResults), ("rtu", rtuResults)] {
                // healthy: the data.
                #expect(results[0].ok && results[0].registers == [0, 1001], "\(transport) \(results[0])")
                // offline: nothing comes; pymodbus gives up after its timeout.
                #expect(results[1].error == "ModbusIOException", "\(transport) \(results[1])")
                #expect(results[1].message?.contains(noAnswer) == true)
                #expect(results[1].elapsed >= shortTimeout - 0.05)
                // exception 6: an ExceptionResponse for function 0x83, code 6 (server device busy).
                #expect(results[2].error == "ExceptionResponse", "\(transport) \(results[2])")
                #expect(results[2].exceptionCode == 6)
                #expect(results[2].message == "ExceptionResponse(dev_id=13, function_code=131, exception_code=6)")
                // wrong unit: pymodbus drops the answer from unit 18 and times out.
                #expect(results[6].error == "ModbusIOException", "\(transport) \(results[6])")
                #expect(results[6].notices.contains("ERROR: request ask for id=17 but got id=18, Skipping."))
            }

            // bad_crc over TCP (no CRC there) answers function 4 for function 3. pymodbus 3.16 does not
            // compare the function code of a TCP answer: it takes the corrupted answer as data.
            #expect(tcpResults[3].ok && tcpResults[3].response == "ReadInputRegistersResponse", "\(tcpResults[3])")
            #expect(tcpResults[3].registers == [0, 1014])
            // bad_crc over RTU: pymodbus checks the CRC, drops the frame and times out.
            #expect(rtuResults[3].error == "ModbusIOException", "\(rtuResults[3])")
            #expect(rtuResults[3].notices.contains("Frame CRC check failed, possible garbage"))

            // truncated: half an answer, then nothing; pymodbus waits for the rest until its timeout.
            #expect(tcpResults[4].error == "ModbusIOException", "\(tcpResults[4])")
            #expect(
                tcpResults[4].notices.contains {
                    $0.hasPrefix("Very short frame (NO MBAP)") && $0.hasSuffix("wait for more data")
                })
            #expect(rtuResults[4].error == "ModbusIOException", "\(rtuResults[4])")
            #expect(rtuResults[4].notices.contains("Frame - not ready"))

            // drop_connection: over TCP the connection closes under the request; on a line, silence.
            #expect(tcpResults[5].error == "ConnectionException", "\(tcpResults[5])")
            #expect(tcpResults[5].message?.contains("Connection unexpectedly closed") == true)
            #expect(tcpResults[5].elapsed < shortTimeout)
            #expect(rtuResults[5].error == "ModbusIOException", "\(rtuResults[5])")
            #expect(rtuResults[5].message?.contains(noAnswer) == true)

            // slow, 1.5 s: a 0.5 s timeout gives up; a 3 s timeout gets the data, after the delay.
            let (tcpShort, tcpLong, rtuLong, rtuShort) = (tcpResults[7], tcpResults[8], rtuResults[7], rtuResults[8])
            for short in [tcpShort, rtuShort] {
                #expect(short.error == "ModbusIOException" && short.message?.contains(noAnswer) == true, "\(short)")
                #expect(short.elapsed >= 0.45 && short.elapsed < slowDelay)
            }
            for long in [tcpLong, rtuLong] {
                #expect(long.ok && long.registers == [0, 1012], "\(long)")
                #expect(long.elapsed >= slowDelay - 0.01 && long.elapsed < 3)
            }
        }
    }

    @Test("mbpoll prints libmodbus's message for each fault, over TCP at once and on the pty in turn")
    func mbpoll() async throws {
        try await SimulatorProcess.run(scenario: faultScenario) { simulator in
            try await armFaults(simulator)
            let link = try #require(simulator.link)
            let tcp = ["-p", "\(simulator.port)", "127.0.0.1"]
            let rtu = ["-m", "rtu", "-b", "9600", "-P", "even", link]
            @Sendable func read(_ unit: Int, timeout: Double = shortTimeout, _ transport: [String]) -> [String] {
                ["-0", "-a", "\(unit)", "-r", "7", "-t", "4:int", "-B", "-o", "\(timeout)"] + transport
            }
            func weight(_ outcome: PeerOutcome, _ unit: Int) -> String? {
                IndependentPeers.mbpollValues(outcome.standardOutput)[unit]?[7]
            }
            let failed = "Read output (holding) register failed: "

            // On the line one request at a time, the slow unit last, since its late answer goes
            // out to whoever then listens; meanwhile over TCP every fault at once.
            let serialCases: [(unit: Int, timeout: Double, message: String?)] = [
                (1, 1, nil),  // healthy
                (11, shortTimeout, "Connection timed out"),  // offline
                (13, shortTimeout, "Slave device or server is busy"),  // exception 6
                (14, shortTimeout, "Invalid CRC"),  // bad_crc
                (15, shortTimeout, "Connection timed out"),  // truncated
                (16, shortTimeout, "Connection timed out"),  // drop_connection: silence on a line
                (17, shortTimeout, "Response not from requested slave"),  // wrong_unit: libmodbus checks the id on RTU
                (12, 3, nil),  // slow, waited for
                (12, 0.5, "Connection timed out"),  // slow, given up on
            ]
            @Sendable func serialRun() async throws -> [PeerOutcome] {
                var outcomes: [PeerOutcome] = []
                for (unit, timeout, _) in serialCases {
                    outcomes.append(try await IndependentPeers.mbpoll(read(unit, timeout: timeout, rtu)))
                }
                return outcomes
            }
            async let serialOutcomes = serialRun()

            // Over TCP each fault on its own connection: none holds up another.
            let cases = [
                (1, 1.0), (11, shortTimeout), (13, shortTimeout), (14, shortTimeout), (15, shortTimeout),
                (16, shortTimeout), (17, shortTimeout), (12, 0.5), (12, 3),
            ]
            let outcomes = try await withThrowingTaskGroup(of: (Int, PeerOutcome).self) { group in
                for (index, (unit, timeout)) in cases.enumerated() {
                    group.addTask { (index, try await IndependentPeers.mbpoll(read(unit, timeout: timeout, tcp))) }
                }
                var outcomes: [Int: PeerOutcome] = [:]
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return cases.indices.map { outcomes[$0]! }
            }
            let healthy = outcomes[0]
            #expect(healthy.status == 0 && weight(healthy, 1) == "1001", "\(healthy)")
            // The answer itself is the check; how soon it came is not asserted (no wall-time bounds in tests).
            let expectedErrors: [(Int, String)] = [
                (1, "Connection timed out"),  // offline
                (2, "Slave device or server is busy"),  // exception 6
                (3, "Invalid data"),  // bad_crc on TCP: an answer for function 4, not 3
                (4, "Connection timed out"),  // truncated
                (5, "Connection reset by peer"),  // drop_connection: libmodbus reads end of stream as a reset
                (7, "Connection timed out"),  // slow with a 0.5 s timeout
            ]
            for (index, message) in expectedErrors {
                #expect(outcomes[index].status == 1, "unit \(cases[index].0): \(outcomes[index])")
                #expect(outcomes[index].standardError == failed + message + "\n", "unit \(cases[index].0)")
            }
            // wrong_unit on TCP: libmodbus 3.1.6 does not compare the unit id of a TCP answer, so
            // mbpoll prints the misaddressed answer's data as if unit 17 had sent it.
            #expect(outcomes[6].status == 0 && weight(outcomes[6], 17) == "1017", "\(outcomes[6])")
            // slow with a 3 s timeout: the data, after the delay.
            #expect(outcomes[8].status == 0 && weight(outcomes[8], 12) == "1012", "\(outcomes[8])")
            #expect(outcomes[8].seconds >= slowDelay && outcomes[8].seconds < 3)
            #expect(outcomes[7].seconds < slowDelay)

            let serial = try await serialOutcomes
            for (outcome, expected) in zip(serial, serialCases) {
                if let message = expected.message {
                    #expect(outcome.status == 1, "unit \(expected.unit): \(outcome)")
                    #expect(outcome.standardError == failed + message + "\n", "unit \(expected.unit)")
                } else {
                    #expect(outcome.status == 0, "unit \(expected.unit): \(outcome)")
                    #expect(weight(outcome, expected.unit) == "\(1000 + expected.unit)", "\(outcome)")
                }
            }
            #expect(
                serial[7].seconds >= slowDelay && serial[7].seconds < 3, "the slow unit's answer comes after its delay")
        }
    }
}
