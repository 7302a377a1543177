import Foundation
import Modbus
import StockpileTestSupport
import Testing

/// One noiseless Laumas scale, unit 1, on TCP and on an RTU line. The line is not paced at wire
/// speed: the fuzzer writes bursts far faster than 9,600 baud could carry them, and answers to the
/// well-formed nonsense among them would queue behind one another for seconds.
private let fuzzScenario = """
    name: fuzz
    seed: 3
    step: 100ms
    tcp:
      - {name: main, port: 0}
    rtu:
      - {name: line1, link: $DIR/rtu, baud: 9600, parity: E, pace: none}
    devices:
      - {name: scale, profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: 1, model: scale,
         parameters: {capacity: 5000, division: 1, noise_divisions: 0, load: 1234}}
    """

/// The seed of every malformed byte below: a failure repeats with it exactly.
private let fuzzSeed: UInt64 = 0x5EED_2026

/// Function codes no Modbus server here implements and libmodbus frames by their first byte alone.
private let unknownFunctions: [UInt8] = (7...127).filter { ![15, 16, 17, 22, 23].contains($0) }.map(UInt8.init)

/// A request whose framing is sound but whose content is not, and the exception it must draw.
private struct BadRequest {
    var unit: UInt8
    var pdu: [UInt8]
    var exception: UInt8

    var function: UInt8 { pdu[0] }

    /// One of the malformed-but-framed requests a standard slave answers with an exception.
    static func random(using rng: inout SplitMix64) -> BadRequest {
        func word(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let address = Int.random(in: 0...0xFFFF, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:
            // An unknown function, with a few bytes of whatever after it.
            let function = unknownFunctions.randomElement(using: &rng)!
            return BadRequest(unit: 1, pdu: [function] + rng.bytes(Int.random(in: 0...4, using: &rng)), exception: 1)
        case 1:
            // Register reads of 0 or more than 125 registers.
            let count = Bool.random(using: &rng) ? 0 : Int.random(in: 126...0xFFFF, using: &rng)
            return BadRequest(
                unit: 1, pdu: [UInt8.random(in: 3...4, using: &rng)] + word(address) + word(count), exception: 3)
        case 2:
            // Bit reads of 0 or more than 2000 bits.
            let count = Bool.random(using: &rng) ? 0 : Int.random(in: 2001...0xFFFF, using: &rng)
            return BadRequest(
                unit: 1, pdu: [UInt8.random(in: 1...2, using: &rng)] + word(address) + word(count), exception: 3)
        case 3:
            // A sound count past the end of the register map.
            let count = Int.random(in: 1...125, using: &rng)
            return BadRequest(
                unit: 1, pdu: [3] + word(Int.random(in: 200...0xFF00, using: &rng)) + word(count), exception: 2)
        case 4:
            // FC 16 whose byte count disagrees with its count, or whose count is 0 or over 123.
            var count = Int.random(in: 0...0xFFFF, using: &rng)
            // At most 240 data bytes: the whole request stays within the 260-byte ADU.
            var bytes = Int.random(in: 0...240, using: &rng)
            if (1...123).contains(count), bytes == count * 2 { bytes += 1 }
            if Bool.random(using: &rng) { (count, bytes) = (0, 0) }
            return BadRequest(
                unit: 1, pdu: [16] + word(address) + word(count) + [UInt8(bytes)] + rng.bytes(bytes), exception: 3)
        case 5:
            // FC 5 with a value other than ON (0xFF00) and OFF (0x0000).
            var value = Int.random(in: 1...0xFFFE, using: &rng)
            if value == 0xFF00 { value = 0x1234 }
            return BadRequest(unit: 1, pdu: [5] + word(address) + word(value), exception: 3)
        default:
            // A sound read for a unit nobody serves: the gateway's exception 11.
            return BadRequest(
                unit: UInt8.random(in: 2...247, using: &rng), pdu: [3, 0, 7, 0, 2], exception: 11)
        }
    }
}

/// What the TCP fuzzing did.
private struct TCPFuzzReport: Sendable {
    var framedRequests = 0
    var framedRequestsToUnit1 = 0
    var wrongAnswers: [String] = []
    var garbageConnections = 0
    var garbageLeftOpen = 0
    var stalledDropped = 0
}

/// Malformed Modbus TCP: framed requests answered one by one, garbage on connections of its own.
private struct TCPFuzzer {
    var port: Int
    var rng: SplitMix64

