#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "http_listen.h"

int hubha_http_listen_parse(const char *text, struct sockaddr_storage *ret_addr, socklen_t *ret_len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port;
	unsigned long p;
	char *end;
	int bracketed = text && text[0] == '[';
	size_t n;

	if (!text)
		return -EINVAL;
	if (bracketed) {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - text - 1);
		text++;
		port = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon || memchr(text, ':', (size_t)(colon - text)))
			return -EINVAL;	/* an IPv6 address goes in brackets */
		n = (size_t)(colon - text);
		port = colon + 1;
	}
	if (n == 0 || n >= sizeof(host) || *port < '1' || *port > '9')
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p > 65535)
		return -EINVAL;

	memset(ret_addr, 0, sizeof(*ret_addr));
	if (bracketed) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ret_addr;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*ret_len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ret_addr;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*ret_len = sizeof(*a4);
	}
	return 0;
}
