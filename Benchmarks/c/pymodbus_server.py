#!/usr/bin/env python3
"""pymodbus TCP server used as a benchmark / test peer for Stockpile.

Usage: pymodbus_server.py [PORT]

    PORT  TCP port to listen on (default 0 = ephemeral port chosen by the kernel)

Listens on 127.0.0.1 only. Once listening, prints the actual port as a single
line "PORT <n>" to stdout (flushed) so a harness can read it, then serves
until SIGTERM or SIGINT and exits with status 0.

Data model, same as reference_server.c (all addresses 0..99):
    holding registers  100, value of register i = i * 3
    input registers    100, value of register i = i
    coils              100, all False
    discrete inputs    100, all False
Requests for any unit id are answered.

Written and tested against pymodbus 3.16.1 (`pip install pymodbus`), where the
datastore is described with SimDevice/SimData and ModbusDeviceContext /
ModbusServerContext / ModbusSequentialDataBlock are deprecated (removal
planned for 4.0). For older 3.x releases the script falls back to the context
API: ModbusDeviceContext (3.10+), or ModbusSlaveContext (before the
slave -> device_id rename).
"""

from __future__ import annotations

import asyncio
import signal
import sys

import pymodbus
from pymodbus.server import ModbusTcpServer

HOST = "127.0.0.1"
N_ITEMS = 100
HOLDING = [i * 3 for i in range(N_ITEMS)]
INPUT = list(range(N_ITEMS))


def build_context():
    """Return the datastore argument for ModbusTcpServer."""
    try:
        # pymodbus >= 3.12-ish: SimDevice / SimData (the installed 3.16.1 path).
        from pymodbus.simulator import DataType, SimData, SimDevice
    except ImportError:
        SimDevice = None  # noqa: N806

    if SimDevice is not None:
        # Four distinct blocks (coils, discrete inputs, holding, input);
        # SimData addresses are the protocol addresses (0-based).
        # id=0 means "every unit id not defined otherwise".
        return SimDevice(
            id=0,
            simdata=(
                [SimData(0, count=N_ITEMS, values=False, datatype=DataType.BITS)],
                [SimData(0, count=N_ITEMS, values=False, datatype=DataType.BITS)],
                [SimData(0, values=HOLDING, datatype=DataType.REGISTERS)],
                [SimData(0, values=INPUT, datatype=DataType.REGISTERS)],
            ),
        )

    # Older 3.x: classic context API. With the default (non zero_mode)
    # addressing, protocol address 0 maps to block address 1.
    from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext

    try:
        from pymodbus.datastore import ModbusDeviceContext as _Context
    except ImportError:
        from pymodbus.datastore import ModbusSlaveContext as _Context
    device = _Context(
        di=ModbusSequentialDataBlock(1, [False] * N_ITEMS),
        co=ModbusSequentialDataBlock(1, [False] * N_ITEMS),
        hr=ModbusSequentialDataBlock(1, HOLDING),
        ir=ModbusSequentialDataBlock(1, INPUT),
    )
    # Positional first argument: "slaves=" was renamed "devices=".
    # single=True: the same device answers every unit id.
    return ModbusServerContext(device, single=True)


def listening_port(server) -> int | None:
    """Actual port of a listening ModbusTcpServer, or None if not (yet) known.

    pymodbus binds (HOST, 0) itself, so the kernel picks a free port without
    a bind/close/re-bind race; the asyncio.Server it creates is kept in
    server.transport (3.1+) or server.server (3.0).
    """
    for attr in ("transport", "server"):
        listener = getattr(server, attr, None)
        for sock in getattr(listener, "sockets", None) or ():
            return sock.getsockname()[1]
    return None


async def main(port: int) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # A parent may start us with these signals blocked (Foundation's Process inherits the
    # spawning thread's mask): unblock them, or SIGTERM stays pending for ever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)

    context = build_context()
    server = ModbusTcpServer(context, address=(HOST, port))
    serving = asyncio.create_task(server.serve_forever())

    # Wait until the listening socket exists, then report its real port.
    actual = None
    for _ in range(200):  # up to ~10 s
        if serving.done():
            serving.result()  # re-raise the startup error
            print("pymodbus_server: server stopped during startup", file=sys.stderr)
            return 1
        actual = listening_port(server)
        if actual is not None:
            break
        await asyncio.sleep(0.05)
    if actual is None and port != 0:
        actual = port  # transport not introspectable, but the port is known
    if actual is None:
        print("pymodbus_server: could not determine the listening port", file=sys.stderr)
        await server.shutdown()
        return 1

    print(f"PORT {actual}", flush=True)

    stop_wait = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
    if not serving.done():
        await server.shutdown()
        try:
            await asyncio.wait_for(serving, timeout=5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            serving.cancel()
    stop_wait.cancel()
    return 0


def parse_args(argv: list[str]) -> int:
    if len(argv) > 2:
        sys.exit(f"usage: {argv[0]} [PORT]")
    if len(argv) == 1:
        return 0
    try:
        port = int(argv[1])
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        sys.exit(f"pymodbus_server: invalid PORT '{argv[1]}'")
    return port


if __name__ == "__main__":
    requested = parse_args(sys.argv)
    print(f"pymodbus_server: pymodbus {pymodbus.__version__}", file=sys.stderr)
    sys.exit(asyncio.run(main(requested)))
