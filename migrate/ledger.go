package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
)

// Applied is a row of the migrations table.
type Applied struct {
	Version, Name string
	Checksum      string    // SHA-256 of the up file applied
	Statements    int       // statements applied so far (MySQL's progress)
	Undone        int       // statements of the down file run so far (MySQL)
	AppliedAt     time.Time // zero while partial
}

// Partial reports whether the migration started but did not finish
// (MySQL, whose DDL cannot be rolled back).
func (a *Applied) Partial() bool { return a.AppliedAt.IsZero() }

func (m *Migrator) q(name string) string { return m.d.QuoteIdent(name) }

func (m *Migrator) stmt(sql string, args ...any) core.Stmt {
	n := 0
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		if sql[i] == '?' {
			n++
			b.WriteString(m.d.Placeholder(n))
			continue
		}
		b.WriteByte(sql[i])
	}
	return core.Stmt{SQL: b.String(), Args: args}
}

func (m *Migrator) exec(ctx context.Context, sql string, args ...any) error {
	_, err := m.db.Execute(ctx, m.stmt(sql, args...))
	return err
}

// ensureTable creates the migrations table unless it exists.
func (m *Migrator) ensureTable(ctx context.Context) error {
	t := core.NewTable(m.table,
		&core.Column{Name: "version", Type: core.String(64), PrimaryKey: true},
		&core.Column{Name: "name", Type: core.String(255)},
		&core.Column{Name: "checksum", Type: core.String(64)},
		&core.Column{Name: "statements", Type: core.Integer(), Default: 0},
		&core.Column{Name: "undone", Type: core.Integer(), Default: 0},
		&core.Column{Name: "applied_at", Type: core.Timestamp(), Nullable: true},
	)
	stmts, err := t.CreateSQL(m.d, core.DefaultNaming, core.IfNotExists())
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := m.db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
			return fmt.Errorf("migrate: create %s: %w", m.table, err)
		}
	}
	return nil
}

func (m *Migrator) tableExists(ctx context.Context) (bool, error) {
	var st core.Stmt
	switch m.d {
	case core.Postgres:
		st = m.stmt("SELECT to_regclass(format('%I.%I', current_schema(), ?::text)) IS NOT NULL", m.table)
	case core.MySQL:
		st = m.stmt("SELECT COUNT(*) > 0 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", m.table)
	default:
		st = m.stmt("SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", m.table)
	}
	v, err := m.db.FetchVal(ctx, st)
	return truthy(v), err
}

// applied reads the migrations table (empty when it does not exist).
func (m *Migrator) applied(ctx context.Context) ([]*Applied, error) {
	ok, err := m.tableExists(ctx)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := m.db.FetchAll(ctx, core.Stmt{SQL: "SELECT version, name, checksum, statements, applied_at, undone FROM " + m.q(m.table) + " ORDER BY version"})
	if err != nil {
		return nil, err
	}
	var out []*Applied
	for _, r := range rows {
		a := &Applied{Version: str(r.At(0)), Name: str(r.At(1)), Checksum: str(r.At(2))}
		if n, ok := r.At(3).(int64); ok {
			a.Statements = int(n)
		}
		if t, ok := r.At(4).(time.Time); ok {
			a.AppliedAt = t
		}
		if n, ok := r.At(5).(int64); ok {
			a.Undone = int(n)
		}
		out = append(out, a)
	}
	// In the history's order (versions past 9999 do not sort as text);
	// versions the files lack go last, for verify to report.
	pos := map[string]int{}
	for i, mig := range m.h.Migrations {
		pos[mig.Version] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, oki := pos[out[i].Version]
		pj, okj := pos[out[j].Version]
		if oki != okj {
			return oki
		}
		return pi < pj
	})
	return out, nil
}

func (m *Migrator) appliedRow(ctx context.Context, version string) (*Applied, error) {
	all, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Version == version {
			return a, nil
		}
	}
	return nil, nil
}

// verify checks the applied rows against the history: each is a
// migration of the history, in order with no gap, with the checksum of its
// up file as it is now. It returns how many migrations are applied.
func (m *Migrator) verify(applied []*Applied) (int, error) {
	for i, a := range applied {
		if i >= len(m.h.Migrations) {
			return 0, fmt.Errorf("%w: the database has applied migration %s_%s, which the migration files do not have", ErrHistory, a.Version, a.Name)
		}
		mig := m.h.Migrations[i]
		if mig.Version != a.Version {
			return 0, fmt.Errorf("%w: the database has applied %s_%s where the files have %s_%s next (files out of order after a merge?)",
				ErrHistory, a.Version, a.Name, mig.Version, mig.Name)
		}
		if sum := mig.UpChecksum(m.d); sum != a.Checksum {
			return 0, &Error{Version: mig.Version, Name: mig.Name,
				Err: fmt.Errorf("%w: its %s up file was edited after it was applied", ErrChecksum, m.dk)}
		}
		if (a.Partial() || a.Undone > 0) && i != len(applied)-1 {
			return 0, fmt.Errorf("%w: migration %s_%s is partly applied but later ones are recorded", ErrHistory, a.Version, a.Name)
		}
	}
	return len(applied), nil
}

