/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When may perf's name (comm) of a thread change? perf script names a
 * sample's thread from the COMM records it has processed, and makes a new
 * thread on FORK and after EXIT. Those records, read once from perf.data
 * with their times, tell flame.so when the comm it asked perf for is still
 * the one perf would give: until the thread's next such record, it is.
 *
 * Asking perf (perf_dlfilter_fns.resolve_ip) makes perf resolve the whole
 * sample (thread, map and symbol of the ip): two thirds of what a
 * do-nothing dlfilter costs (docs/performance.md). With this log flame.so
 * asks once per thread and change instead of once per sample.
 *
 * Only for a perf.data file whose records can be put in perf's order by
 * time: every event with sample_id_all and PERF_SAMPLE_TIME at one place
 * from the record's end; no compressed (-z) or AUX data records. Anything
 * else: fg_commlog__new fails and the caller asks perf every time.
 */
#ifndef FLAME_COMMLOG_H
#define FLAME_COMMLOG_H

#include <stddef.h>
#include <stdint.h>

struct fg_commlog;

/*
 * Read the COMM, FORK and EXIT records of perf.data at path. NULL with
 * errno: ENOENT/EACCES (open), EINVAL (not a perf.data file, or a pipe
 * recording), ENOTSUP (times cannot be read, compressed or AUX records),
 * EFBIG (more than max_records such records), ENOMEM.
 */
struct fg_commlog *fg_commlog__new(const char *path, size_t max_records);
void fg_commlog__delete(struct fg_commlog *l);

/* Time of tid's first COMM/FORK/EXIT record at or after from; UINT64_MAX
 * when there is none. */
uint64_t fg_commlog__next(const struct fg_commlog *l, int tid, uint64_t from);
/* Number of records kept. */
size_t fg_commlog__nr(const struct fg_commlog *l);

#endif
