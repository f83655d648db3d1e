/*
 * fence_hubha_selffence — the survivor's side of self-fencing.  Nothing is
 * done to the target: its own hubha-selffenced kills PostgreSQL, removes the
 * shared addresses and stops hub services within bound_ms of losing quorum.
 * This agent confirms off/reboot only once the target has certainly left the
 * membership of this quorate node and that time has certainly passed: it
 * watches from its own start for quorum_loss_ms + bound_ms + margin_ms, and
 * refuses the moment the target is a member, this node has no quorum, or the
 * membership cannot be read.
 *
 * Why waiting from the call is enough: Pacemaker fences a node only after it
 * left the membership, so the target's loss happened before this call; its
 * quorum-loss notification comes at most quorum_loss_ms after it left (the
 * qdevice vote it may still hold lasts at most quorum.device.sync_timeout);
 * its daemon is done bound_ms after that.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/quorum.h>

#include <hubha/deadline.h>
#include <hubha/fence.h>
#include <hubha/log.h>

#include "selffence_decide.h"

#define MAX_NODES 64
/* How often the membership is looked at while waiting. */
#define LOOK_MS 100

static const struct hubha_fence_param_def sf_params[] = {
	{ .name = "bound_ms", .type = "integer", .default_value = "5000", .getopt = "--bound-ms=[ms]",
	  .shortdesc = "The target's hubha-selffenced --bound-ms: how long after its quorum loss it is done" },
	{ .name = "quorum_loss_ms", .type = "integer", .default_value = "30000", .getopt = "--quorum-loss-ms=[ms]",
	  .shortdesc = "Longest time from leaving the membership to losing quorum: the qdevice's "
		       "quorum.device.sync_timeout (corosync-qdevice's default is 30000)" },
	{ .name = "margin_ms", .type = "integer", .default_value = "2000", .getopt = "--margin-ms=[ms]",
	  .shortdesc = "Added for membership detection skew between the nodes (token plus consensus) and clock rate" },
};

static const char *const sf_actions[] = { "on", "off", "reboot", "list", "monitor", "validate-all", NULL };

static struct {
	bool quorate, have_view;
	uint32_t n;
	uint32_t view[MAX_NODES];
	bool overflow;
} view;

static const char *param(struct hubha_fence_ctx *ctx, const char *name)
{
	char dashed[64];
	const char *v = hubha_fence_args_get(ctx->args, name);

	if (v)
		return v;
	snprintf(dashed, sizeof(dashed), "%s", name);
	for (char *p = dashed; *p; p++)
		if (*p == '_')
			*p = '-';
	return hubha_fence_args_get(ctx->args, dashed);
}

static int param_ms(struct hubha_fence_ctx *ctx, const char *name, unsigned *ret)
{
	const char *t = param(ctx, name), *def = NULL;
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(sf_params) / sizeof(sf_params[0]); i++)
		if (strcmp(sf_params[i].name, name) == 0)
			def = sf_params[i].default_value;
	if (!t)
		t = def;
	errno = 0;
	v = strtol(t, &end, 10);
	if (errno || !*t || *end || v < 0 || v > 3600000) {
		hubha_fence_reason(ctx, "%s=%s must be 0..3600000 milliseconds", name, t);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static void quorum_notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq, uint32_t n, uint32_t *list)
{
	(void)h;
	(void)ring_seq;
	view.quorate = quorate;
	view.overflow = n > MAX_NODES;
	view.n = view.overflow ? 0 : n;
	if (!view.overflow)
		memcpy(view.view, list, n * sizeof(*list));
	view.have_view = true;
}

static bool is_member(uint32_t nodeid)
{
	for (uint32_t i = 0; i < view.n; i++)
		if (view.view[i] == nodeid)
			return true;
	return false;
}

