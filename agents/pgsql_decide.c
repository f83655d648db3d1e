/*
 * ocf:hubha:pgsql — the decisions, as pure functions of what the I/O shells
 * gathered (see pgsql_decide.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgsql_decide.h"

#define NODE_MAX 256

int pgsql_location_parse(const char *text, struct pgsql_location *ret)
{
	struct pgsql_location loc;
	unsigned long tl;
	char *end;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	tl = strtoul(text, &end, 10);
	if (errno || *end != '/' || tl > UINT32_MAX)
		return -EINVAL;
	if (hubha_lsn_parse(end + 1, &loc.lsn) < 0)
		return -EINVAL;
	loc.tl = (uint32_t)tl;
	*ret = loc;
	return 0;
}

void pgsql_location_format(struct pgsql_location loc, char *buf, size_t len)
{
	char l[32];

	hubha_lsn_format(loc.lsn, l, sizeof(l));
	snprintf(buf, len, "%u/%s", loc.tl, l);
}

int pgsql_location_cmp(struct pgsql_location a, struct pgsql_location b)
{
	/* A newer timeline wins whatever its LSN: the old one's tail was not promoted. */
	if (a.tl != b.tl)
		return a.tl < b.tl ? -1 : 1;
	if (a.lsn != b.lsn)
		return a.lsn < b.lsn ? -1 : 1;
	return 0;
}

/* a ahead of b, or level and first by name: the order every node agrees on. */
static bool before(struct pgsql_location a, const char *a_node, struct pgsql_location b, const char *b_node)
{
	int c = pgsql_location_cmp(a, b);

	return c > 0 || (c == 0 && strcmp(a_node, b_node) < 0);
}

/* Only the peers listed in among (NULL: all) and not named except count. */
static int most_advanced(const char *self, struct pgsql_location mine, const struct pgsql_peer *peers, size_t n,
			 const char *among, const char *except)
{
	struct pgsql_location best = mine, loc;
	int found = -1;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(peers[i].node, self) == 0 || (among && !pgsql_listed(among, peers[i].node)) ||
		    (except && strcmp(peers[i].node, except) == 0) || pgsql_location_parse(peers[i].location, &loc) < 0)
			continue;
		/* Level with us is not ahead: the node Pacemaker chose keeps the promotion. */
		if (pgsql_location_cmp(loc, mine) <= 0)
			continue;
		if (found < 0 || before(loc, peers[i].node, best, peers[found].node)) {
			best = loc;
			found = (int)i;
		}
	}
	return found;
}

int pgsql_most_advanced(const char *self, struct pgsql_location mine, const struct pgsql_peer *peers, size_t n)
{
	return most_advanced(self, mine, peers, n, NULL, NULL);
}

int pgsql_cold_start_best(const char *self, struct pgsql_location mine, const struct pgsql_peer *peers, size_t n)
{
	struct pgsql_location best = mine, loc;
	const char *best_node = self;
	int found = -1;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(peers[i].node, self) == 0 || pgsql_location_parse(peers[i].location, &loc) < 0)
			continue;
		if (before(loc, peers[i].node, best, best_node)) {
			best = loc;
			best_node = peers[i].node;
			found = (int)i;
		}
	}
	return found;
}

int pgsql_election_parse(const char *election, char *standbys, size_t standbys_len, char *demoted,
			 size_t demoted_len)
{
	const char *bar;
	int n;

	if (!election)
		return -EINVAL;
	bar = strchr(election, '|');
	if (!bar || strchr(bar + 1, '|'))
		return -EINVAL;
	n = snprintf(standbys, standbys_len, "%.*s", (int)(bar - election), election);
	if (n < 0 || (size_t)n >= standbys_len)
		return -ENAMETOOLONG;
	n = snprintf(demoted, demoted_len, "%s", bar + 1);
	if (n < 0 || (size_t)n >= demoted_len)
		return -ENAMETOOLONG;
	return 0;
}

static const struct pgsql_peer *find_peer(const struct pgsql_election_in *in, const char *node)
{
	for (size_t i = 0; i < in->n_peers; i++)
		if (strcmp(in->peers[i].node, node) == 0)
			return &in->peers[i];
	return NULL;
}

/*
 * A switchover: the old primary shut down cleanly and published where its
 * shutdown checkpoint is.  Only a standby that received it has every commit.
 */
