/*
 * One line for each result of a libhubha-cluster call, and one phrase per
 * health reason, for tools to print.
 */
#include <errno.h>
#include <string.h>

#include <hubha/cluster.h>

const char *hubha_cluster_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ECONNREFUSED:
		return "corosync is not running";
	case EACCES:
		return "not allowed to connect to corosync (root or a uidgid entry needed)";
	case EPERM:
		return "not allowed to read hubhad's view (root or its ipc_group needed)";
	case ESRCH:
		return "hubhad is not running on this node";
	case EOPNOTSUPP:
		return "not supported by a handle opened with HUBHA_CLUSTER_LOCAL";
	case ENOTCONN:
		return "lost the connection to corosync";
	case ETIMEDOUT:
		return "no report arrived in time";
	case EAGAIN:
		return "corosync is busy, try again";
	case ENOENT:
		return "no hub is primary";
	case ENOTUNIQ:
		return "more than one hub is primary";
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory";
	case ENOSYS:
		return "not implemented";
	case EBADMSG:
		return "a malformed message";
	case EPROTONOSUPPORT:
		return "a message of an unknown protocol version";
	default:
		return strerror(err);
	}
}

const char *hubha_cluster_reason_str(hubha_reason_t reason)
{
	switch (reason) {
	case HUBHA_REASON_PEER_NOT_MEMBER:
		return "peer not a member";
	case HUBHA_REASON_NO_QUORUM:
		return "no quorum";
	case HUBHA_REASON_NO_PRIMARY:
		return "no primary";
	case HUBHA_REASON_MULTIPLE_PRIMARIES:
		return "more than one primary";
	case HUBHA_REASON_STANDBY_NOT_STREAMING:
		return "standby not streaming";
	case HUBHA_REASON_LAG:
		return "standby lag over threshold";
	case HUBHA_REASON_SYNC_NO_STANDBY:
		return "synchronous replication requested without a synchronous standby";
	case HUBHA_REASON_STALE_REPORT:
		return "stale report";
	case HUBHA_REASON_SERVICES:
		return "hub services unhealthy on the active hub";
	case HUBHA_REASON_FENCING_DISABLED:
		return "fencing disabled";
	}
	return NULL;
}
