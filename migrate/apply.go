package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
)

// DefaultTable is the name of the table that records applied migrations.
const DefaultTable = "atomdb_migrations"

// GoFunc is a data migration written in Go, for what SQL cannot express.
// It runs after the migration's SQL, in the same transaction on
// PostgreSQL and SQLite (ctx carries it: use db with ctx).
type GoFunc func(ctx context.Context, db *core.Database) error

// Option configures New.
type Option func(*Migrator)

// WithTable names the migrations table (default DefaultTable).
func WithTable(name string) Option { return func(m *Migrator) { m.table = name } }

// WithLockTimeout bounds the wait for the migration lock (default one
// minute); past it, Up and Down return ErrLocked.
func WithLockTimeout(d time.Duration) Option { return func(m *Migrator) { m.lockTimeout = d } }

// WithGo adds a Go data migration to the migration of version: up runs
// after its up SQL, down (may be nil) after its down SQL.
func WithGo(version string, up, down GoFunc) Option {
	return func(m *Migrator) { m.goFuncs[version] = [2]GoFunc{up, down} }
}

// WithTxLock takes PostgreSQL's advisory lock per migration transaction
// (pg_advisory_xact_lock) rather than for the session, for connections
// through PgBouncer in transaction pooling mode, where a session lock may
// be taken and released on different server connections. Migrations
// marked no-transaction cannot run with it.
func WithTxLock() Option { return func(m *Migrator) { m.txLock = true } }

// WithLog makes the Migrator report each migration it applies or undoes.
func WithLog(log func(format string, args ...any)) Option { return func(m *Migrator) { m.log = log } }

// Migrator applies a History to a database.
type Migrator struct {
	db          *core.Database
	h           *History
	d           *core.Dialect
	dk          string
	table       string
	lockTimeout time.Duration
	goFuncs     map[string][2]GoFunc
	txLock      bool
	lease       time.Duration
	log         func(format string, args ...any)
}

// New reads the migrations of fsys (see Load) for db.
func New(db *core.Database, fsys fs.FS, opts ...Option) (*Migrator, error) {
	if fsys == nil {
		return nil, fmt.Errorf("%w: nil fs.FS", ErrBadMigration)
	}
	h, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	return NewFromHistory(db, h, opts...)
}

// NewFromHistory is New for a history already loaded.
func NewFromHistory(db *core.Database, h *History, opts ...Option) (*Migrator, error) {
	if db == nil || h == nil {
		return nil, errors.New("migrate: New needs a database and a history")
	}
	if err := primaryOnly(db); err != nil {
		return nil, err
	}
	m := &Migrator{db: db, h: h, d: db.Dialect(), dk: dialectKey(db.Dialect()), table: DefaultTable,
		lockTimeout: time.Minute, goFuncs: map[string][2]GoFunc{}, log: func(string, ...any) {}}
	for _, o := range opts {
		o(m)
	}
	if m.table == "" {
		return nil, errors.New("migrate: WithTable needs a name")
	}
	return m, nil
}

// primaryOnly refuses a database opened with read replicas.
func primaryOnly(db *core.Database) error {
	if db != nil && db.HasReplicas() {
		return fmt.Errorf("%w (%s): open the primary's URL without replicas to migrate or inspect it", ErrReplicas, db)
	}
	return nil
}

// History returns the migrations the Migrator works from.
func (m *Migrator) History() *History { return m.h }

