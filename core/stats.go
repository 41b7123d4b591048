package core

import "time"

// PoolStats describes one connection pool at a moment: pgx's pool
// statistics on PostgreSQL, database/sql's DBStats on MySQL and SQLite.
type PoolStats struct {
	// MaxOpen is the most connections the pool opens (0: no limit).
	MaxOpen int
	// Open is the number of connections open now, in use or idle.
	Open int
	// InUse is the number of connections running a statement, a cursor or
	// a transaction.
	InUse int
	// Idle is the number of open connections waiting in the pool.
	Idle int
	// Waits counts the times a caller had to wait for a connection because
	// none was idle and the pool was full (database/sql), or because none
	// was idle (pgx), since the pool opened.
	Waits int64
	// WaitTime is the total time callers spent in those waits.
	WaitTime time.Duration
}

// Stats describes the Database's pools: the primary's and, for a Database
// opened with replicas, each replica's.
type Stats struct {
	Primary  PoolStats
	Replicas []ReplicaStats // in the order WithReplicas and the URL's replica options gave them
}

// ReplicaStats describes one read replica.
type ReplicaStats struct {
	// Replica is the replica's number, as QueryEvent.Replica reports it (1 for the first).
	Replica int
	// URL is the replica's URL, its password masked.
	URL string
	// Healthy reports whether reads are sent to it: its last health check,
	// or the statement that last failed on it, succeeded.
	Healthy bool
	// Err is why the last health check failed, or nil.
	Err error
	// PoolStats is its pool's statistics; all zero until it first connects.
	PoolStats
}

// Stats returns the pool statistics of the primary and of each replica.
// They are counters and gauges for metrics: read them periodically.
func (db *Database) Stats() Stats {
	s := Stats{Primary: db.pool.Stats()}
	if db.replicas != nil {
		s.Replicas = db.replicas.stats()
	}
	return s
}