static enum pgsql_decision check_switchover(const struct pgsql_election_in *in, const char *demoted, char *reason,
					    size_t reason_len)
{
	hubha_lsn ck;
	char got[32];

	if (!in->checkpoint) {
		snprintf(reason, reason_len, "Switchover refused: the old primary %s published no shutdown checkpoint, "
			 "so whether this standby has all its data is unknown", demoted);
		return PGSQL_NO_CHECKPOINT;
	}
	if (hubha_lsn_parse(in->checkpoint, &ck) < 0) {
		snprintf(reason, reason_len, "Switchover refused: the old primary %s published an unreadable shutdown "
			 "checkpoint '%s'", demoted, in->checkpoint);
		return PGSQL_NO_CHECKPOINT;
	}
	/* The checkpoint record starts at ck: having it means being past it. */
	if (in->mine.lsn <= ck) {
		hubha_lsn_format(in->mine.lsn, got, sizeof(got));
		snprintf(reason, reason_len, "Switchover refused: the old primary %s shut down at %s and this standby "
			 "has only %s", demoted, in->checkpoint, got);
		return PGSQL_CHECKPOINT_MISSED;
	}
	return PGSQL_PROMOTE;
}

/* Every standby that took part must have told where it is: one that did not may be ahead. */
static enum pgsql_decision check_peers(const struct pgsql_election_in *in, const char *standbys,
				       const char *demoted, char *reason, size_t reason_len)
{
	const char *cur = standbys;
	char node[NODE_MAX];
	struct pgsql_location loc;

	while (pgsql_next_node(&cur, node, sizeof(node))) {
		const struct pgsql_peer *p;

		if (strcmp(node, in->self) == 0 || strcmp(node, demoted) == 0)
			continue;
		p = find_peer(in, node);
		if (!p || !p->location) {
			snprintf(reason, reason_len, "Promotion refused: %s took part in the election but published no "
				 "location, and it may have more recent data", node);
			return PGSQL_NO_LOCATION;
		}
		if (pgsql_location_parse(p->location, &loc) < 0) {
			snprintf(reason, reason_len, "Promotion refused: %s published an unreadable location '%s'", node,
				 p->location);
			return PGSQL_NO_LOCATION;
		}
	}
	return PGSQL_PROMOTE;
}

enum pgsql_decision pgsql_decide_promotion(const struct pgsql_election_in *in, char *winner, size_t winner_len,
					   char *reason, size_t reason_len)
{
	char standbys[2048], demoted[NODE_MAX], mine[64];
	enum pgsql_decision d;
	int best;

	reason[0] = '\0';
	if (!in->election || pgsql_election_parse(in->election, standbys, sizeof(standbys), demoted,
						  sizeof(demoted)) < 0) {
		snprintf(reason, reason_len, "Promotion refused: no election data from the pre-promote notification "
			 "(the clone needs meta notify=true)");
		return PGSQL_NO_ELECTION;
	}
	/* Demoted and promoted again (a failed primary recovered in place) is no switchover. */
	if (demoted[0] && strcmp(demoted, in->self) != 0) {
		d = check_switchover(in, demoted, reason, reason_len);
		if (d != PGSQL_PROMOTE)
			return d;
	}
	d = check_peers(in, standbys, demoted, reason, reason_len);
	if (d != PGSQL_PROMOTE)
		return d;
	/* A switchover's checkpoint already proved this node has every commit. */
	if (in->sync_num && !(demoted[0] && strcmp(demoted, in->self) != 0)) {
		char known[2304];

		/* check_peers found a location for every standby that took part. */
		snprintf(known, sizeof(known), "%s %s", in->self, standbys);
		if (pgsql_check_failover_quorum(in->node_list, in->sync_num, known, reason, reason_len) < 0)
			return PGSQL_TOO_FEW_KNOWN;
	}
	/* Compare with those that took part only: others' locations may be stale. */
	best = most_advanced(in->self, in->mine, in->peers, in->n_peers, standbys, demoted);
	if (best < 0)
		return PGSQL_PROMOTE;
	pgsql_location_format(in->mine, mine, sizeof(mine));
	snprintf(winner, winner_len, "%s", in->peers[best].node);
	snprintf(reason, reason_len, "Promotion handed to %s: it has more recent data (%s) than this node (%s)",
		 in->peers[best].node, in->peers[best].location, mine);
	return PGSQL_HAND_OVER;
}