// Up applies the pending migrations, at most n of them when n > 0, and
// returns the versions it applied. Each is linted first (see Finding) and
// refused when it has an operation it does not allow.
func (m *Migrator) Up(ctx context.Context, n int) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("migrate: up needs a count of 0 (all) or more, not %d", n)
	}
	if err := m.checkWritable(ctx); err != nil {
		return nil, err
	}
	var done []string
	err := m.withLock(ctx, func(ctx context.Context) error {
		if err := m.lockedEnsureTable(ctx); err != nil {
			return err
		}
		applied, err := m.applied(ctx)
		if err != nil {
			return err
		}
		k, err := m.verify(applied)
		if err != nil {
			return err
		}
		start := k
		if k > 0 && applied[k-1].Undone > 0 {
			last := applied[k-1]
			return &Error{Version: last.Version, Name: last.Name, Err: fmt.Errorf("%w: undoing it stopped after %d statements of its down file: run down 1 to finish", ErrHistory, last.Undone)}
		}
		if k > 0 && applied[k-1].Partial() {
			start = k - 1 // resume it
		}
		state, err := m.stateBefore(start)
		if err != nil {
			return err
		}
		for _, mig := range m.h.Migrations[start:] {
			if n > 0 && len(done) >= n {
				break
			}
			sc := mig.Up[m.dk]
			if sc == nil {
				return &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: no %s up file", ErrBadMigration, m.dk)}
			}
			findings, err := lint(m.d, state, mig, func(table string) (bool, error) {
				r, err := m.db.FetchOne(ctx, core.Stmt{SQL: "SELECT 1 FROM " + m.q(table) + " LIMIT 1"})
				return r != nil, err
			})
			if err != nil {
				return &Error{Version: mig.Version, Name: mig.Name, Err: err}
			}
			var refused []Finding
			for _, f := range findings {
				if !f.Allowed {
					refused = append(refused, f)
				}
			}
			if len(refused) > 0 {
				return &Error{Version: mig.Version, Name: mig.Name, Err: &LintError{Version: mig.Version, Findings: refused}}
			}
			ran, err := m.run(ctx, mig, sc, true)
			if err != nil {
				return err
			}
			if ran {
				m.log("applied %s_%s", mig.Version, mig.Name)
				done = append(done, mig.Version)
			}
			if state, _, _, err = Replay(state, mig.Operations); err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}

func (m *Migrator) lockedEnsureTable(ctx context.Context) error {
	if m.d == core.Postgres && m.txLock {
		return m.db.Transaction(ctx, func(ctx context.Context) error {
			if err := m.xactLock(ctx); err != nil {
				return err
			}
			return m.ensureTable(ctx)
		})
	}
	return m.ensureTable(ctx)
}

func (m *Migrator) xactLock(ctx context.Context) error {
	name, err := m.LockName(ctx)
	if err != nil {
		return err
	}
	return m.exec(ctx, "SELECT pg_advisory_xact_lock(?)", pgLockKey(name))
}

// stateBefore is the schema the first k migrations build.
func (m *Migrator) stateBefore(k int) (*Schema, error) {
	if k == 0 {
		return &Schema{}, nil
	}
	return m.h.StateAt(m.h.Migrations[k-1].Version)
}

// Down undoes the last n applied migrations (n >= 1), last first, and
// returns their versions. A migration marked irreversible is refused.
func (m *Migrator) Down(ctx context.Context, n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("migrate: down needs a count of at least 1")
	}
	if err := m.checkWritable(ctx); err != nil {
		return nil, err
	}
	var done []string
	err := m.withLock(ctx, func(ctx context.Context) error {
		applied, err := m.applied(ctx)
		if err != nil {
			return err
		}
		k, err := m.verify(applied)
		if err != nil {
			return err
		}
		if k > 0 && applied[k-1].Partial() {
			mig := m.h.Migrations[k-1]
			return &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: it is partly applied: run up to finish it first", ErrHistory)}
		}
		for i := k - 1; i >= 0 && len(done) < n; i-- {
			mig := m.h.Migrations[i]
			sc := mig.Down[m.dk]
			if sc == nil {
				return &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: no %s down file", ErrBadMigration, m.dk)}
			}
			if sc.Irreversible {
				return &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: its down file cannot restore what it dropped (edit the down file to restore the data, then remove the irreversible directive and run hash)", ErrIrreversible)}
			}
			ran, err := m.run(ctx, mig, sc, false)
			if err != nil {
				return err
			}
			if ran {
				m.log("undid %s_%s", mig.Version, mig.Name)
				done = append(done, mig.Version)
			}
		}
		return nil
	})
	return done, err
}

// run applies one script of mig (up or down) and records it. It reports
// false when another process had already done it.
func (m *Migrator) run(ctx context.Context, mig *Migration, sc *Script, up bool) (bool, error) {
	fail := func(i int, sql string, err error) error {
		return &Error{Version: mig.Version, Name: mig.Name, Statement: i, SQL: sql, Err: err}
	}
	goFn := m.goFuncs[mig.Version][0]
	if !up {
		goFn = m.goFuncs[mig.Version][1]
	}
	if !m.d.Caps().TransactionalDDL {
		return m.runMySQL(ctx, mig, sc, up, goFn, fail)
	}
	if m.d == core.Postgres && sc.NoTransaction {
		if m.txLock {
			return false, fail(0, "", fmt.Errorf("%w: a no-transaction migration cannot run with WithTxLock", ErrUnsupported))
		}
		for i, s := range sc.Statements {
			if _, err := m.db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
				err = fail(i+1, s, err)
				if bad, ierr := m.invalidIndexes(ctx); ierr == nil && len(bad) > 0 {
					err = fmt.Errorf("%w; INVALID indexes left by a failed concurrent build (drop them before retrying): %s", err, strings.Join(bad, ", "))
				}
				return false, err
			}
		}
		return true, m.db.Transaction(ctx, func(ctx context.Context) error {
			if goFn != nil {
				if err := goFn(ctx, m.db); err != nil {
					return fail(0, "", err)
				}
			}
			return m.record(ctx, mig, up)
		})
	}
	ran := false
	body := func(ctx context.Context) error {
		return m.db.Transaction(ctx, func(ctx context.Context) error {
			if m.txLock && m.d == core.Postgres {
				if err := m.xactLock(ctx); err != nil {
					return err
				}
			}
			// Re-read under the lock: another process may have done it.
			row, err := m.appliedRow(ctx, mig.Version)
			if err != nil {
				return err
			}
			if (up && row != nil) || (!up && row == nil) {
				if row != nil && row.Checksum != mig.UpChecksum(m.d) {
					return fail(0, "", fmt.Errorf("%w: its %s up file was edited after it was applied", ErrChecksum, m.dk))
				}
				return nil
			}
			var saved []*core.Row
			if len(sc.Rebuilt) > 0 {
				if saved, err = m.dropViewsAndTriggers(ctx); err != nil {
					return fail(0, "", err)
				}
			}
			for i, s := range sc.Statements {
				if _, err := m.db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
					return fail(i+1, s, err)
				}
			}
			if len(sc.Rebuilt) > 0 {
				if err := m.restoreViewsAndTriggers(ctx, saved); err != nil {
					return fail(0, "", err)
				}
				if err := m.foreignKeyCheck(ctx); err != nil {
					return fail(0, "", err)
				}
			}
			if goFn != nil {
				if err := goFn(ctx, m.db); err != nil {
					return fail(0, "", err)
				}
			}
			ran = true
			return m.record(ctx, mig, up)
		})
	}
	if m.d == core.SQLite && len(sc.Rebuilt) > 0 {
		// sqlite.org/lang_altertable: foreign keys off on this connection
		// before the transaction (inside one the pragma does nothing), so
		// that dropping the old table neither cascades to nor fails on the
		// rows that refer to it; back on afterwards.
		err := m.db.Conn(ctx, func(ctx context.Context) error {
			if err := m.exec(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
				return err
			}
			defer func() { _ = m.exec(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON") }()
			v, err := m.db.FetchVal(ctx, core.Stmt{SQL: "PRAGMA foreign_keys"})
			if err != nil {
				return err
			}
			if truthy(v) {
				return fail(0, "", errors.New("PRAGMA foreign_keys = OFF did not take effect (inside a transaction?)"))
			}
			return body(ctx)
		})
		return ran, err
	}
	return ran, body(ctx)
}

// record marks mig applied (up) or removes its row (down).
func (m *Migrator) record(ctx context.Context, mig *Migration, up bool) error {
	if !up {
		return m.exec(ctx, "DELETE FROM "+m.q(m.table)+" WHERE version = ?", mig.Version)
	}
	return m.exec(ctx, "INSERT INTO "+m.q(m.table)+" (version, name, checksum, statements, applied_at) VALUES (?, ?, ?, ?, ?)",
		mig.Version, mig.Name, mig.UpChecksum(m.d), len(mig.Up[m.dk].Statements), time.Now().UTC())
}

// runMySQL runs a script statement by statement, recording progress after
// each: MySQL commits every DDL statement, so a rerun after a failure
// resumes at the statement that failed, and the migration counts as
// applied only once its last statement has succeeded.
func (m *Migrator) runMySQL(ctx context.Context, mig *Migration, sc *Script, up bool, goFn GoFunc, fail func(int, string, error) error) (bool, error) {
	row, err := m.appliedRow(ctx, mig.Version)
	if err != nil {
		return false, err
	}
	start := 0
	tbl := m.q(m.table)
	if up {
		switch {
		case row != nil && !row.Partial():
			return false, nil
		case row != nil:
			if row.Checksum != mig.UpChecksum(m.d) {
				return false, fail(0, "", fmt.Errorf("%w: its mysql up file changed after %d of its statements ran: restore it, or repair the database by hand and delete its row from %s",
					ErrChecksum, row.Statements, m.table))
			}
			start = row.Statements
			m.log("resuming %s_%s at statement %d", mig.Version, mig.Name, start+1)
		default:
			if err := m.exec(ctx, "INSERT INTO "+tbl+" (version, name, checksum, statements, applied_at) VALUES (?, ?, ?, 0, NULL)",
				mig.Version, mig.Name, mig.UpChecksum(m.d)); err != nil {
				return false, err
			}
		}
	} else {
		if row == nil {
			return false, nil
		}
		if start = row.Undone; start > 0 {
			m.log("resuming the undoing of %s_%s at statement %d", mig.Version, mig.Name, start+1)
		}
	}
	progress := "statements"
	if !up {
		progress = "undone"
	}
	for i := start; i < len(sc.Statements); i++ {
		s := sc.Statements[i]
		if _, err := m.db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
			return false, fail(i+1, s, err)
		}
		if err := m.exec(ctx, "UPDATE "+tbl+" SET "+progress+" = ? WHERE version = ?", i+1, mig.Version); err != nil {
			return false, err
		}
	}
	err = m.db.Transaction(ctx, func(ctx context.Context) error {
		if goFn != nil {
			if err := goFn(ctx, m.db); err != nil {
				return fail(0, "", err)
			}
		}
		if !up {
			return m.exec(ctx, "DELETE FROM "+tbl+" WHERE version = ?", mig.Version)
		}
		return m.exec(ctx, "UPDATE "+tbl+" SET applied_at = ? WHERE version = ?", time.Now().UTC(), mig.Version)
	})
	return err == nil, err
}