/* cmap's nodelist: the node id of name (its name or ring0_addr), or -ENOENT. */
static int nodeid_of(struct hubha_fence_ctx *ctx, const char *name, uint32_t *ret_id, bool print_list)
{
	cmap_handle_t h;
	int r = -ENOENT;

	if (cmap_initialize(&h) != CS_OK) {
		hubha_fence_reason(ctx, "Cannot connect to corosync (cmap)");
		return -ECONNREFUSED;
	}
	for (unsigned i = 0; i < 1024; i++) {
		char key[128], *value = NULL;
		uint32_t id;

		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
		if (cmap_get_uint32(h, key, &id) != CS_OK)
			break;
		snprintf(key, sizeof(key), "nodelist.node.%u.name", i);
		if (cmap_get_string(h, key, &value) != CS_OK) {
			snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i);
			if (cmap_get_string(h, key, &value) != CS_OK)
				continue;
		}
		if (print_list)
			printf("%s,%s\n", value, value);
		else if (strcmp(value, name) == 0) {
			*ret_id = id;
			r = 0;
		}
		free(value);
		if (r == 0)
			break;
	}
	cmap_finalize(h);
	if (print_list)
		return 0;
	if (r < 0)
		hubha_fence_reason(ctx, "%s is not in corosync's nodelist", name);
	return r;
}

/* Watch the membership until the decision is no longer "wait". */
static enum sf_confirm watch(struct hubha_fence_ctx *ctx, uint32_t nodeid, unsigned wait_ms)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = quorum_notify };
	struct sf_confirm_in in = { .started_ms = hubha_now_ms(), .wait_ms = wait_ms };
	enum sf_confirm d = SF_CONFIRM_UNKNOWN;
	quorum_handle_t qh;
	uint32_t type;
	int fd;

	if (quorum_initialize(&qh, &cb, &type) != CS_OK) {
		hubha_fence_reason(ctx, "Cannot connect to corosync (quorum)");
		return SF_CONFIRM_UNKNOWN;
	}
	if (quorum_trackstart(qh, CS_TRACK_CURRENT | CS_TRACK_CHANGES) != CS_OK || quorum_fd_get(qh, &fd) != CS_OK) {
		hubha_fence_reason(ctx, "Cannot track corosync's membership");
		quorum_finalize(qh);
		return SF_CONFIRM_UNKNOWN;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, LOOK_MS);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && ((p.revents & (POLLHUP | POLLERR | POLLNVAL)) ||
			      quorum_dispatch(qh, CS_DISPATCH_ALL) != CS_OK)) {
			view.have_view = false;
			hubha_fence_reason(ctx, "Lost the connection to corosync");
		}
		in.view_ok = view.have_view && !view.overflow;
		in.target_member = is_member(nodeid);
		in.local_quorate = view.quorate;
		in.now_ms = hubha_now_ms();
		/* Until the first view arrives there is nothing to decide on yet. */
		if (!view.have_view && ctx->reason[0] == '\0' && in.now_ms - in.started_ms < wait_ms)
			continue;
		d = sf_confirm_decide(&in);
		if (d != SF_CONFIRM_WAIT)
			break;
	}
	quorum_finalize(qh);
	return d;
}

static int sf_off(struct hubha_fence_ctx *ctx)
{
	unsigned bound, loss, margin, wait_ms;
	uint32_t nodeid;

	if (param_ms(ctx, "bound_ms", &bound) < 0 || param_ms(ctx, "quorum_loss_ms", &loss) < 0 ||
	    param_ms(ctx, "margin_ms", &margin) < 0)
		return HUBHA_FENCE_ERROR;
	if (nodeid_of(ctx, ctx->plug, &nodeid, false) < 0)
		return HUBHA_FENCE_ERROR;
	wait_ms = loss + bound + margin;
	hubha_log(LOG_NOTICE, "%s (node %u): confirming its self-fencing after %u ms out of the membership",
		  ctx->plug, nodeid, wait_ms);
	switch (watch(ctx, nodeid, wait_ms)) {
	case SF_CONFIRM_FENCED:
		hubha_log(LOG_NOTICE, "%s stayed out of the membership for %u ms: it has fenced itself", ctx->plug,
			  wait_ms);
		return HUBHA_FENCE_OK;
	case SF_CONFIRM_MEMBER:
		hubha_fence_reason(ctx, "%s is a member of this node's membership: it has not fenced itself",
				   ctx->plug);
		break;
	case SF_CONFIRM_NO_QUORUM:
		hubha_fence_reason(ctx, "This node has no quorum: %s's absence does not prove its quorum loss",
				   ctx->plug);
		break;
	case SF_CONFIRM_UNKNOWN:
	case SF_CONFIRM_WAIT:
		if (!ctx->reason[0])
			hubha_fence_reason(ctx, "Cannot read corosync's membership");
		break;
	}
	return HUBHA_FENCE_ERROR;
}

