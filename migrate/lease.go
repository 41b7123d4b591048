package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/atomdb/atomdb/core"
)

// WithLeaseLock replaces the database's own lock (GET_LOCK, the advisory
// lock) by a lease: a row of the table named after the migrations table
// with "_lock" appended, held for ttl and renewed while the migrations run.
// It is for clusters where the database's lock is not cluster-wide, such
// as Galera, whose GET_LOCK holds on one node only. A lease whose holder
// died expires after ttl and is taken over. If renewing fails, the work in
// progress is cancelled. The clocks of the hosts that run up must agree to
// well within ttl.
func WithLeaseLock(ttl time.Duration) Option { return func(m *Migrator) { m.lease = ttl } }

func (m *Migrator) leaseTable() string { return m.table + "_lock" }

// withLease runs fn holding the lease.
func (m *Migrator) withLease(ctx context.Context, fn func(ctx context.Context) error) error {
	t := core.NewTable(m.leaseTable(),
		&core.Column{Name: "name", Type: core.String(255), PrimaryKey: true},
		&core.Column{Name: "holder", Type: core.String(64)},
		&core.Column{Name: "expires_at", Type: core.Timestamp()},
	)
	stmts, err := t.CreateSQL(m.d, core.DefaultNaming, core.IfNotExists())
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := m.db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
			// Another process creating it at the same moment.
			if _, err2 := m.db.Execute(ctx, core.Stmt{SQL: s}); err2 != nil {
				return fmt.Errorf("migrate: create %s: %w", m.leaseTable(), err)
			}
		}
	}
	name, err := m.LockName(ctx)
	if err != nil {
		return err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	tbl := m.q(m.leaseTable())
	deadline := time.Now().Add(m.lockTimeout)
	for {
		now := time.Now().UTC()
		if err := m.exec(ctx, "DELETE FROM "+tbl+" WHERE name = ? AND expires_at < ?", name, now); err != nil {
			return fmt.Errorf("migrate: lease: %w", err)
		}
		err := m.exec(ctx, "INSERT INTO "+tbl+" (name, holder, expires_at) VALUES (?, ?, ?)", name, holder, now.Add(m.lease))
		if err == nil {
			break
		}
		if !errors.Is(err, core.ErrUniqueViolation) {
			return fmt.Errorf("migrate: lease: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the lease %q in %s is held by another process", ErrLocked, name, m.leaseTable())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		tick := time.NewTicker(max(m.lease/3, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				res, err := m.db.Execute(ctx, m.stmt("UPDATE "+tbl+" SET expires_at = ? WHERE name = ? AND holder = ?",
					time.Now().UTC().Add(m.lease), name, holder))
				if err == nil && res.RowsAffected == 0 {
					err = fmt.Errorf("%w: the lease %q was lost", ErrLocked, name)
				}
				if err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	err = fn(work)
	close(stop)
	<-renewed
	if cause := context.Cause(work); cause != nil && !errors.Is(cause, context.Canceled) && err != nil {
		err = fmt.Errorf("%w (%w)", err, cause)
	}
	if rerr := m.exec(context.WithoutCancel(ctx), "DELETE FROM "+tbl+" WHERE name = ? AND holder = ?", name, holder); rerr != nil && err == nil {
		err = fmt.Errorf("migrate: releasing the lease: %w", rerr)
	}
	return err
}
