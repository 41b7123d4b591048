package postgres

import "github.com/atomdb/atomdb/core"

// Stats reports pgxpool's statistics. Waits counts the acquires that found
// no idle connection (pgx's EmptyAcquireCount), WaitTime the time they took.
func (b *pgBackend) Stats() core.PoolStats {
	s := b.pool.Stat()
	return core.PoolStats{
		MaxOpen:  int(s.MaxConns()),
		Open:     int(s.TotalConns()),
		InUse:    int(s.AcquiredConns()),
		Idle:     int(s.IdleConns()),
		Waits:    s.EmptyAcquireCount(),
		WaitTime: s.EmptyAcquireWaitTime(),
	}
}