bool pgsql_next_node(const char **cursor, char *buf, size_t len)
{
	const char *p = *cursor;
	size_t w;

	if (!p)
		return false;
	p += strspn(p, " \t,");
	if (!*p)
		return false;
	w = strcspn(p, " \t,");
	snprintf(buf, len, "%.*s", (int)w, p);
	*cursor = p + w;
	return true;
}

bool pgsql_listed(const char *list, const char *node)
{
	const char *cur = list;
	char n[NODE_MAX];

	while (pgsql_next_node(&cur, n, sizeof(n)))
		if (strcmp(n, node) == 0)
			return true;
	return false;
}

bool pgsql_standby_is_sync(const struct hubha_pg_standby *s)
{
	return strcmp(s->sync_state, "sync") == 0 || strcmp(s->sync_state, "quorum") == 0;
}

static bool streaming(const struct hubha_pg_standby *s)
{
	return strcmp(s->state, "streaming") == 0;
}

/* o ranks above s: synchronous first, then further flushed, then by name. */
static bool ranks_above(const struct hubha_pg_standby *o, const struct hubha_pg_standby *s)
{
	bool os = pgsql_standby_is_sync(o), ss = pgsql_standby_is_sync(s);

	if (os != ss)
		return os;
	if (o->flush_lsn != s->flush_lsn)
		return o->flush_lsn > s->flush_lsn;
	return strcmp(o->name, s->name) < 0;
}

int pgsql_standby_score(const struct hubha_pg_standby *all, size_t n, size_t i)
{
	int rank = 0;

	for (size_t j = 0; j < n; j++)
		if (j != i && streaming(&all[j]) && ranks_above(&all[j], &all[i]))
			rank++;
	return SCORE_BEST_STANDBY - rank;
}

/* Whether node comes in list before the cursor end: a name listed twice counts once. */
static bool listed_before(const char *list, const char *end, const char *node)
{
	const char *cur = list;
	char n[NODE_MAX];

	while (pgsql_next_node(&cur, n, sizeof(n)) && cur < end)
		if (strcmp(n, node) == 0)
			return true;
	return false;
}

unsigned pgsql_count_nodes(const char *list)
{
	const char *cur = list;
	char node[NODE_MAX];
	unsigned n = 0;

	while (pgsql_next_node(&cur, node, sizeof(node)))
		if (!listed_before(list, cur, node))
			n++;
	return n;
}

unsigned pgsql_sync_count(unsigned n_nodes, unsigned sync_num)
{
	unsigned others = n_nodes ? n_nodes - 1 : 0;

	if (!sync_num)
		sync_num = 1;
	return sync_num < others ? sync_num : others;
}

int pgsql_sync_names(const char *node_list, const char *self, unsigned sync_num, char *buf, size_t len)
{
	const char *cur = node_list;
	char node[NODE_MAX];
	unsigned others = 0;
	size_t o;
	int n;
	bool first = true;

	while (pgsql_next_node(&cur, node, sizeof(node)))
		if (strcmp(node, self) != 0 && !listed_before(node_list, cur, node))
			others++;
	/* One standby: the form two nodes have always had, whose sync_state is "sync". */
	if (others <= 1)
		n = snprintf(buf, len, "FIRST 1 (");
	else
		n = snprintf(buf, len, "ANY %u (", pgsql_sync_count(others + 1, sync_num));
	if (n < 0 || (size_t)n >= len)
		goto too_long;
	o = (size_t)n;
	cur = node_list;
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		if (strcmp(node, self) == 0 || listed_before(node_list, cur, node))
			continue;
		/* A double quote cannot be escaped inside a standby name. */
		if (strchr(node, '"')) {
			buf[0] = '\0';
			return -EINVAL;
		}
		n = snprintf(buf + o, len - o, "%s\"%s\"", first ? "" : ", ", node);
		if (n < 0 || (size_t)n >= len - o)
			goto too_long;
		o += (size_t)n;
		first = false;
	}
	if (first) {
		buf[0] = '\0';
		return 0;
	}
	if (o + 1 >= len)
		goto too_long;
	buf[o++] = ')';
	buf[o] = '\0';
	return 0;
too_long:
	if (len)
		buf[0] = '\0';
	return -ENAMETOOLONG;
}

