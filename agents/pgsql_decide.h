/*
 * ocf:hubha:pgsql — the decisions, apart from the I/O that gathers their
 * inputs: which node is promoted, whether a switchover is safe, how the
 * primary ranks its standbys, synchronous_standby_names and slot names.
 * Nothing here forks, connects, reads the environment or logs, so every rule
 * can be tested from a table.
 */
#ifndef HUBHA_AGENT_PGSQL_DECIDE_H
#define HUBHA_AGENT_PGSQL_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hubha/pg.h>

/*
 * Promotion scores: the primary; the standbys it ranks (the best one gets
 * SCORE_BEST_STANDBY, so does a node the promotion is handed to); the most
 * advanced standby at a cold start; a standby nobody ranked yet.
 */
#define SCORE_PRIMARY "1001"
#define SCORE_BEST_STANDBY 1000
#define SCORE_DISCONNECTED "-1000"
#define SCORE_COLD_BEST 10
#define SCORE_UNKNOWN "1"
#define SCORE_UNRANKED 1

/* Where a node's WAL ends; timelines compare before LSNs. */
struct pgsql_location {
	uint32_t tl;
	hubha_lsn lsn;
};

/* "TL/HI/LO" as the nodes publish it; -EINVAL unless all of it parses. */
int pgsql_location_parse(const char *text, struct pgsql_location *ret);
void pgsql_location_format(struct pgsql_location loc, char *buf, size_t len);
/* <0, 0, >0 as a is behind, level with, ahead of b. */
int pgsql_location_cmp(struct pgsql_location a, struct pgsql_location b);

/* A node and the location it published (NULL: it published none). */
struct pgsql_peer {
	const char *node;
	const char *location;
};

/*
 * The most advanced of peers (ignoring self and those that published nothing
 * readable) if it is ahead of mine: its index, else -1.  Among peers level
 * with each other the first name in strcmp order wins, the same on every node.
 */
int pgsql_most_advanced(const char *self, struct pgsql_location mine, const struct pgsql_peer *peers, size_t n);

/*
 * Cold start: the best of this node and the peers with a readable location:
 * the index of the peer, or -1 for self.  Ties go to the first name in strcmp
 * order, so every node ranks alike.
 */
int pgsql_cold_start_best(const char *self, struct pgsql_location mine, const struct pgsql_peer *peers, size_t n);

/*
 * The pre-promote notification leaves "<standbys that took part>|<node being
 * demoted>" on the node to promote.  Splits it; -EINVAL when malformed.
 */
int pgsql_election_parse(const char *election, char *standbys, size_t standbys_len, char *demoted,
			 size_t demoted_len);

struct pgsql_election_in {
	const char *self;
	struct pgsql_location mine;
	const char *election;		/* as above; NULL: no pre-promote notification data */
	const char *checkpoint;		/* the demoted node's shutdown checkpoint as it published it; NULL: none */
	const struct pgsql_peer *peers;	/* the published locations of the standbys that took part */
	size_t n_peers;
	const char *node_list;		/* every node (the quorum rule below) */
	unsigned sync_num;		/* rep_mode=sync: standbys confirming each commit; 0: no zero-loss promise */
};

enum pgsql_decision {
	PGSQL_PROMOTE,			/* this node has the most recent data: promote it */
	PGSQL_HAND_OVER,		/* a peer has more recent data: it gets the promotion */
	PGSQL_NO_ELECTION,		/* no pre-promote data: nothing to compare with */
	PGSQL_NO_LOCATION,		/* a standby that took part has no readable location */
	PGSQL_NO_CHECKPOINT,		/* switchover, and the old primary's checkpoint is unknown */
	PGSQL_CHECKPOINT_MISSED,	/* switchover, and this node did not receive that checkpoint */
	PGSQL_TOO_FEW_KNOWN,		/* failover in sync mode, and too few nodes' locations are known */
};

/*
 * The election just before promoting.  Anything but PGSQL_PROMOTE refuses the
 * promotion; winner gets the node for PGSQL_HAND_OVER, reason one line why.
 */
enum pgsql_decision pgsql_decide_promotion(const struct pgsql_election_in *in, char *winner, size_t winner_len,
					   char *reason, size_t reason_len);

/* Iterate over a list of node names (spaces or commas): false at the end. */
bool pgsql_next_node(const char **cursor, char *buf, size_t len);
bool pgsql_listed(const char *list, const char *node);

bool pgsql_standby_is_sync(const struct hubha_pg_standby *s);
/*
 * The promotion score of the streaming standby all[i]: synchronous standbys
 * first, then by how far they have flushed, then by name.
 */
int pgsql_standby_score(const struct hubha_pg_standby *all, size_t n, size_t i);

/* How many nodes a list names. */
unsigned pgsql_count_nodes(const char *list);

/*
 * How many standbys confirm each commit: sync_num (at least 1), at most the
 * other nodes of a node_list of n_nodes (PostgreSQL would wait forever for
 * more names than the list has).
 */
unsigned pgsql_sync_count(unsigned n_nodes, unsigned sync_num);

/*
 * synchronous_standby_names naming every node of node_list but self ("" when
 * there is none): 'FIRST 1 ("b")' for one other node, 'ANY k ("b", "c")' for
 * several, k = pgsql_sync_count: a quorum commit, which any k of them
 * confirm, so losing one of several standbys holds no commit back.
 * -ENAMETOOLONG when it does not fit, -EINVAL for a name that cannot be
 * quoted.
 */