    mutating func run(framed: Int, garbage: Int, stalled: Int) throws -> TCPFuzzReport {
        var report = TCPFuzzReport()
        // 1. Framed but malformed requests, one after the other on a few connections: each must get
        //    its exception, with the transaction id echoed, and the connection must stay usable.
        var connection = try LoopbackConnection(port: port)
        for index in 0..<framed {
            if index % 400 == 399 { connection = try LoopbackConnection(port: port) }
            let request = BadRequest.random(using: &rng)
            let transaction = UInt16(truncatingIfNeeded: index)
            let length = request.pdu.count + 1
            let header: [UInt8] = [
                UInt8(transaction >> 8), UInt8(transaction & 0xFF), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF),
                request.unit,
            ]
            try connection.send(header + request.pdu)
            let expected = Array(header[0..<4]) + [0, 3, request.unit, request.function | 0x80, request.exception]
            let (answer, ending) = try connection.receive(count: expected.count)
            report.framedRequests += 1
            if request.unit == 1 { report.framedRequestsToUnit1 += 1 }
            if answer != expected {
                report.wrongAnswers.append(
                    "\(hex(header + request.pdu)) -> \(hex(answer)) \(ending.map { "\($0)" } ?? "")")
                if ending != nil { connection = try LoopbackConnection(port: port) }
            }
        }
        // 2. Garbage, each on a connection of its own, then end of stream: the server must close.
        for _ in 0..<garbage {
            let garbageConnection = try LoopbackConnection(port: port)
            try garbageConnection.send(randomGarbage())
            garbageConnection.finishSending()
            report.garbageConnections += 1
            if try garbageConnection.receiveToEnd().ending != .closed { report.garbageLeftOpen += 1 }
        }
        // 3. Half a frame, then nothing: the server drops the client after its frame timeout.
        for _ in 0..<stalled {
            let stalledConnection = try LoopbackConnection(port: port, timeout: .seconds(2))
            try stalledConnection.send([0, 1, 0, 0, 0, 6, 1, 3, 0])
            if try stalledConnection.receiveToEnd().ending == .closed { report.stalledDropped += 1 }
        }
        return report
    }

    /// Bytes no client should send: noise, short headers, MBAP lengths that lie, odd protocol ids,
    /// function codes of 0 and above 127, frames promising more than they carry.
    mutating func randomGarbage() -> [UInt8] {
        let read: [UInt8] = [3, 0, 7, 0, 2]
        let transaction = rng.bytes(2)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            return rng.bytes(Int.random(in: 1...300, using: &rng))
        case 1:
            return Array((transaction + [0, 0, 0, 6, 1] + read).prefix(Int.random(in: 1...7, using: &rng)))
        case 2:
            let length = [0, 1, 2, 3, 200, 255, 256, 0xFFFF, Int.random(in: 0...0xFFFF, using: &rng)]
                .randomElement(using: &rng)!
            return transaction + [0, 0, UInt8(length >> 8), UInt8(length & 0xFF), 1] + read
                + rng.bytes(Int.random(in: 0...20, using: &rng))
        case 3:
            return transaction + rng.bytes(2) + [0, 6, 1] + read
        case 4:
            let function = Bool.random(using: &rng) ? UInt8.random(in: 128...255, using: &rng) : 0
            return transaction + [0, 0, 0, 2, 1, function] + rng.bytes(Int.random(in: 0...3, using: &rng))
        default:
            let function = [15, 16, 22, 23].randomElement(using: &rng)!
            return transaction + [0, 0, 0, 0xFF, 1, UInt8(function), 0, 0, 0, 0x7B, 0xF6]
                + rng.bytes(Int.random(in: 0...40, using: &rng))
        }
    }
}

