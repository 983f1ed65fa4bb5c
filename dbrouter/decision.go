package dbrouter

import "context"

// Role is the role of the node a query went to.
type Role string

// Roles.
const (
	RolePrimary Role = "primary"
	RoleReplica Role = "replica"
)

// Reason says why a query went where it did.
type Reason uint8

// Reasons, as reported in [Decision] and counted in [Stats].
const (
	ReasonWrite     Reason = iota // a write method, or SQL the classifier does not know to be a read
	ReasonTx                      // a read-write transaction (always the primary)
	ReasonForced                  // WithPrimary
	ReasonFresh                   // a replica that satisfies the session token and lag limits
	ReasonSticky                  // primary: no replica has replayed the session's last write yet (or pin window)
	ReasonLagging                 // primary: every healthy replica is beyond MaxLag / max staleness
	ReasonNoReplica               // primary: no replica configured
	ReasonFallback                // primary: every replica is ejected (counted as a fallback)
	ReasonRetry                   // a read retried on another node after a connection error
	ReasonShare                   // primary: Config.ReplicaShare kept this read off the replicas
	numReasons
)

var reasonNames = [numReasons]string{"write", "tx", "forced", "fresh", "sticky", "lagging", "no_replica", "fallback", "retry", "share"}

// String returns the reason's name ("write", "fresh", "no_replica", ...).
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Decision is one routing decision, reported to Config.OnDecision.
type Decision struct {
	// Node is the chosen node's name.
	Node string
	// Role is the chosen node's role.
	Role Role
	// Reason says why.
	Reason Reason
}

func (r *Router) decided(ctx context.Context, n *node, reason Reason) {
	r.reasons[reason].Add(1)
	if r.cfg.OnDecision != nil {
		role := RolePrimary
		if n.replica {
			role = RoleReplica
		}
		r.cfg.OnDecision(ctx, Decision{Node: n.name, Role: role, Reason: reason})
	}
}