int pgsql_sync_names(const char *node_list, const char *self, unsigned sync_num, char *buf, size_t len);

/*
 * What the primary sets synchronous_standby_names to, given the value in
 * effect and the one wanted: NULL to leave it.  n_sync standbys stream
 * synchronously (sync or quorum) of the n_standbys connected; need is
 * pgsql_sync_count.  With degrade_to_async, fewer than need synchronous ones
 * clear it (asynchronous rather than blocking commits), and need connected
 * standbys set it again.
 */
const char *pgsql_sync_names_next(const char *current, const char *want, unsigned n_sync, unsigned need,
				  bool degrade_to_async, unsigned n_standbys);

/*
 * The zero-loss rule of a failover in sync mode.  Every commit the primary
 * acknowledged is on k = pgsql_sync_count standbys of the n-1 it had, so any
 * n-k nodes of node_list hold it, the old primary counted if it takes part;
 * the most advanced of them has it.  Fewer than n-k known locations may all
 * lack a commit that only the unknown ones confirmed; fencing such a node
 * stops it but does not bring its WAL back, so it stays unknown.  known lists
 * the nodes whose location is known.  0, or -EAGAIN with a reason naming the
 * missing nodes.
 */
unsigned pgsql_failover_quorum(unsigned n_nodes, unsigned sync_num);
int pgsql_check_failover_quorum(const char *node_list, unsigned sync_num, const char *known, char *reason,
				size_t reason_len);

/*
 * A node's replication slot, prefix_node: heartbeat:pgsql's rule (upper case
 * to lower, '-' and '.' to '_'), and any other character a slot name cannot
 * hold to '_' too.  -ENAMETOOLONG past len or PostgreSQL's 63 bytes.
 */
int pgsql_slot_name(const char *prefix, const char *node, char *buf, size_t len);

/* A slot as the primary finds it in pg_replication_slots. */
enum pgsql_slot_state {
	PGSQL_SLOT_OK,		/* it reserves WAL */
	PGSQL_SLOT_MISSING,	/* no such slot */
	PGSQL_SLOT_UNRESERVED,	/* it exists but reserves nothing yet (created without reserving) */
	PGSQL_SLOT_LOST,	/* invalidated at max_slot_wal_keep_size: WAL its standby needs is gone */
};

/*
 * The state of slot in list, "name:wal_status ..." as the agent reads
 * pg_replication_slots (wal_status "none" when NULL).
 */
enum pgsql_slot_state pgsql_slot_state(const char *list, const char *slot);

/*
 * Why a standby whose slot was lost is not promoted, and what brings it
 * back: an archive (restore_command) may still hold its WAL, else it needs a
 * new base backup.
 */
void pgsql_wal_lost_reason(const char *slot, bool archive, char *buf, size_t len);

/*
 * Where the timeline tl of a timeline history file (as TIMELINE_HISTORY
 * returns it) ended: 0 and *ret_lsn, -ENOENT when the history does not list
 * tl, -EINVAL when a line does not parse.
 */
int pgsql_history_switchpoint(const char *history, uint32_t tl, hubha_lsn *ret_lsn);

/*
 * This standby's WAL receiver as the agent reads it: "PID STATUS IDLE_MS",
 * IDLE_MS how long ago it last received a message (-1: never).  -EINVAL
 * unless all of it parses.
 */
int pgsql_receiver_parse(const char *text, pid_t *ret_pid, char *status, size_t status_len, long *ret_idle_ms);

/* How long a receiver heard nothing before a promotion elsewhere makes it suspect. */
#define RECEIVER_STALE_MS 1000

/*
 * After another node's promotion: whether this standby's receiver is still
 * tied to the old primary and should be ended (the startup process starts a
 * new one at once, which connects to master_ip, the new primary).  Only a
 * receiver that streams and has heard nothing for RECEIVER_STALE_MS: a
 * crashed or cut-off primary sends no reset, so it would notice only when
 * its next status message timed out or wal_receiver_timeout ended it, and a
 * quorum commit waits for it meanwhile.  Not on the node demoted in the same
 * transition: its receiver is new.
 */
bool pgsql_receiver_stale(const char *status, long idle_ms, bool demoted_here);

/* What a re-seed of this node is decided on. */
struct pgsql_reseed_in {
	const char *state;		/* this node's control data: "shut down in recovery", ... */
	struct pgsql_location mine;	/* where its WAL ends, as far as its control data tells */
	struct pgsql_location primary;	/* the primary's timeline and current position */
	const char *history;		/* the history of the primary's timeline; NULL when not read */
};

/*
 * Whether this node may throw its data away for a fresh base backup: only
 * when it was a standby and all it has is on the primary's timeline before
 * the primary's position.  0, or -EPERM with a reason.
 */
int pgsql_decide_reseed(const struct pgsql_reseed_in *in, char *reason, size_t reason_len);

/*
 * A promotable clone needs notify=true (the election runs in the pre-promote
 * notification) and one promoted instance.  Values as Pacemaker passes them
 * (NULL: not passed); -EINVAL with a reason when not so.
 */
int pgsql_check_clone_meta(const char *notify, const char *promoted_max, const char *master_max, char *reason,
			   size_t reason_len);

#endif
