/*
 * reference_client.c - libmodbus reference load generator for Stockpile benchmarks.
 *
 * Usage: reference_client HOST PORT SECONDS [UNIT] [COUNT_REGS] [FUNCTION] [ADDRESS]
 *
 *   HOST        IPv4 address of the server (modbus_new_tcp takes a dotted
 *               address, not a host name), e.g. 127.0.0.1
 *   PORT        TCP port
 *   SECONDS     length of the timed run (default 3; fractions allowed)
 *   UNIT        Modbus unit id / slave (default 1)
 *   COUNT_REGS  registers read per request, 1..125 (default 10)
 *   FUNCTION    3 (read holding registers, default) or 4 (read input registers)
 *   ADDRESS     first register, 0-based (default 0)
 *
 * Connects, sends WARMUP_REQUESTS untimed "read holding registers"
 * (function 0x03) requests at address 0, then issues the same request
 * back-to-back (one outstanding request at a time) for SECONDS and prints
 * a single line of JSON to stdout:
 *
 *   {"requests": N, "seconds": S, "rate": R, "errors": E}
 *
 *   requests  successful responses within the timed window
 *   seconds   measured wall time of the window (CLOCK_MONOTONIC)
 *   rate      requests / seconds
 *   errors    failed requests (timeouts, exception responses, I/O errors)
 *
 * Exit status: 0 on success, 1 on bad usage, 2 if the connection could not
 * be established (or was lost and could not be re-established), 3 if every
 * warm-up request failed (e.g. the server rejects the address range).
 *
 * Build:
 *   cc -O2 -Wall -Wextra -o /tmp/refcli Benchmarks/c/reference_client.c \
 *      $(pkg-config --cflags --libs libmodbus)
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <modbus.h>

#define WARMUP_REQUESTS 200
#define DEFAULT_SECONDS 3.0
#define DEFAULT_UNIT 1
#define DEFAULT_COUNT 10
#define START_ADDRESS 0
/* After this many consecutive non-exception failures, assume the connection
 * is gone and reconnect. */
#define MAX_CONSECUTIVE_ERRORS 50

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s HOST PORT SECONDS [UNIT] [COUNT_REGS]\n"
            "  HOST        IPv4 address, e.g. 127.0.0.1\n"
            "  PORT        TCP port (1..65535)\n"
            "  SECONDS     timed run length (default %.0f)\n"
            "  UNIT        unit id 0..255 (default %d)\n"
            "  COUNT_REGS  holding registers per read 1..%d (default %d)\n",
            prog, DEFAULT_SECONDS, DEFAULT_UNIT, MODBUS_MAX_READ_REGISTERS,
            DEFAULT_COUNT);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True for errno values that encode a Modbus exception response
 * (illegal function, illegal data address, ..., gateway target failed). */
static int is_modbus_exception(int err)
{
    return err >= EMBXILFUN && err <= EMBXGTAR;
}

/* Drop the current connection and open a new one. */
static int reconnect(modbus_t *ctx)
{
    modbus_close(ctx);
    return modbus_connect(ctx);
}

/* The request under test: function 3 or 4. */
static int read_registers(modbus_t *ctx, int function, int address, int count, uint16_t *regs)
{
    return function == 4 ? modbus_read_input_registers(ctx, address, count, regs)
                         : modbus_read_registers(ctx, address, count, regs);
}

