/*
 * Throwaway RFCOMM echo pair used only to prove the bt-vm harness; it mimics
 * the command line of the bluetooth-rfcomm lesson:
 *
 *   rfcomm-echo server [--channel N] [--adapter XX:XX:XX:XX:XX:XX] [--once]
 *   rfcomm-echo client --addr XX:XX:XX:XX:XX:XX [--channel N]
 *
 * One binary, two roles (argv[1] or the program name: server/client).
 * The server logs "listening on ..." to stderr, serves clients one after
 * another (or one with --once), echoing bytes, and exits 0 on SIGINT.
 * The client sends each stdin line and prints the echo of that line.
 *
 * For testing the harness itself, the server reads two environment variables:
 *   RFCOMM_ECHO_ONCE=1     serve one client, then exit 0 (like --once)
 *   RFCOMM_ECHO_CORRUPT=1  change one byte of every echo (checks must fail)
 * Self-contained: the BlueZ structs are declared here, no libbluetooth-dev.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#define BTPROTO_RFCOMM 3

typedef struct { uint8_t b[6]; } __attribute__((packed)) bdaddr_t;
struct sockaddr_rc {
    sa_family_t rc_family;
    bdaddr_t rc_bdaddr;
    uint8_t rc_channel;
};

static const char *role = "rfcomm-echo";

static void die(const char *what) {
    fprintf(stderr, "%s: error: %s: %s\n", role, what, strerror(errno));
    exit(1);
}

/* "00:AA:01:00:00:00" -> little-endian bdaddr_t, as the kernel wants it */
static int parse_addr(const char *s, bdaddr_t *a) {
    unsigned v[6];
    char tail;
    if (strlen(s) != 17 ||
        sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    for (int i = 0; i < 6; i++) a->b[5 - i] = (uint8_t)v[i];
    return 0;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= (size_t)w;
    }
    return 0;
}

static volatile sig_atomic_t stop;
static void on_sigint(int sig) { (void)sig; stop = 1; }

static int server(int argc, char **argv) {
    struct sockaddr_rc a = { .rc_family = AF_BLUETOOTH, .rc_channel = 1 };
    const char *adapter = "00:00:00:00:00:00";
    int once = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--channel") && i + 1 < argc) a.rc_channel = (uint8_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--adapter") && i + 1 < argc) adapter = argv[++i];
        else if (!strcmp(argv[i], "--once")) once = 1;
        else { fprintf(stderr, "server: bad argument %s\n", argv[i]); return 2; }
    }
    if (parse_addr(adapter, &a.rc_bdaddr)) { fprintf(stderr, "server: bad address %s\n", adapter); return 1; }
    const char *e;
    if ((e = getenv("RFCOMM_ECHO_ONCE")) && *e == '1') once = 1;
    int corrupt = (e = getenv("RFCOMM_ECHO_CORRUPT")) && *e == '1';
    /* no SA_RESTART: SIGINT must interrupt accept()/read() */
    struct sigaction sa = { .sa_handler = on_sigint };
    sigaction(SIGINT, &sa, NULL);

    int ls = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
    if (ls < 0) die("socket(AF_BLUETOOTH, RFCOMM)");
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(ls, 1) < 0) die("listen");
    fprintf(stderr, "server: listening on %s channel %u\n", adapter, a.rc_channel);
    while (!stop) {
        struct sockaddr_rc peer;
        socklen_t pl = sizeof peer;
        int c = accept(ls, (struct sockaddr *)&peer, &pl);
        if (c < 0) { if (errno == EINTR) continue; die("accept"); }
        fprintf(stderr, "server: client connected\n");
        char buf[1024];
        ssize_t n;
        while (!stop && (n = read(c, buf, sizeof buf)) != 0) {
            if (n < 0) { if (errno == EINTR) continue; perror("server: read"); break; }
            fprintf(stderr, "server: echoing %zd bytes: %.*s\n", n, (int)(n > 60 ? 60 : n), buf);
            if (corrupt) buf[n / 2] ^= 1;
            if (write_all(c, buf, (size_t)n) < 0) { perror("server: write"); break; }
        }
        close(c);
        fprintf(stderr, "server: client gone\n");
        if (once) break;
    }
    fprintf(stderr, "server: bye\n");
    close(ls);
    return 0;
}

static int client(int argc, char **argv) {
    struct sockaddr_rc a = { .rc_family = AF_BLUETOOTH, .rc_channel = 1 };
    const char *addr = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--channel") && i + 1 < argc) a.rc_channel = (uint8_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--addr") && i + 1 < argc) addr = argv[++i];
        else { fprintf(stderr, "client: bad argument %s\n", argv[i]); return 2; }
    }
    if (!addr) { fprintf(stderr, "client: --addr is required\n"); return 2; }
    if (parse_addr(addr, &a.rc_bdaddr)) { fprintf(stderr, "client: bad address %s\n", addr); return 1; }
    int s = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
    if (s < 0) die("socket(AF_BLUETOOTH, RFCOMM)");
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "client: error: cannot connect to %s channel %u: %s\n", addr, a.rc_channel, strerror(errno));
        return 1;
    }
    char *line = NULL, *back;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (write_all(s, line, (size_t)len) < 0) die("send");
        back = malloc((size_t)len);
        for (ssize_t got = 0; got < len;) {
            ssize_t n = read(s, back + got, (size_t)(len - got));
            if (n == 0) { fprintf(stderr, "client: error: server closed the connection\n"); return 1; }
            if (n < 0) { if (errno == EINTR) continue; die("recv"); }
            got += n;
        }
        if (write_all(1, back, (size_t)len) < 0) die("stdout");
        free(back);
    }
    close(s);
    return 0;
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "server") && strcmp(base, "client") && argc > 1) { base = argv[1]; argv++; argc--; }
    role = base;
    if (!strcmp(base, "server")) return server(argc, argv);
    if (!strcmp(base, "client")) return client(argc, argv);
    fprintf(stderr, "usage: rfcomm-echo server|client ...\n");
    return 2;
}
