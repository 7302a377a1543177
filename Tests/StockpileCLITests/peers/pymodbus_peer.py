#!/usr/bin/env python3
"""An independent Modbus master for the simulator's interoperability tests, on pymodbus 3.16.

Usage: python3 pymodbus_peer.py SPEC, where SPEC is a JSON object {"sessions": [SESSION, ...]}.
Each session is one client (a new TCP connection, or the serial port opened anew), run in order:

    {"tcp": "127.0.0.1:1502"}  or  {"serial": "/dev/pts/7", "baud": 9600, "parity": "N"},
    "timeout": seconds per request (default 1), "retries": (default 0),
    "requests": [{"unit": 1, "table": "holding" | "input", "address": 7, "count": 2,
                  "decode": "uint32" | "float32_cdab" (optional)}]

Prints one JSON object: {"sessions": [{"connected": bool, "results": [RESULT, ...]}, ...]}, one
result per request: {"ok": true, "registers": [...], "value": decoded, "response": class,
"unit": id answered, "elapsed": s} or, when the request failed, {"ok": false, "error": exception
or response class, "message": text, "exception_code": n, "elapsed": s}. Both carry "notices":
what pymodbus logged meanwhile (CRC failures, answers from another unit). It never raises: what
pymodbus reported is the output. pymodbus 3.16 names the unit `device_id` (it was `slave`).
"""

import json
import logging
import sys
import time

from pymodbus.client import ModbusSerialClient, ModbusTcpClient

notices = []


class Collect(logging.Handler):
    def emit(self, record):
        notices.append(record.getMessage())


# pymodbus says what it rejected (a bad CRC, an answer from another unit) only in its log.
logger = logging.getLogger("pymodbus")
logger.addHandler(Collect())
logger.setLevel(logging.DEBUG)
logger.propagate = False


def client_for(session):
    timeout = float(session.get("timeout", 1))
    retries = int(session.get("retries", 0))
    if "tcp" in session:
        host, port = session["tcp"].rsplit(":", 1)
        return ModbusTcpClient(host, port=int(port), timeout=timeout, retries=retries, reconnect_delay=0)
    return ModbusSerialClient(
        session["serial"], baudrate=int(session.get("baud", 9600)), parity=session.get("parity", "N"), bytesize=8,
        stopbits=1, timeout=timeout, retries=retries, reconnect_delay=0)


def decode(client, registers, kind):
    if kind == "uint32":
        return client.convert_from_registers(registers, data_type=client.DATATYPE.UINT32, word_order="big")
    if kind == "float32_cdab":
        return client.convert_from_registers(registers, data_type=client.DATATYPE.FLOAT32, word_order="little")
    raise ValueError(f"unknown decode {kind!r}")


def perform(client, request):
    read = client.read_input_registers if request.get("table") == "input" else client.read_holding_registers
    notices.clear()
    start = time.monotonic()
    try:
        response = read(request["address"], count=request["count"], device_id=request["unit"])
    except Exception as error:  # what the peer raised is the observation
        return {"ok": False, "error": type(error).__name__, "message": str(error),
                "elapsed": time.monotonic() - start, "notices": list(notices)}
    elapsed = time.monotonic() - start
    if response.isError():
        return {"ok": False, "error": type(response).__name__, "message": str(response),
                "exception_code": getattr(response, "exception_code", None), "elapsed": elapsed,
                "notices": list(notices)}
    registers = list(response.registers)
    result = {"ok": True, "registers": registers, "response": type(response).__name__, "unit": response.dev_id,
              "elapsed": elapsed, "notices": list(notices)}
    if request.get("decode"):
        result["value"] = decode(client, registers, request["decode"])
    return result


def run(session):
    client = client_for(session)
    try:
        connected = bool(client.connect())
        results = [perform(client, request) for request in session.get("requests", [])] if connected else []
    finally:
        client.close()
    return {"connected": connected, "results": results}


def main():
    spec = json.loads(sys.argv[1])
    print(json.dumps({"sessions": [run(session) for session in spec["sessions"]]}))


if __name__ == "__main__":
    main()
