/*
 * Reading small files that someone else may control (pid files, /proc
 * entries), as root.
 *
 * Calls return 0 or a negative errno and fill ret_ arguments only on success.
 */
#ifndef HUBHA_FILE_H
#define HUBHA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Read at most len - 1 bytes (and no more than 4095) of the regular file name under dirfd (or
 * AT_FDCWD) into ret_buf, NUL-terminated.  A symlink is refused (-ELOOP), and
 * so is anything but a regular file (-EINVAL): a FIFO planted there cannot
 * block the reader.
 */
int hubha_read_file_at(int dirfd, const char *name, char *ret_buf, size_t len);

/*
 * Send sig to the process whose /proc/PID directory is open at procfd: it
 * reaches the process checked through that directory even if pid was reused
 * since (kill(pid) only where the kernel lacks pidfd_send_signal).  0 when
 * sent or the process is gone.
 */
int hubha_proc_signal(int procfd, pid_t pid, int sig);

/* Whether two stat results are the same file. */
static inline bool hubha_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

#endif
