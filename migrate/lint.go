package migrate

import (
	"fmt"
)

// The kinds of lint finding, as an operation's Allow names them.
const (
	// FindingDestructive: the operation loses data (drop table, drop
	// column, narrowing a type).
	FindingDestructive = "destructive"
	// FindingData: the operation fails or not depending on the rows (NOT
	// NULL without a default on a table with rows, a new UNIQUE).
	FindingData = "data"
	// FindingLocking: the operation locks a table with rows for its
	// duration (a non-concurrent index on PostgreSQL).
	FindingLocking = "locking"
)

// Finding is one lint finding about an operation of a migration.
type Finding struct {
	Kind      string // FindingDestructive, FindingData or FindingLocking
	Operation int    // 1-based index in the migration
	Op        *Operation
	Detail    string
}

func (f Finding) String() string {
	return fmt.Sprintf("operation %d (%s) is %s: %s; to apply it anyway add \"allow\": [%q] to it", f.Operation, f.Op, f.Kind, f.Detail, f.Kind)
}

func lintStatic(*Schema, *Migration) []Finding { return nil }
