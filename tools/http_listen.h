/*
 * hubhad's --http-listen ADDRESS:PORT: "127.0.0.1:8008", "0.0.0.0:8008",
 * "[::1]:8008", "[::]:8008".  Numeric addresses only: a name would make
 * where hubhad listens depend on a resolver at start.
 */
#ifndef HUBHA_HTTP_LISTEN_H
#define HUBHA_HTTP_LISTEN_H

#include <sys/socket.h>

/* 0, or -EINVAL (not ADDRESS:PORT, with the port from 1 to 65535). */
int hubha_http_listen_parse(const char *text, struct sockaddr_storage *ret_addr, socklen_t *ret_len);

#endif
