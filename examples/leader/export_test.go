package leader

import (
	"time"

	coordinationclient "k8s.io/client-go/kubernetes/typed/coordination/v1"
)

// SetClock makes l read the time from now: a test moves an observer's clock.
func SetClock(l *K8sLock, now func() time.Time) { l.now = now }

// SetLeases makes l use leases from now on.
func SetLeases(l *K8sLock, leases coordinationclient.LeaseInterface) { l.leases = leases }

// PGError is pgError, for the classification test.
var PGError = pgError