// checkWritable refuses a read-only replica or session.
func (m *Migrator) checkWritable(ctx context.Context) error {
	var st core.Stmt
	switch m.d {
	case core.Postgres:
		st = core.Stmt{SQL: "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"}
	case core.MySQL:
		st = core.Stmt{SQL: "SELECT @@global.read_only OR @@session.transaction_read_only"}
	default:
		st = core.Stmt{SQL: "PRAGMA query_only"}
	}
	v, err := m.db.FetchVal(ctx, st)
	if err != nil && m.d == core.MySQL {
		v, err = m.db.FetchVal(ctx, core.Stmt{SQL: "SELECT @@global.read_only OR @@session.tx_read_only"})
	}
	if err != nil {
		return fmt.Errorf("migrate: read-only check: %w", err)
	}
	if truthy(v) {
		return fmt.Errorf("%w: %s", ErrReadOnly, m.db)
	}
	return nil
}

// LockName returns the name of the migration lock: made of the schema (or
// database) and the migrations table, so that two applications sharing a
// server but not a schema do not wait for each other. On MySQL a name
// longer than GET_LOCK's 64 characters is replaced by a hash of it; on
// PostgreSQL the advisory lock's key is the first 8 bytes (big-endian) of
// the name's SHA-256.
func (m *Migrator) LockName(ctx context.Context) (string, error) {
	q := "SELECT current_schema()"
	switch m.d {
	case core.MySQL:
		q = "SELECT DATABASE()"
	case core.SQLite:
		q = "SELECT 'main'" // one database per file
	}
	v, err := m.db.FetchVal(ctx, core.Stmt{SQL: q})
	if err != nil {
		return "", err
	}
	name := "atomdb_migrate:" + str(v) + "." + m.table
	if m.d == core.MySQL && len(name) > 64 {
		s := sha256.Sum256([]byte(name))
		name = "atomdb_migrate:" + hex.EncodeToString(s[:16])
	}
	return name, nil
}

func pgLockKey(name string) int64 {
	s := sha256.Sum256([]byte(name))
	return int64(binary.BigEndian.Uint64(s[:8]))
}

// withLock runs fn holding the migration lock: PostgreSQL's session
// advisory lock or MySQL's GET_LOCK, on a pinned connection on which fn's
// statements run too. SQLite takes its lock per migration (BEGIN
// IMMEDIATE), and with WithTxLock so does PostgreSQL.
func (m *Migrator) withLock(ctx context.Context, fn func(ctx context.Context) error) error {
	if m.lease > 0 {
		return m.withLease(ctx, fn)
	}
	if !m.d.Caps().AdvisoryLocks || (m.d == core.Postgres && m.txLock) {
		return fn(ctx)
	}
	return m.db.Conn(ctx, func(ctx context.Context) error {
		name, err := m.LockName(ctx)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if m.d == core.MySQL {
			// A Galera node's GET_LOCK is its own, not the cluster's: two
			// processes on two nodes would both hold "the" lock.
			if v, err := m.db.FetchVal(ctx, core.Stmt{SQL: "SELECT @@wsrep_on"}); err == nil && truthy(v) {
				return fmt.Errorf("%w: %s is a Galera cluster node (wsrep_on), where GET_LOCK locks that node only: use WithLeaseLock", ErrLocked, m.db)
			}
			secs := max(int(m.lockTimeout/time.Second), 0)
			v, err := m.db.FetchVal(ctx, m.stmt("SELECT GET_LOCK(?, ?)", name, secs))
			if err != nil {
				return fmt.Errorf("migrate: lock: %w", err)
			}
			if n, _ := v.(int64); n != 1 {
				return fmt.Errorf("%w: GET_LOCK(%q) did not succeed within %s", ErrLocked, name, m.lockTimeout)
			}
			defer func() { _ = m.exec(context.WithoutCancel(ctx), "DO RELEASE_LOCK(?)", name) }()
			return fn(ctx)
		}
		key := pgLockKey(name)
		deadline := time.Now().Add(m.lockTimeout)
		for {
			v, err := m.db.FetchVal(ctx, m.stmt("SELECT pg_try_advisory_lock(?)", key))
			if err != nil {
				return fmt.Errorf("migrate: lock: %w", err)
			}
			if truthy(v) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%w: advisory lock %q (key %d) held elsewhere for %s", ErrLocked, name, key, m.lockTimeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		defer func() { _ = m.exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key) }()
		return fn(ctx)
	})
}