int main(int argc, char **argv)
{
    const char *host;
    long port, unit = DEFAULT_UNIT, count = DEFAULT_COUNT, function = 3, address = START_ADDRESS;
    double seconds = DEFAULT_SECONDS;
    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    modbus_t *ctx;
    unsigned long long requests = 0, errors = 0;
    int consecutive_errors = 0;
    double start, deadline, now, elapsed;
    int i;

    if (argc < 3 || argc > 8) {
        usage(argv[0]);
        return 1;
    }
    host = argv[1];
    {
        struct in_addr probe;

        /* modbus_new_tcp() passes HOST to inet_addr(); a name would fail
         * later with a misleading errno. */
        if (inet_pton(AF_INET, host, &probe) != 1) {
            fprintf(stderr, "reference_client: HOST must be an IPv4 address "
                            "such as 127.0.0.1, got '%s'\n", host);
            return 1;
        }
    }
    if (parse_long(argv[2], 1, 65535, &port) != 0) {
        fprintf(stderr, "reference_client: invalid PORT '%s'\n", argv[2]);
        return 1;
    }
    if (argc > 3) {
        char *end = NULL;

        errno = 0;
        seconds = strtod(argv[3], &end);
        if (errno != 0 || end == argv[3] || *end != '\0' || !(seconds > 0.0)) {
            fprintf(stderr, "reference_client: invalid SECONDS '%s'\n", argv[3]);
            return 1;
        }
    }
    if (argc > 4 && parse_long(argv[4], 0, 255, &unit) != 0) {
        fprintf(stderr, "reference_client: invalid UNIT '%s'\n", argv[4]);
        return 1;
    }
    if (argc > 5 &&
        parse_long(argv[5], 1, MODBUS_MAX_READ_REGISTERS, &count) != 0) {
        fprintf(stderr, "reference_client: invalid COUNT_REGS '%s'\n", argv[5]);
        return 1;
    }
    if (argc > 6 && (parse_long(argv[6], 3, 4, &function) != 0)) {
        fprintf(stderr, "reference_client: invalid FUNCTION '%s' (3 or 4)\n", argv[6]);
        return 1;
    }
    if (argc > 7 && parse_long(argv[7], 0, 65535 - count + 1, &address) != 0) {
        fprintf(stderr, "reference_client: invalid ADDRESS '%s'\n", argv[7]);
        return 1;
    }

    ctx = modbus_new_tcp(host, (int)port);
    if (ctx == NULL) {
        fprintf(stderr, "reference_client: modbus_new_tcp(%s, %ld) failed: %s\n",
                host, port, modbus_strerror(errno));
        return 2;
    }
    if (modbus_set_slave(ctx, (int)unit) != 0) {
        fprintf(stderr, "reference_client: modbus_set_slave(%ld) failed: %s\n",
                unit, modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }
    if (modbus_connect(ctx) != 0) {
        fprintf(stderr, "reference_client: cannot connect to %s:%ld: %s\n",
                host, port, modbus_strerror(errno));
        modbus_free(ctx);
        return 2;
    }

    /* Warm-up: not timed, failures are not counted. If none of the warm-up
     * requests succeeds the run would be meaningless, so give up. */
    {
        int warm_ok = 0, warm_err = 0;

        for (i = 0; i < WARMUP_REQUESTS; i++) {
            if (read_registers(ctx, (int)function, (int)address, (int)count, regs) == (int)count) {
                warm_ok++;
                continue;
            }
            if (warm_err++ == 0) {
                fprintf(stderr, "reference_client: warm-up request failed: %s\n",
                        modbus_strerror(errno));
            }
            if (!is_modbus_exception(errno) && reconnect(ctx) != 0) {
                fprintf(stderr, "reference_client: reconnect to %s:%ld failed: %s\n",
                        host, port, modbus_strerror(errno));
                modbus_free(ctx);
                return 2;
            }
        }
        if (warm_ok == 0) {
            fprintf(stderr,
                    "reference_client: all %d warm-up requests failed "
                    "(read %ld holding registers at %d, unit %ld); giving up\n",
                    WARMUP_REQUESTS, count, (int)address, unit);
            modbus_close(ctx);
            modbus_free(ctx);
            return 3;
        }
    }

    start = now_seconds();
    deadline = start + seconds;
    for (;;) {
        int rc = read_registers(ctx, (int)function, (int)address, (int)count, regs);

        now = now_seconds();
        if (rc == (int)count) {
            requests++;
            consecutive_errors = 0;
        } else {
            errors++;
            /* An exception response means the link is fine; anything else
             * (timeout, reset, garbage) may leave the connection unusable. */
            if (is_modbus_exception(errno)) {
                consecutive_errors = 0;
            } else if (++consecutive_errors >= MAX_CONSECUTIVE_ERRORS) {
                if (reconnect(ctx) != 0) {
                    fprintf(stderr,
                            "reference_client: connection lost and reconnect "
                            "to %s:%ld failed: %s\n",
                            host, port, modbus_strerror(errno));
                    modbus_free(ctx);
                    return 2;
                }
                consecutive_errors = 0;
            }
        }
        if (now >= deadline) {
            break;
        }
    }
    elapsed = now - start;

    modbus_close(ctx);
    modbus_free(ctx);

    printf("{\"requests\": %llu, \"seconds\": %.6f, \"rate\": %.1f, \"errors\": %llu}\n",
           requests, elapsed, elapsed > 0.0 ? (double)requests / elapsed : 0.0,
           errors);
    fflush(stdout);
    return 0;
}
