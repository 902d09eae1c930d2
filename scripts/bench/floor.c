/* The floor: the Lambda Runtime API loop with nothing else in it.
 *
 * One keep-alive TCP connection to $AWS_LAMBDA_RUNTIME_API; GET /invocation/next, read
 * the headers (request id, Content-Length) and the body, POST the same bytes back as the
 * response, read the 202, repeat. No JSON, no allocation per invocation beyond growing
 * one buffer. Whatever a real runtime costs above this is the runtime's own overhead.
 * Built at bench time: gcc -O2 -o floor floor.c
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char *buf;          /* holds one response: headers + body */
static size_t cap = 1 << 16;
static size_t len;          /* bytes in buf */

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) die("write");
        p += w;
        n -= (size_t)w;
    }
}

static void fill(int fd, size_t want) {
    while (len < want) {
        if (want > cap) {
            while (cap < want) cap *= 2;
            buf = realloc(buf, cap + 1);
            if (!buf) die("realloc");
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r == 0) exit(0); /* server went away: done */
        if (r < 0) die("read");
        len += (size_t)r;
    }
}

/* Read one HTTP response; return offset of its body, set *body_len and request id. */
static size_t read_response(int fd, size_t *body_len, char *rid, size_t rid_cap) {
    char *end;
    for (;;) {
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end) break;
        fill(fd, len + 1);
    }
    size_t head = (size_t)(end - buf) + 4;
    *body_len = 0;
    if (rid) rid[0] = '\0';
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            *body_len = strtoul(line + 15, NULL, 10);
        } else if (rid && strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
            char *v = line + 30;
            while (*v == ' ') v++;
            size_t n = strcspn(v, "\r");
            if (n >= rid_cap) n = rid_cap - 1;
            memcpy(rid, v, n);
            rid[n] = '\0';
        }
    }
    fill(fd, head + *body_len);
    return head;
}

static void consume(size_t n) {
    memmove(buf, buf + n, len - n);
    len -= n;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) {
        fputs("AWS_LAMBDA_RUNTIME_API is not set\n", stderr);
        return 1;
    }
    char host[256];
    const char *colon = strrchr(api, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon ? colon - api : (long)strlen(api)), api);
    const char *port = colon ? colon + 1 : "80";

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0) die("getaddrinfo");
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    buf = malloc(cap + 1);
    char next_req[512], post_head[512], rid[128];
    int next_len = snprintf(next_req, sizeof next_req,
                            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
    for (;;) {
        write_all(fd, next_req, (size_t)next_len);
        size_t body_len;
        size_t off = read_response(fd, &body_len, rid, sizeof rid);
        int n = snprintf(post_head, sizeof post_head,
                         "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                         rid, api, body_len);
        write_all(fd, post_head, (size_t)n);
        write_all(fd, buf + off, body_len);
        consume(off + body_len);
        size_t ack_len;
        size_t ack_off = read_response(fd, &ack_len, NULL, 0);
        consume(ack_off + ack_len);
    }
}
