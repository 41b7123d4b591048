package tests

import (
	"context"
	"errors"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// Conn pins one connection: statements and transactions made with its
// context share the session (a temporary table is per session), and the
// context is refused once Conn returns.
func TestConnPinsOneSession(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		var kept context.Context
		err := db.Conn(ctx, func(ctx context.Context) error {
			kept = ctx
			if !db.Pinned(ctx) {
				t.Error("Pinned is false inside Conn")
			}
			if _, err := db.Execute(ctx, "CREATE TEMPORARY TABLE pinned_tmp (x INTEGER)"); err != nil {
				return err
			}
			for range 5 { // a pool would hand out other connections
				if _, err := db.Execute(ctx, "INSERT INTO pinned_tmp (x) VALUES (1)"); err != nil {
					return err
				}
			}
			return db.Transaction(ctx, func(ctx context.Context) error {
				n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM pinned_tmp")
				if err != nil {
					return err
				}
				if n != int64(5) {
					t.Errorf("count in the transaction = %v, want 5", n)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(kept, "SELECT 1"); !errors.Is(err, core.ErrConnDone) {
			t.Errorf("after Conn returned: %v, want ErrConnDone", err)
		}
	})
}

// Execute of a statement whose first result column is not an integer (a
// void function, text) succeeds: the new-key report skips it.
func TestExecuteNonIntegerResult(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		queries := []string{"SELECT 'x'"}
		if db.Dialect() == core.Postgres {
			queries = append(queries, "SELECT pg_sleep(0)", "SELECT pg_advisory_unlock_all()")
		}
		for _, q := range queries {
			if _, err := db.Execute(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
}
