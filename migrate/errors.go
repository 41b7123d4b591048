package migrate

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels, for errors.Is. The concrete errors name the migration, table
// and column concerned.
var (
	// ErrAmbiguousRename: make found a column or table removed and another
	// added with the same definition, and cannot tell a rename from a drop
	// and an add. Declare the rename (renamed_from= on the field,
	// orm.Meta.RenamedFrom on the model) or run make interactively.
	ErrAmbiguousRename = errors.New("migrate: ambiguous rename")
	// ErrChecksum: an applied migration's file differs from what was
	// applied, or the directory's sum file does not match its files.
	ErrChecksum = errors.New("migrate: checksum mismatch")
	// ErrHistory: the migration files do not form one line (two with the
	// same parent, a missing parent, a gap), or the database has applied a
	// migration the files do not hold.
	ErrHistory = errors.New("migrate: inconsistent migration history")
	// ErrDrift: the live database differs from the schema the history
	// builds, or the models differ from it.
	ErrDrift = errors.New("migrate: schema drift")
	// ErrLint: a pending migration has an operation that is destructive,
	// depends on the data, or locks a table, and the migration does not
	// allow it.
	ErrLint = errors.New("migrate: operation not allowed")
	// ErrIrreversible: down was asked to undo a migration marked
	// irreversible.
	ErrIrreversible = errors.New("migrate: migration is irreversible")
	// ErrReadOnly: the database is a read-only replica (or session).
	ErrReadOnly = errors.New("migrate: database is read-only")
	// ErrLocked: the migration lock could not be taken in time.
	ErrLocked = errors.New("migrate: migration lock not acquired")
	// ErrUnsupported: an operation cannot be written for a dialect.
	ErrUnsupported = errors.New("migrate: unsupported operation")
	// ErrBadMigration: a migration file is malformed.
	ErrBadMigration = errors.New("migrate: malformed migration")
	// ErrReplicas: the database was opened with read replicas (see
	// core.WithReplicas). Migrations read the schema and the history
	// table, which a replica may serve stale: open the primary alone.
	ErrReplicas = errors.New("migrate: database opened with read replicas")
)

// Error is a migration failure: which migration, which statement, and why.
type Error struct {
	Version   string // the migration's version ("" when not about one)
	Name      string // the migration's name
	Statement int    // 1-based index of the failing statement, 0 if none
	SQL       string // the failing statement, if any
	Err       error
}

// Error names the migration and statement, then the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("migrate: ")
	if e.Version != "" {
		fmt.Fprintf(&b, "migration %s_%s: ", e.Version, e.Name)
	}
	if e.Statement > 0 {
		fmt.Fprintf(&b, "statement %d: ", e.Statement)
	}
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "migrate: "))
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// RenameCandidate is a pair make could not decide about.
type RenameCandidate struct {
	Table    string // the table (for a column pair), or "" for a table pair
	Old, New string
}

// String describes the pair.
func (c RenameCandidate) String() string {
	if c.Table == "" {
		return fmt.Sprintf("table %q -> %q", c.Old, c.New)
	}
	return fmt.Sprintf("column %q.%q -> %q", c.Table, c.Old, c.New)
}

// AmbiguousRenameError lists the pairs make refused to guess about.
type AmbiguousRenameError struct{ Candidates []RenameCandidate }

// Error lists the pairs.
func (e *AmbiguousRenameError) Error() string {
	var b strings.Builder
	b.WriteString(ErrAmbiguousRename.Error())
	b.WriteString(": removed and added with identical definitions (declare renamed_from=, or run make interactively):")
	for _, c := range e.Candidates {
		b.WriteString("\n  ")
		b.WriteString(c.String())
	}
	return b.String()
}

// Is matches ErrAmbiguousRename.
func (e *AmbiguousRenameError) Is(target error) bool { return target == ErrAmbiguousRename }

// DriftError lists each difference found.
type DriftError struct {
	What        string // "database" or "models"
	Differences []Difference
}

// Error lists each difference.
func (e *DriftError) Error() string {
	var b strings.Builder
	verb := "differs"
	if e.What == "models" {
		verb = "differ"
	}
	fmt.Fprintf(&b, "%v: the %s %s from the migration history:", ErrDrift, e.What, verb)
	for _, d := range e.Differences {
		b.WriteString("\n  ")
		b.WriteString(d.String())
	}
	return b.String()
}

// Is matches ErrDrift.
func (e *DriftError) Is(target error) bool { return target == ErrDrift }

// LintError lists the operations a migration does not allow.
type LintError struct {
	Version  string
	Findings []Finding
}

// Error lists the findings.
func (e *LintError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: migration %s:", ErrLint, e.Version)
	for _, f := range e.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// Is matches ErrLint.
func (e *LintError) Is(target error) bool { return target == ErrLint }

func badMigration(file, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrBadMigration, file, fmt.Sprintf(format, args...))
}
