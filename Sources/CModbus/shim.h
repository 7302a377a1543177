#ifndef STOCKPILE_CMODBUS_SHIM_H
#define STOCKPILE_CMODBUS_SHIM_H

#include <modbus.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>

// libmodbus defines its error codes as macros built from other macros
// (`EMBXILFUN` is `MODBUS_ENOBASE + MODBUS_EXCEPTION_ILLEGAL_FUNCTION`). Swift imports only
// literal macros, so the codes are restated here as enum constants with the same values.
enum {
    CMODBUS_ENOBASE = MODBUS_ENOBASE,
    CMODBUS_EMBXILFUN = EMBXILFUN,
    CMODBUS_EMBXILADD = EMBXILADD,
    CMODBUS_EMBXILVAL = EMBXILVAL,
    CMODBUS_EMBXSFAIL = EMBXSFAIL,
    CMODBUS_EMBXACK = EMBXACK,
    CMODBUS_EMBXSBUSY = EMBXSBUSY,
    CMODBUS_EMBXNACK = EMBXNACK,
    CMODBUS_EMBXMEMPAR = EMBXMEMPAR,
    CMODBUS_EMBXGPATH = EMBXGPATH,
    CMODBUS_EMBXGTAR = EMBXGTAR,
    CMODBUS_EMBBADCRC = EMBBADCRC,
    CMODBUS_EMBBADDATA = EMBBADDATA,
    CMODBUS_EMBBADEXC = EMBBADEXC,
    CMODBUS_EMBUNKEXC = EMBUNKEXC,
    CMODBUS_EMBMDATA = EMBMDATA,
    CMODBUS_EMBBADSLAVE = EMBBADSLAVE,
};

// `errno` is a macro over a thread-local lvalue; reading it through a function right after the
// failing call keeps the capture in one place and on the calling thread.
static inline int cmodbus_errno(void) { return errno; }

// The maximum ADU lengths are needed to size receive buffers for the server API.
enum {
    CMODBUS_TCP_MAX_ADU_LENGTH = MODBUS_TCP_MAX_ADU_LENGTH,
    CMODBUS_RTU_MAX_ADU_LENGTH = MODBUS_RTU_MAX_ADU_LENGTH,
    CMODBUS_MAX_ADU_LENGTH = MODBUS_MAX_ADU_LENGTH,
};

// Claims a serial line for this process alone: `TIOCEXCL` refuses further opens of the tty (for
// processes without CAP_SYS_ADMIN) and a non-blocking exclusive `flock` refuses every other
// Stockpile master, root included. Two masters on one RS-485 line corrupt each other's frames.
// Returns 0, or -1 with errno set (EWOULDBLOCK: another process holds the line).
static inline int cmodbus_claim_serial_line(int fd) {
    // libmodbus opens the line without O_CLOEXEC: a child this process starts (a notifier, a
    // test's peer) would inherit the descriptor and, with it, the lock after this process let go.
    (void)fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) return -1;
    // TIOCEXCL fails on descriptors that are not ttys; modbus_connect already checked that.
    (void)ioctl(fd, TIOCEXCL);
    return 0;
}

// Gives the line back before it is closed: on a pseudo-terminal whose master stays open the
// exclusive flag would otherwise outlive this process and refuse the next master.
static inline void cmodbus_release_serial_line(int fd) {
    (void)ioctl(fd, TIOCNXCL);
    (void)flock(fd, LOCK_UN);
}

#endif
