/*
 * reference_server.c - bare libmodbus TCP server used as a benchmark peer.
 *
 * Usage: reference_server [PORT]
 *
 *   PORT  TCP port to listen on, 0..65535 (default 0 = ephemeral port
 *         chosen by the kernel)
 *
 * Listens on 127.0.0.1 only. Once listening, prints the actual port as a
 * single line "PORT <n>" to stdout (flushed) so a harness can read it.
 * Serves any number of clients with the classic libmodbus select() loop
 * (modbus_tcp_listen, accept, modbus_set_socket, modbus_receive,
 * modbus_reply) and answers requests for any unit id.
 *
 * Data model (all addresses 0..99):
 *   holding registers  100, value of register i = i * 3
 *   input registers    100, value of register i = i
 *   coils              100, all 0
 *   discrete inputs    100, all 0
 *
 * SIGTERM / SIGINT set a flag; select() uses a short timeout (and is also
 * interrupted by the signal) so the loop notices it, closes every socket,
 * frees the mapping and exits with status 0.
 *
 * Build:
 *   cc -O2 -Wall -Wextra -o /tmp/refsrv Benchmarks/c/reference_server.c \
 *      $(pkg-config --cflags --libs libmodbus)
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <modbus.h>

#define LISTEN_ADDRESS "127.0.0.1"
#define NB_CONNECTION 64
#define NB_ITEMS 100
/* How often the loop wakes up to check the stop flag. */
#define SELECT_TIMEOUT_USEC 200000

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static int install_signal_handlers(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: let select() return EINTR */
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        return -1;
    }
    /* A client vanishing mid-reply must not kill the server. */
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0) {
        return -1;
    }
    /* A parent may start us with these signals blocked (Foundation's Process inherits the
     * spawning thread's mask, and Swift's worker threads block signals): unblock them, or a
     * SIGTERM stays pending for ever. */
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGINT);
    return sigprocmask(SIG_UNBLOCK, &wanted, NULL);
}

static void close_client(int fd, fd_set *refset, int *fdmax, int server_socket)
{
    close(fd);
    FD_CLR(fd, refset);
    if (fd == *fdmax) {
        while (*fdmax > server_socket && !FD_ISSET(*fdmax, refset)) {
            (*fdmax)--;
        }
    }
}

int main(int argc, char **argv)
{
    long port = 0;
    modbus_t *ctx;
    modbus_mapping_t *mb_mapping;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    struct sockaddr_in bound;
    socklen_t bound_len = sizeof(bound);
    fd_set refset, rdset;
    int server_socket, fdmax, fd, i;
    int exit_code = 0;

    if (argc > 2) {
        fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
        return 1;
    }
    if (argc == 2) {
        char *end = NULL;

        errno = 0;
        port = strtol(argv[1], &end, 10);
        if (errno != 0 || end == argv[1] || *end != '\0' || port < 0 || port > 65535) {
            fprintf(stderr, "reference_server: invalid PORT '%s'\n", argv[1]);
            return 1;
        }
    }

    if (install_signal_handlers() != 0) {
        perror("reference_server: sigaction");
        return 1;
    }

    ctx = modbus_new_tcp(LISTEN_ADDRESS, (int)port);
    if (ctx == NULL) {
        fprintf(stderr, "reference_server: modbus_new_tcp failed: %s\n",
                modbus_strerror(errno));
        return 1;
    }

    mb_mapping = modbus_mapping_new(NB_ITEMS, NB_ITEMS, NB_ITEMS, NB_ITEMS);
    if (mb_mapping == NULL) {
        fprintf(stderr, "reference_server: modbus_mapping_new failed: %s\n",
                modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }
    for (i = 0; i < NB_ITEMS; i++) {
        mb_mapping->tab_registers[i] = (uint16_t)(i * 3);
        mb_mapping->tab_input_registers[i] = (uint16_t)i;
    }

    server_socket = modbus_tcp_listen(ctx, NB_CONNECTION);
    if (server_socket == -1) {
        fprintf(stderr, "reference_server: cannot listen on %s:%ld: %s\n",
                LISTEN_ADDRESS, port, modbus_strerror(errno));
        modbus_mapping_free(mb_mapping);
        modbus_free(ctx);
        return 1;
    }
    if (server_socket >= FD_SETSIZE) {
        fprintf(stderr, "reference_server: listening socket exceeds FD_SETSIZE\n");
        close(server_socket);
        modbus_mapping_free(mb_mapping);
        modbus_free(ctx);
        return 1;
    }

    memset(&bound, 0, sizeof(bound));
    if (getsockname(server_socket, (struct sockaddr *)&bound, &bound_len) != 0) {
        perror("reference_server: getsockname");
        close(server_socket);
        modbus_mapping_free(mb_mapping);
        modbus_free(ctx);
        return 1;
    }
    printf("PORT %u\n", (unsigned)ntohs(bound.sin_port));
    fflush(stdout);

    FD_ZERO(&refset);
    FD_SET(server_socket, &refset);
    fdmax = server_socket;

    while (!stop_requested) {
        struct timeval tv;
        int nready;

        tv.tv_sec = 0;
        tv.tv_usec = SELECT_TIMEOUT_USEC;
        rdset = refset;
        nready = select(fdmax + 1, &rdset, NULL, NULL, &tv);
        if (nready == -1) {
            if (errno == EINTR) {
                continue;
            }
            perror("reference_server: select");
            exit_code = 1;
            break;
        }
        if (nready == 0) {
            continue;
        }

        for (fd = 0; fd <= fdmax && !stop_requested; fd++) {
            if (!FD_ISSET(fd, &rdset)) {
                continue;
            }

            if (fd == server_socket) {
                struct sockaddr_in client_addr;
                socklen_t addr_len = sizeof(client_addr);
                int newfd;

                newfd = accept(server_socket, (struct sockaddr *)&client_addr,
                               &addr_len);
                if (newfd == -1) {
                    if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
                        perror("reference_server: accept");
                    }
                    continue;
                }
                if (newfd >= FD_SETSIZE) {
                    fprintf(stderr, "reference_server: too many clients, "
                                    "dropping connection\n");
                    close(newfd);
                    continue;
                }
                {
                    /* Replies are small; don't let Nagle hold them back. */
                    int one = 1;
                    (void)setsockopt(newfd, IPPROTO_TCP, TCP_NODELAY, &one,
                                     sizeof(one));
                }
                FD_SET(newfd, &refset);
                if (newfd > fdmax) {
                    fdmax = newfd;
                }
            } else {
                int rc;

                modbus_set_socket(ctx, fd);
                rc = modbus_receive(ctx, query);
                if (rc > 0) {
                    /* libmodbus' TCP backend does not filter on the unit id,
                     * so every unit id gets an answer. */
                    if (modbus_reply(ctx, query, rc, mb_mapping) == -1) {
                        close_client(fd, &refset, &fdmax, server_socket);
                    }
                } else if (rc == -1) {
                    /* Connection closed by the peer, or a framing/IO error. */
                    close_client(fd, &refset, &fdmax, server_socket);
                }
                /* rc == 0: request ignored by libmodbus, keep the client. */
            }
        }
    }

    for (fd = 0; fd <= fdmax; fd++) {
        if (fd != server_socket && FD_ISSET(fd, &refset)) {
            close(fd);
        }
    }
    close(server_socket);
    /* The context's socket was one of the (now closed) client sockets. */
    modbus_set_socket(ctx, -1);
    modbus_mapping_free(mb_mapping);
    modbus_free(ctx);
    return exit_code;
}
