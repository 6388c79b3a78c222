package compute_test

import (
	"testing"

	"cyclecash/compute"
	"cyclecash/compute/queuetest"
)

func TestQueueMemStore(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(*testing.T) compute.Store { return compute.NewMemStore() })
}