static int sf_run(struct hubha_fence_ctx *ctx)
{
	if (strcmp(ctx->action, "off") == 0 || strcmp(ctx->action, "reboot") == 0)
		return sf_off(ctx);
	if (strcmp(ctx->action, "on") == 0) {
		/* The node comes back by itself (its cluster stack rejoins); there is nothing to switch on. */
		hubha_log(LOG_INFO, "%s: on is a no-op for self-fencing", ctx->plug);
		return HUBHA_FENCE_OK;
	}
	if (strcmp(ctx->action, "list") == 0)
		return nodeid_of(ctx, NULL, NULL, true) < 0 ? HUBHA_FENCE_ERROR : HUBHA_FENCE_OK;
	/* monitor: the membership can be read. */
	{
		quorum_callbacks_t cb = { .quorum_notify_fn = quorum_notify };
		quorum_handle_t qh;
		uint32_t type;

		if (quorum_initialize(&qh, &cb, &type) != CS_OK) {
			hubha_fence_reason(ctx, "Cannot connect to corosync (quorum)");
			return HUBHA_FENCE_ERROR;
		}
		quorum_finalize(qh);
		return HUBHA_FENCE_OK;
	}
}

static int sf_validate(struct hubha_fence_ctx *ctx)
{
	unsigned v;

	if (param_ms(ctx, "bound_ms", &v) < 0 || param_ms(ctx, "quorum_loss_ms", &v) < 0 ||
	    param_ms(ctx, "margin_ms", &v) < 0)
		return HUBHA_FENCE_ERROR;
	if (param_ms(ctx, "bound_ms", &v) == 0 && v < 500) {
		hubha_fence_reason(ctx, "bound_ms=%u is below hubha-selffenced's minimum of 500", v);
		return HUBHA_FENCE_ERROR;
	}
	return HUBHA_FENCE_OK;
}

static const struct hubha_fence_agent sf_agent = {
	.name = "fence_hubha_selffence",
	.shortdesc = "Confirms that a hub without a fence device has fenced itself",
	.longdesc = "For hubs with no fence device: a third vote from corosync-qnetd (corosync-qdevice on the hubs) "
		    "and hubha-selffenced on every hub, which within bound_ms of losing quorum kills the local "
		    "PostgreSQL, removes the shared addresses and stops hub services. This agent fences nothing "
		    "itself. For off and reboot it watches corosync's membership from the moment it is called and "
		    "confirms only after the target stayed out of it, while this node kept quorum, for "
		    "quorum_loss_ms + bound_ms + margin_ms; it fails at once, with a reason, when the target is a "
		    "member, when this node has no quorum, or when the membership cannot be read. Pacemaker fences "
		    "a node only after it left the membership, so the wait starts after the target's loss and is "
		    "conservative. The confirmation is true only if hubha-selffenced runs on the target with the "
		    "same bound (or a watchdog whose timeout is within the bound backs it), the target's clock rate "
		    "is sane, and quorum_loss_ms covers the qdevice's quorum.device.sync_timeout. on succeeds "
		    "without doing anything: the node rejoins by itself. stonith-timeout (or pcmk_off_timeout) must "
		    "exceed the wait. See hubha-selffenced(8).",
	.params = sf_params,
	.n_params = sizeof(sf_params) / sizeof(sf_params[0]),
	.actions = sf_actions,
	.run = sf_run,
	.validate = sf_validate,
};

int main(int argc, char **argv)
{
	return hubha_fence_main(&sf_agent, argc, argv);
}