// dropViewsAndTriggers drops every view and trigger of an SQLite
// database, returning them to be made again after a rebuild: renaming the
// new table into place re-parses the schema, and a view or trigger that
// names the table fails while it is gone (sqlite.org/lang_altertable,
// step 11). The triggers of a rebuilt table go with it anyway.
func (m *Migrator) dropViewsAndTriggers(ctx context.Context) ([]*core.Row, error) {
	rows, err := m.db.FetchAll(ctx, core.Stmt{SQL: "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY type DESC, rowid"})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if _, err := m.db.Execute(ctx, core.Stmt{SQL: "DROP " + strings.ToUpper(str(r.At(0))) + " IF EXISTS " + m.q(str(r.At(1)))}); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// restoreViewsAndTriggers makes again, views first, those that the
// statements did not make themselves.
func (m *Migrator) restoreViewsAndTriggers(ctx context.Context, saved []*core.Row) error {
	for _, r := range saved {
		kind, name := str(r.At(0)), str(r.At(1))
		v, err := m.db.FetchVal(ctx, m.stmt("SELECT COUNT(*) FROM sqlite_master WHERE type = ? AND name = ?", kind, name))
		if err != nil {
			return err
		}
		if n, _ := v.(int64); n == 0 {
			if _, err := m.db.Execute(ctx, core.Stmt{SQL: str(r.At(2))}); err != nil {
				return fmt.Errorf("restoring %s %q: %w", kind, name, err)
			}
		}
	}
	return nil
}

// foreignKeyCheck fails when a row refers to a missing one.
func (m *Migrator) foreignKeyCheck(ctx context.Context) error {
	rows, err := m.db.FetchAll(ctx, core.Stmt{SQL: "PRAGMA foreign_key_check"})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	var bad []string
	for i, r := range rows {
		if i == 10 {
			bad = append(bad, fmt.Sprintf("and %d more", len(rows)-10))
			break
		}
		bad = append(bad, fmt.Sprintf("table %q rowid %v refers to a missing row of %q", str(r.At(0)), r.At(1), str(r.At(2))))
	}
	return fmt.Errorf("%w: after the rebuild: %s", core.ErrForeignKeyViolation, strings.Join(bad, "; "))
}

// invalidIndexes lists PostgreSQL indexes of the current schema left
// INVALID by a failed CREATE INDEX CONCURRENTLY.
func (m *Migrator) invalidIndexes(ctx context.Context) ([]string, error) {
	rows, err := m.db.FetchAll(ctx, core.Stmt{SQL: `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname = current_schema() ORDER BY c.relname`})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		out = append(out, str(r.At(0)))
	}
	return out, nil
}
