package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
)

// Status is a migration of the history and whether it is applied.
type Status struct {
	Version, Name string
	State         string    // "applied", "partial", "partly undone" or "pending"
	AppliedAt     time.Time // zero unless applied
}

// Status lists every migration of the history with its state.
func (m *Migrator) Status(ctx context.Context) ([]Status, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := m.verify(applied); err != nil {
		return nil, err
	}
	var out []Status
	for i, mig := range m.h.Migrations {
		s := Status{Version: mig.Version, Name: mig.Name, State: "pending"}
		if i < len(applied) {
			s.State, s.AppliedAt = "applied", applied[i].AppliedAt
			switch {
			case applied[i].Partial():
				s.State = "partial"
			case applied[i].Undone > 0:
				s.State = "partly undone"
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Version returns the version of the last migration fully applied, or ""
// when none is.
func (m *Migrator) Version(ctx context.Context) (string, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return "", err
	}
	for i := len(applied) - 1; i >= 0; i-- {
		if !applied[i].Partial() {
			return applied[i].Version, nil
		}
	}
	return "", nil
}

// PendingSQL returns the scripts Up would run now (n > 0 limits them),
// without running them: a dry run.
func (m *Migrator) PendingSQL(ctx context.Context, n int) (string, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return "", err
	}
	k, err := m.verify(applied)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	start, skip := k, 0
	if k > 0 && applied[k-1].Partial() {
		start, skip = k-1, applied[k-1].Statements
	}
	for i, mig := range m.h.Migrations[start:] {
		if n > 0 && i >= n {
			break
		}
		sc := mig.Up[m.dk]
		if sc == nil {
			return "", &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: no %s up file", ErrBadMigration, m.dk)}
		}
		if i == 0 && skip > 0 {
			rest := *sc
			rest.Statements = sc.Statements[min(skip, len(sc.Statements)):]
			fmt.Fprintf(&b, "-- %s_%s, from statement %d (the first %d ran already)\n%s", mig.Version, mig.Name, skip+1, skip, rest.text())
			continue
		}
		fmt.Fprintf(&b, "-- %s_%s\n%s", mig.Version, mig.Name, sc.text())
	}
	return b.String(), nil
}

// Check compares, for CI: the models' md (when not nil) with the state
// the history builds, and the live database with the state its applied
// migrations build. Each difference is listed in a *DriftError.
func (m *Migrator) Check(ctx context.Context, md *core.MetaData) error {
	var errs []error
	if md != nil {
		if err := checkModels(m.h, md); err != nil {
			if !errors.Is(err, ErrDrift) {
				return err
			}
			errs = append(errs, err)
		}
	}
	applied, err := m.applied(ctx)
	if err != nil {
		return err
	}
	k, err := m.verify(applied)
	if err != nil {
		return err
	}
	want, err := m.stateBefore(k)
	if err != nil {
		return err
	}
	have, err := Inspect(ctx, m.db)
	if err != nil {
		return err
	}
	if diffs := Compare(m.d, want, have); len(diffs) > 0 {
		errs = append(errs, &DriftError{What: "database", Differences: diffs})
	}
	return errors.Join(errs...)
}

// checkModels compares the models with the state the history builds.
func checkModels(h *History, md *core.MetaData) error {
	state, err := h.State()
	if err != nil {
		return err
	}
	target, err := FromMetaData(md)
	if err != nil {
		return err
	}
	ops, err := Diff(state, target, DiffOptions{Ask: func(RenameCandidate) bool { return false }})
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	de := &DriftError{What: "models"}
	for _, op := range ops {
		de.Differences = append(de.Differences, Difference{Table: op.Table, Detail: op.String() + " (run make)"})
	}
	return de
}

// Baseline adopts a database whose tables were made without this history
// (by orm.CreateTables or by hand): it checks that the database matches the
// state the migrations up to version build ("" for all), and then records
// them as applied without running them.
func (m *Migrator) Baseline(ctx context.Context, version string) error {
	if err := m.checkWritable(ctx); err != nil {
		return err
	}
	if version == "" && len(m.h.Migrations) > 0 {
		version = m.h.Migrations[len(m.h.Migrations)-1].Version
	}
	if version == "" {
		return fmt.Errorf("%w: there are no migrations to record", ErrHistory)
	}
	want, err := m.h.StateAt(version)
	if err != nil {
		return err
	}
	return m.withLock(ctx, func(ctx context.Context) error {
		if err := m.lockedEnsureTable(ctx); err != nil {
			return err
		}
		applied, err := m.applied(ctx)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			return fmt.Errorf("%w: the database has applied migrations already; baseline is for a database without any", ErrHistory)
		}
		have, err := Inspect(ctx, m.db)
		if err != nil {
			return err
		}
		if diffs := Compare(m.d, want, have); len(diffs) > 0 {
			return &DriftError{What: "database", Differences: diffs}
		}
		return m.db.Transaction(ctx, func(ctx context.Context) error {
			for _, mig := range m.h.Migrations {
				if mig.Up[m.dk] == nil {
					return &Error{Version: mig.Version, Name: mig.Name, Err: fmt.Errorf("%w: no %s up file", ErrBadMigration, m.dk)}
				}
				if err := m.record(ctx, mig, true); err != nil {
					return err
				}
				if mig.Version == version {
					break
				}
			}
			return nil
		})
	})
}