/// What the RTU fuzzing did.
private struct RTUFuzzReport: Sendable {
    var bursts = 0
    var bytes = 0
    var probes = 0
    var wrongProbeAnswers: [String] = []
    /// Probes that needed more than one attempt (lost in the noise, then answered).
    var repeatedProbes = 0
    /// Bytes the server sent back while the noise went on: answers to the well-formed nonsense.
    var answeredBytes = 0
}

/// Random bursts on the RTU line, with a probe now and then that must still be answered.
private struct RTUFuzzer {
    var path: String
    var rng: SplitMix64

    mutating func run(bursts: Int, probeEvery: Int) throws -> RTUFuzzReport {
        let line = try RawSerialLine(path: path)
        var report = RTUFuzzReport()
        // Unit 1, read 0 holding registers: exception 3 on a line that is still in step.
        let probe = [1, 3, 0, 7, 0, 0] + modbusCRC([1, 3, 0, 7, 0, 0])
        let probeAnswer = [1, 0x83, 3] + modbusCRC([1, 0x83, 3])
        for index in 0..<bursts {
            let burst = randomBurst()
            try line.write(burst)
            report.bursts += 1
            report.bytes += burst.count
            // Bursts go out in fours, each four followed by the silence that ends a frame (3.5
            // characters, 5 ms in the server), so that the next four are framed afresh.
            if index % 4 == 3 {
                usleep(6_000)
                report.answeredBytes += line.readAvailable().count
            }
            guard index % probeEvery == probeEvery - 1 else { continue }
            // Whatever was still answered goes, then the probe. RTU frames end at a silence: when a
            // loaded machine wakes the server late, the garbage's tail and the probe can reach it in
            // one read with no gap to see, so a probe may be lost exactly as on a noisy RS-485 line,
            // and, like a real master, the probe is repeated (at most three times) before it counts
            // as unanswered.
            report.probes += 1
            var answers: [String] = []
            for _ in 0..<3 {
                report.answeredBytes += line.drain(quiet: .milliseconds(15))
                try line.write(probe)
                let answer = line.read(count: probeAnswer.count, within: .milliseconds(500))
                if answer == probeAnswer { break }
                answers.append(hex(answer))
            }
            if !answers.isEmpty { report.repeatedProbes += 1 }
            if answers.count == 3 { report.wrongProbeAnswers.append("after burst \(index): \(answers)") }
        }
        report.answeredBytes += line.drain(quiet: .milliseconds(15))
        return report
    }