const char *pgsql_sync_names_next(const char *current, const char *want, unsigned n_sync, unsigned need,
				  bool degrade_to_async, unsigned n_standbys)
{
	/* Too few to wait for, and allowed not to wait: run asynchronously rather than block commits. */
	if (n_sync < need && degrade_to_async) {
		if (current[0])
			return "";
		/* Back to sync once enough standbys are connected that can become synchronous. */
		return n_standbys >= need && strcmp(current, want) != 0 ? want : NULL;
	}
	return strcmp(current, want) != 0 ? want : NULL;
}

unsigned pgsql_failover_quorum(unsigned n_nodes, unsigned sync_num)
{
	return n_nodes - pgsql_sync_count(n_nodes, sync_num);
}

/* Append s to buf at *o, quietly cut short when it does not fit (it only names nodes in a reason). */
static void append(char *buf, size_t len, size_t *o, const char *s)
{
	int n;

	if (*o >= len)
		return;
	n = snprintf(buf + *o, len - *o, "%s", s);
	if (n > 0)
		*o = (size_t)n >= len - *o ? len - 1 : *o + (size_t)n;
}

int pgsql_check_failover_quorum(const char *node_list, unsigned sync_num, const char *known, char *reason,
				size_t reason_len)
{
	unsigned n = pgsql_count_nodes(node_list), need = pgsql_failover_quorum(n, sync_num), have = 0;
	char node[NODE_MAX], have_s[1024] = "", miss_s[1024] = "";
	size_t ho = 0, mo = 0;
	const char *cur = node_list;

	while (pgsql_next_node(&cur, node, sizeof(node))) {
		if (listed_before(node_list, cur, node))
			continue;
		if (pgsql_listed(known, node)) {
			append(have_s, sizeof(have_s), &ho, have ? ", " : "");
			append(have_s, sizeof(have_s), &ho, node);
			have++;
		} else {
			append(miss_s, sizeof(miss_s), &mo, mo ? ", " : "");
			append(miss_s, sizeof(miss_s), &mo, node);
		}
	}
	if (have >= need)
		return 0;
	snprintf(reason, reason_len, "Promotion refused: the data of %u of the %u nodes is known (%s), %u needed: "
		 "with synchronous_standby_names ANY %u, a commit may be only on %s; bring it back, or remove it from "
		 "node_list", have, n, have ? have_s : "none", need, pgsql_sync_count(n, sync_num), miss_s);
	return -EAGAIN;
}

/* NAMEDATALEN - 1: PostgreSQL cuts longer names, and two nodes could share a slot. */
#define SLOT_NAME_MAX 63

int pgsql_slot_name(const char *prefix, const char *node, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s_", prefix);
	size_t o;

	if (n < 0 || (size_t)n >= len)
		goto too_long;
	o = (size_t)n;
	for (; *node; node++) {
		char c = *node;

		if (o + 1 >= len || o >= SLOT_NAME_MAX)
			goto too_long;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			c = '_';
		buf[o++] = c;
	}
	buf[o] = '\0';
	return 0;
too_long:
	if (len)
		buf[0] = '\0';
	return -ENAMETOOLONG;
}

enum pgsql_slot_state pgsql_slot_state(const char *list, const char *slot)
{
	const char *cur = list;
	char item[NODE_MAX];
	size_t n = strlen(slot);

	while (pgsql_next_node(&cur, item, sizeof(item))) {
		if (strncmp(item, slot, n) != 0 || item[n] != ':')
			continue;
		if (strcmp(item + n + 1, "lost") == 0)
			return PGSQL_SLOT_LOST;
		/* reserved, extended, unreserved: it still holds what its standby needs. */
		return strcmp(item + n + 1, "none") == 0 ? PGSQL_SLOT_UNRESERVED : PGSQL_SLOT_OK;
	}
	return PGSQL_SLOT_MISSING;
}

void pgsql_wal_lost_reason(const char *slot, bool archive, char *buf, size_t len)
{
	snprintf(buf, len, "Not promoted: %s: its WAL was removed from the primary (replication slot %s was "
		 "invalidated at max_slot_wal_keep_size)%s", archive ? "it can catch up only from the archive "
		 "(restore_command), or else needs a new base backup" : "needs a new base backup", slot,
		 archive ? "" : "; reseed=true rebuilds it at its next start");
}

