// SPDX-License-Identifier: GPL-2.0
/*
 * Ask a HotSpot JVM for its perf map: what `jcmd PID Compiler.perfmap` does,
 * without starting a JVM per request (jcmd costs about a second of CPU).
 *
 * HotSpot's attach protocol (JDK 6 to 21, unchanged): create the file
 * .attach_pid<NSpid> in the JVM's /tmp, send SIGQUIT; the JVM starts its
 * attach listener on the Unix socket /tmp/.java_pid<NSpid>. A request is
 * "1\0" "jcmd\0" "Compiler.perfmap\0" "\0" "\0"; the reply starts with the
 * status ("0\n" = done). The JVM then rewrites /tmp/perf-<NSpid>.map.
 *
 * Everything happens in a child that has joined the JVM's mount namespace
 * and taken the JVM's uid and gid (no privilege left): files are created and
 * the socket connected in the container's view, as its user, so a hostile
 * container cannot point us at host files. SIGQUIT is sent only to a process
 * that catches it (a JVM run with -Xrs would die of it). The child is bounded
 * by a deadline; the caller reaps it without blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include <flame/containers.h>

#define ATTACH_WAIT_MS	5000
#define IO_TIMEOUT_S	10

static bool catches_sigquit(int pid)
{
	char path[64], buf[4096], *p;
	unsigned long long mask;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "\nSigCgt:");
	if (!p || sscanf(p + 8, "%llx", &mask) != 1)
		return false;
	return mask & (1ull << (SIGQUIT - 1));
}

bool fg_jvm__is_hotspot(int pid)
{
	static const char lib[] = "/libjvm.so\n";
	char path[64], buf[65536 + sizeof(lib)];
	size_t keep = 0, total = 0;
	ssize_t n;
	int fd;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* libjvm.so sits high in the address space, late in the file: read
	 * it all (bounded), keeping a tail across chunks */
	while (!found && total < (16u << 20)) {
		n = read(fd, buf + keep, sizeof(buf) - 1 - keep);
		if (n <= 0)
			break;
		total += (size_t)n;
		n += (ssize_t)keep;
		buf[n] = '\0';
		found = strstr(buf, lib) != NULL;
		keep = (size_t)n < sizeof(lib) ? (size_t)n : sizeof(lib) - 1;
		memmove(buf, buf + n - keep, keep);
	}
	close(fd);
	return found;
}

static int sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	return nanosleep(&ts, NULL);
}

/* In the child: joined the JVM's mount namespace, running as its user. */
static int attach_and_ask(int pid, int nspid, bool may_signal)
{
	static const char req[] = "1\0jcmd\0Compiler.perfmap\0\0";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	char trigger[64], reply[256];
	struct stat st;
	unsigned int waited = 0;
	int fd, s;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/.java_pid%d", nspid);
	if (lstat(sa.sun_path, &st) || !S_ISSOCK(st.st_mode)) {
		if (!may_signal)
			return 2;
		snprintf(trigger, sizeof(trigger), "/tmp/.attach_pid%d", nspid);
		fd = open(trigger, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return 3;
		if (fd >= 0)
			close(fd);
		if (kill(pid, SIGQUIT))
			return 4;
		while (lstat(sa.sun_path, &st) || !S_ISSOCK(st.st_mode)) {
			if (waited >= ATTACH_WAIT_MS) {
				unlink(trigger);
				return 5;
			}
			sleep_ms(50);
			waited += 50;
		}
		unlink(trigger);
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 6;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(s, req, sizeof(req)) != (ssize_t)sizeof(req)) {
		close(s);
		return 7;
	}
	n = read(s, reply, sizeof(reply) - 1);
	close(s);
	if (n < 2 || reply[0] != '0' || reply[1] != '\n')
		return 8;
	return 0;
}

pid_t fg_jvm__request_perfmap(int pid, int nspid)
{
	char path[64];
	struct stat st;
	pid_t child;
	uid_t uid;
	gid_t gid;
	bool may_signal;
	int nsfd;

	/* read while /proc is still ours (the child's is the container's) */
	may_signal = catches_sigquit(pid);
	/* /proc/PID belongs to the process's effective uid and gid: the
	 * credentials its attach listener accepts */
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st))
		return -errno;
	uid = st.st_uid;
	gid = st.st_gid;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		child = -errno;
		close(nsfd);
		return child;
	}
	if (child == 0) {
		alarm(IO_TIMEOUT_S + ATTACH_WAIT_MS / 1000 + 2);
		if (setns(nsfd, CLONE_NEWNS) || chdir("/") ||
		    setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(1);
		_exit(attach_and_ask(pid, nspid, may_signal));
	}
	close(nsfd);
	return child;
}