    /// Noise, frames with a bad CRC, cut frames, over-long frames, and well-formed frames that ask
    /// for nonsense (never unit 0: a broadcast write would change the scales).
    mutating func randomBurst() -> [UInt8] {
        func framed(_ body: [UInt8]) -> [UInt8] { body + modbusCRC(body) }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            return rng.bytes(Int.random(in: 1...64, using: &rng))
        case 1:
            var frame = framed([1, 3, 0, 7, 0, 2])
            frame[Int.random(in: 0..<frame.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            return frame
        case 2:
            return Array(framed([1, 3, 0, 7, 0, 2]).prefix(Int.random(in: 1...7, using: &rng)))
        case 3:
            return rng.bytes(Int.random(in: 257...300, using: &rng))
        default:
            let request = BadRequest.random(using: &rng)
            return framed([Bool.random(using: &rng) ? 1 : UInt8.random(in: 2...247, using: &rng)] + request.pdu)
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
}

@Suite("the simulator survives garbage")
struct SimulatorFuzzTests {
    @Test("thousands of malformed TCP frames and random RTU bursts leave it answering every client")
    func garbage() async throws {
        try await SimulatorProcess.run(scenario: fuzzScenario) { simulator in
            let port = simulator.port
            let link = try #require(simulator.link)
            async let tcpRun = OffPool.run("fuzz tcp") {
                var fuzzer = TCPFuzzer(port: port, rng: SplitMix64(seed: fuzzSeed))
                return try fuzzer.run(framed: 1_600, garbage: 1_500, stalled: 3)
            }
            async let rtuRun = OffPool.run("fuzz rtu") {
                var fuzzer = RTUFuzzer(path: link, rng: SplitMix64(seed: fuzzSeed ^ 0xFFFF))
                return try fuzzer.run(bursts: 2_000, probeEvery: 40)
            }
            let (tcp, rtu) = try await (tcpRun, rtuRun)

            #expect(tcp.framedRequests + tcp.garbageConnections + 3 >= 3_000)
            #expect(tcp.wrongAnswers.isEmpty, "seed \(fuzzSeed): \(tcp.wrongAnswers.prefix(5))")
            #expect(tcp.garbageLeftOpen == 0, "seed \(fuzzSeed): connections the server neither answered nor closed")
            #expect(tcp.stalledDropped == 3, "a client stalled mid-frame is dropped after the frame timeout")
            #expect(rtu.bursts == 2_000 && rtu.probes == 50)
            #expect(rtu.wrongProbeAnswers.isEmpty, "seed \(fuzzSeed): \(rtu.wrongProbeAnswers.prefix(5))")
            #expect(
                rtu.repeatedProbes <= rtu.probes / 5, "at most one probe in five lost to framing: \(rtu.repeatedProbes)"
            )
            #expect(rtu.answeredBytes > 0, "the well-formed nonsense among the noise was framed and answered")
            #expect(simulator.isRunning, "\(simulator.standardError)")

            // Afterwards: an ordinary client on each transport reads the scale the control channel shows.
            let scale = try await simulator.device("scale")
            #expect(scale.values["gross"] == 1234)
            let tcpClient = try ModbusClient(configuration: .init(transport: .tcp(host: "127.0.0.1", port: port)))
            #expect(try await tcpClient.readHoldingRegisters(unit: 1, address: 7, count: 2) == [0, 1234])
            await tcpClient.close()
            let rtuClient = try ModbusClient(
                configuration: .init(transport: .rtu(SerialLine(device: link, baud: 9600, parity: .even))))
            #expect(try await rtuClient.readHoldingRegisters(unit: 1, address: 7, count: 2) == [0, 1234])
            await rtuClient.close()
            for transport in [["-p", "\(port)", "127.0.0.1"], ["-m", "rtu", "-b", "9600", "-P", "even", link]] {
                let mbpoll = try await IndependentPeers.mbpoll(
                    ["-0", "-a", "1", "-r", "7", "-t", "4:int", "-B"] + transport)
                #expect(mbpoll.status == 0, "\(mbpoll.standardError)")
                #expect(IndependentPeers.mbpollValues(mbpoll.standardOutput)[1]?[7] == "1234")
            }
            // Every framed request to unit 1 was counted as an exception sent.
            let counters = try await simulator.counters("scale")
            #expect(counters.exceptions >= tcp.framedRequestsToUnit1 + rtu.probes)
            #expect(simulator.isRunning)
        }
    }

    @Test("a tare written with a byte count that disagrees with its count gets exception 3 and tares nothing")
    func malformedCommandWrite() async throws {
        try await SimulatorProcess.run(scenario: fuzzScenario) { simulator in
            let port = simulator.port
            // FC 16 to the command register (wire 5) with the tare value 7, one register but a byte
            // count of 4: the Modbus specification (§6.12) answers exception 3, and nothing is written.
            let request: [UInt8] = [0, 9, 0, 0, 0, 11, 1, 16, 0, 5, 0, 1, 4, 0, 7, 0, 0]
            let answer = try await OffPool.run("malformed write") { () throws -> [UInt8] in
                let connection = try LoopbackConnection(port: port)
                try connection.send(request)
                return try connection.receive(count: 9).bytes
            }
            #expect(answer == [0, 9, 0, 0, 0, 3, 1, 0x90, 3])
            let scale = try await simulator.device("scale")
            #expect(scale.values["tare"] == 0 && scale.values["net"] == 1234, "\(scale.values)")
        }
    }
}
