// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's process connector (netlink, CN_PROC): exec and exit events
 * for every process on the host, as they happen. The snapshot uses them so
 * that a process living shorter than a poll interval is still seen: at exec
 * (its /tmp is pinned, its map looked at) and at exit (its map read once
 * more through the pin). Needs CAP_NET_ADMIN in the initial namespaces;
 * without it the snapshot only polls. Lost events (a full socket buffer)
 * are only that: the next poll still sees every live process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/cn_proc.h>
#include "internal.h"
#include <flame/containers.h>

/*
 * Linux 6.6 takes an event mask with the listen request (struct proc_input
 * of its uapi header, newer than Debian 12's): exec and exit only, so the
 * forks and comm changes of every process on the host no longer wake the
 * snapshot. An older kernel ignores a request of that size (and would send
 * nothing), so it gets the plain one.
 */
struct cn_proc_input {
	uint32_t mcast_op;	/* enum proc_cn_mcast_op */
	uint32_t event_type;	/* enum proc_cn_event: a mask of PROC_EVENT_* */
};

static bool kernel_filters(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

int fg_procconn__open_events(unsigned int events)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = CN_IDX_PROC,
	};
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		struct cn_proc_input in;
	} __attribute__((packed)) req;
	size_t len = sizeof(req);
	int fd, err, rcvbuf = 4 << 20;
	bool filters = kernel_filters();

	if (!events || events & ~(FG_PROCCONN_EXEC | FG_PROCCONN_EXIT))
		return -EINVAL;
	/* an older kernel sends every event to every listener */
	if (!filters && events != (FG_PROCCONN_EXEC | FG_PROCCONN_EXIT))
		return -EOPNOTSUPP;
	fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	/* bursts of short-lived containers: room for tens of thousands */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto out_err;
	memset(&req, 0, sizeof(req));
	req.in.mcast_op = PROC_CN_MCAST_LISTEN;
	if (filters) {
		if (events & FG_PROCCONN_EXEC)
			req.in.event_type |= PROC_EVENT_EXEC;
		if (events & FG_PROCCONN_EXIT)
			req.in.event_type |= PROC_EVENT_EXIT;
		req.cn.len = sizeof(req.in);
	} else {
		req.cn.len = sizeof(req.in.mcast_op);
		len -= sizeof(req.in.event_type);
	}
	req.nl.nlmsg_len = (uint32_t)len;
	req.nl.nlmsg_type = NLMSG_DONE;
	req.nl.nlmsg_pid = (unsigned int)getpid();
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	if (send(fd, &req, len, 0) != (ssize_t)len)
		goto out_err;
	return fd;
out_err:
	err = -errno;
	close(fd);
	return err;
}

int fg_procconn__open(void)
{
	return fg_procconn__open_events(FG_PROCCONN_EXEC | FG_PROCCONN_EXIT);
}

/* One event message (struct proc_event is at most 40 bytes); more per
 * datagram are walked as well. */
#define PC_MSG		256
#define PC_BATCH	32

static void procconn__parse(const char *buf, size_t n,
			    void (*cb)(void *arg, int pid, bool exit), void *arg)
{
	const struct nlmsghdr *nl;

	for (nl = (const struct nlmsghdr *)buf; NLMSG_OK(nl, n);
	     nl = NLMSG_NEXT(nl, n)) {
		const struct cn_msg *cn = NLMSG_DATA(nl);
		struct proc_event ev;

		if (nl->nlmsg_type == NLMSG_ERROR ||
		    nl->nlmsg_type == NLMSG_NOOP)
			continue;
		if (nl->nlmsg_len < NLMSG_LENGTH(sizeof(*cn) + sizeof(ev)) ||
		    cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
			continue;
		/* cn->data sits 4 bytes off the 8-byte alignment struct
		 * proc_event needs: copy it out */
		memcpy(&ev, cn->data, sizeof(ev));
		if (ev.what == PROC_EVENT_EXEC &&
		    ev.event_data.exec.process_pid ==
		    ev.event_data.exec.process_tgid)
			cb(arg, ev.event_data.exec.process_tgid, false);
		else if (ev.what == PROC_EVENT_EXIT &&
			 ev.event_data.exit.process_pid ==
			 ev.event_data.exit.process_tgid)
			cb(arg, ev.event_data.exit.process_tgid, true);
	}
}

/*
 * Everything queued, PC_BATCH datagrams a recvmmsg (the kernel sends one
 * event a datagram: one recv each, plus one to find the queue empty, was a
 * tenth of flame record's CPU on a busy host). A short batch means the
 * queue was empty: no further call.
 */
int fg_procconn__read(int fd, void (*cb)(void *arg, int pid, bool exit),
		      void *arg)
{
	char bufs[PC_BATCH][PC_MSG] __attribute__((aligned(8)));
	struct mmsghdr mm[PC_BATCH];
	struct iovec iov[PC_BATCH];
	int lost = 0, n, i;

	for (;;) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < PC_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = PC_MSG;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, mm, PC_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			lost = 1;
			continue;
		}
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			/* a cut datagram's events are lost: say so, so that
			 * the snapshot stops trusting "no exit event seen" */
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
				lost = 1;
			else
				procconn__parse(bufs[i], mm[i].msg_len, cb, arg);
		}
		if (n < PC_BATCH)
			break;
	}
	return lost ? -ENOBUFS : 0;
}
