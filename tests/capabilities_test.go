package tests

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// Each backend's Capabilities are what the live server does: a capability
// declared is used here and must work; one not declared must fail where the
// backend has no such thing. (MariaDB has INSERT ... RETURNING, which the
// MySQL dialect does not rely on, so only the positive side of Returning
// is checked.)
func TestCapabilitiesMatchBackends(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		d := db.Dialect()
		c := d.Caps()
		p := d.Placeholder
		works := func(sql string, args ...any) bool {
			_, err := db.FetchAll(ctx, core.Stmt{SQL: sql, Args: args})
			return err == nil
		}
		runs := func(sql string, args ...any) bool {
			_, err := db.Execute(ctx, core.Stmt{SQL: sql, Args: args})
			return err == nil
		}
		exec := func(sql string, args ...any) {
			t.Helper()
			if _, err := db.Execute(ctx, core.Stmt{SQL: sql, Args: args}); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		check := func(name string, declared, got bool) {
			t.Helper()
			if declared != got {
				t.Errorf("%s declares %s = %v, the server says %v", d, name, declared, got)
			}
		}
		exec("CREATE TABLE caps (id INTEGER PRIMARY KEY, s VARCHAR(20), f DOUBLE PRECISION)")
		exec("CREATE TABLE caps_ref (id INTEGER PRIMARY KEY, caps_id INTEGER)")

		if c.Returning && !works("INSERT INTO caps (id, s) VALUES (1, 'a') RETURNING id") {
			t.Errorf("%s declares RETURNING, which fails", d)
		}
		check("RowLocks", c.RowLocks, works("SELECT id FROM caps FOR UPDATE"))
		if c.ShareLock != "" {
			err := db.Transaction(ctx, func(ctx context.Context) error {
				_, err := db.FetchAll(ctx, core.Stmt{SQL: "SELECT id FROM caps " + c.ShareLock})
				return err
			})
			if err != nil {
				t.Errorf("%s: %s: %v", d, c.ShareLock, err)
			}
		}
		check("OffsetNeedsLimit", c.OffsetNeedsLimit, !works("SELECT id FROM caps ORDER BY id OFFSET 1"))
		check("ILike", c.ILike, works("SELECT id FROM caps WHERE s ILIKE "+p(1), "A"))
		if !works("SELECT id FROM caps WHERE s "+c.Regexp+" "+p(1), "^a") {
			t.Errorf("%s: the Regexp operator %q fails", d, c.Regexp)
		}
		if c.RegexpFold != "" && !works("SELECT id FROM caps WHERE s "+c.RegexpFold+" "+p(1), "^A") {
			t.Errorf("%s: the RegexpFold operator %q fails", d, c.RegexpFold)
		}
		if !works(c.Explain + " SELECT id FROM caps") {
			t.Errorf("%s: %q fails", d, c.Explain)
		}
		// Recent SQLite adds CHECK constraints with ALTER TABLE, but still no
		// foreign key, which is what atomdb alters tables for.
		check("AlterConstraints", c.AlterConstraints, runs("ALTER TABLE caps_ref ADD CONSTRAINT caps_fk FOREIGN KEY (caps_id) REFERENCES caps (id)"))

		// DDL in a transaction that rolls back.
		boom := errors.New("roll back")
		_ = db.Transaction(ctx, func(ctx context.Context) error {
			if _, err := db.Execute(ctx, core.Stmt{SQL: "CREATE TABLE caps_tx (id INTEGER)"}); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		check("TransactionalDDL", c.TransactionalDDL, !works("SELECT id FROM caps_tx"))

		// Values.
		check("TextHoldsNUL", c.TextHoldsNUL, runs("INSERT INTO caps (id, s) VALUES (10, "+p(1)+")", "a\x00b"))
		roundTrip := func(id int, f float64) bool {
			if !runs("INSERT INTO caps (id, f) VALUES ("+p(1)+", "+p(2)+")", id, f) {
				return false
			}
			v, err := db.FetchVal(ctx, core.Stmt{SQL: "SELECT f FROM caps WHERE id = " + p(1), Args: []any{id}})
			got, ok := v.(float64)
			return err == nil && ok && (got == f || math.IsNaN(got) && math.IsNaN(f))
		}
		check("FloatInfinity", c.FloatInfinity, roundTrip(11, math.Inf(1)))
		check("FloatNaN", c.FloatNaN, roundTrip(12, math.NaN()))
	})
}