int pgsql_history_switchpoint(const char *history, uint32_t tl, hubha_lsn *ret_lsn)
{
	const char *line = history;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[128], lsn[64];
		unsigned long parent;
		hubha_lsn at;

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = '\0';
		} else {
			snprintf(buf, sizeof(buf), "%.*s", (int)(sizeof(buf) - 1), line);
		}
		line = end ? end + 1 : NULL;
		if (!buf[strspn(buf, " \t\r")] || buf[strspn(buf, " \t")] == '#')
			continue;
		if (sscanf(buf, "%lu %63s", &parent, lsn) != 2 || parent > UINT32_MAX || hubha_lsn_parse(lsn, &at) < 0)
			return -EINVAL;
		if (parent == tl) {
			*ret_lsn = at;
			return 0;
		}
	}
	return -ENOENT;
}

int pgsql_decide_reseed(const struct pgsql_reseed_in *in, char *reason, size_t reason_len)
{
	char mine[64], primary[64], at[32];
	hubha_lsn sp;
	int r;

	pgsql_location_format(in->mine, mine, sizeof(mine));
	pgsql_location_format(in->primary, primary, sizeof(primary));
	/* A primary's data (crashed, or shut down) may hold commits nobody else has. */
	if (strcmp(in->state, "shut down in recovery") != 0 && strcmp(in->state, "in archive recovery") != 0) {
		snprintf(reason, reason_len, "Re-seeding refused: this node was not a standby (control data: %s), "
			 "so it may hold data the primary lacks", in->state);
		return -EPERM;
	}
	if (in->mine.tl > in->primary.tl || (in->mine.tl == in->primary.tl && in->mine.lsn > in->primary.lsn)) {
		snprintf(reason, reason_len, "Re-seeding refused: this node's data (%s) is ahead of the primary's "
			 "(%s)", mine, primary);
		return -EPERM;
	}
	if (in->mine.tl == in->primary.tl)
		return 0;
	r = in->history ? pgsql_history_switchpoint(in->history, in->mine.tl, &sp) : -ENOENT;
	if (r < 0) {
		snprintf(reason, reason_len, "Re-seeding refused: the primary's timeline history does not say where "
			 "this node's timeline %u ended, so its data (%s) cannot be compared with the primary's (%s)",
			 in->mine.tl, mine, primary);
		return -EPERM;
	}
	/* Past the switch point it has WAL the primary's timeline never had. */
	if (in->mine.lsn > sp) {
		hubha_lsn_format(sp, at, sizeof(at));
		snprintf(reason, reason_len, "Re-seeding refused: this node's data (%s) goes past where the primary "
			 "left timeline %u (%s): it may hold commits the primary lacks", mine, in->mine.tl, at);
		return -EPERM;
	}
	return 0;
}

static bool is_true(const char *v)
{
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };

	for (size_t i = 0; v && i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return true;
	return false;
}

int pgsql_check_clone_meta(const char *notify, const char *promoted_max, const char *master_max, char *reason,
			   size_t reason_len)
{
	if (!is_true(notify)) {
		snprintf(reason, reason_len, "The promotable clone needs meta notify=true (it has notify=%s): the "
			 "election runs in the pre-promote notification", notify ? notify : "unset");
		return -EINVAL;
	}
	if (!promoted_max && !master_max) {
		snprintf(reason, reason_len, "Not run as a promotable clone (no promoted-max): replication needs "
			 "promotable=true promoted-max=1");
		return -EINVAL;
	}
	/* Pacemaker passes both names; either one saying otherwise means two primaries are allowed. */
	if ((promoted_max && strcmp(promoted_max, "1") != 0) || (master_max && strcmp(master_max, "1") != 0)) {
		snprintf(reason, reason_len, "The promotable clone needs meta promoted-max=1 (it has %s): PostgreSQL "
			 "streaming replication has one primary", promoted_max ? promoted_max : master_max);
		return -EINVAL;
	}
	return 0;
}

int pgsql_receiver_parse(const char *text, pid_t *ret_pid, char *status, size_t status_len, long *ret_idle_ms)
{
	char st[32];
	long pid, idle;
	int end = 0;

	if (!text || sscanf(text, "%ld %31[a-z] %ld%n", &pid, st, &idle, &end) != 3 || text[end] != '\0' || pid <= 0 ||
	    pid > INT32_MAX || idle < -1 || strlen(st) >= status_len)
		return -EINVAL;
	*ret_pid = (pid_t)pid;
	snprintf(status, status_len, "%s", st);
	*ret_idle_ms = idle;
	return 0;
}

bool pgsql_receiver_stale(const char *status, long idle_ms, bool demoted_here)
{
	return !demoted_here && status && strcmp(status, "streaming") == 0 && idle_ms >= RECEIVER_STALE_MS;
}
