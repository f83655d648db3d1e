#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hubha/file.h>

int hubha_read_file_at(int dirfd, const char *name, char *ret_buf, size_t len)
{
	char buf[4096];
	int fd;
	struct stat st;
	ssize_t n;
	int r = 0;

	if (len == 0)
		return -EINVAL;
	if (len > sizeof(buf))
		len = sizeof(buf);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	n = r ? 0 : read(fd, buf, len - 1);
	if (!r && n < 0)
		r = -errno;
	close(fd);
	if (r)
		return r;
	memcpy(ret_buf, buf, (size_t)n);
	ret_buf[n] = '\0';
	return 0;
}

int hubha_proc_signal(int procfd, pid_t pid, int sig)
{
	int r;

#ifdef SYS_pidfd_send_signal
	r = (int)syscall(SYS_pidfd_send_signal, procfd, sig, NULL, 0);
#else
	r = -1;
	errno = ENOSYS;
#endif
	if (r < 0 && errno == ENOSYS)
		r = kill(pid, sig);
	return r < 0 && errno != ESRCH ? -errno : 0;
}
