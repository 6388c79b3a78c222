-- Lease numbers (compute.Sequencer): drawn from a sequence outside the
-- lease's transaction, so concurrent SERIALIZABLE leases do not all write
-- one counter row and conflict on it.
CREATE SEQUENCE queue_asks;
