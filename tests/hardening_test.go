package tests

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// runtime.Goexit (what t.Fatal calls) inside a Transaction function rolls the
// transaction back: with one connection the next statement runs at once, and
// Close does not block.
func TestTransactionGoexitRollsBack(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createNotes(t, db)
		ctx := context.Background()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				if _, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "lost", "completed": true})); err != nil {
					t.Error(err)
				}
				runtime.Goexit()
				return nil
			})
			t.Error("Goexit returned")
		}()
		<-done
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		n, err := db.FetchVal(qctx, goqu.From(notes).Select(goqu.COUNT("*")))
		if err != nil {
			t.Fatalf("the statement after Goexit: %v", err)
		}
		if n != int64(0) {
			t.Errorf("%v rows after Goexit, want 0 (rolled back)", n)
		}
	}, core.WithMaxConns(1))
}

// Execute of an INSERT ... RETURNING whose value is not an integer key
// writes the row once and reports no error, so a caller never retries a
// write that happened; FetchOne returns the values.
func TestExecuteReturning(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createNotes(t, db)
		ctx := context.Background()
		res, err := db.Execute(ctx, "INSERT INTO notes(text, completed) VALUES (:t, :c) RETURNING text", core.Params{"t": "raw", "c": true})
		if err != nil {
			t.Fatalf("raw RETURNING text: %v", err)
		}
		want := 2
		if db.Dialect() != core.Postgres && res.RowsAffected != 0 {
			t.Errorf("RowsAffected = %d, want 0 as the README says (or update it)", res.RowsAffected)
		}
		if db.Dialect() == core.Postgres {
			if res.RowsAffected != 1 {
				t.Errorf("RowsAffected = %d, want 1", res.RowsAffected)
			}
			// goqu writes RETURNING for PostgreSQL only.
			if _, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "goqu", "completed": false}).Returning("text", "id")); err != nil {
				t.Fatalf("goqu Returning(text, id): %v", err)
			}
			res, err = db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "key", "completed": false}).Returning("id"))
			if err != nil {
				t.Fatalf("goqu Returning(id): %v", err)
			}
			if res.LastInsertID != 3 {
				t.Errorf("LastInsertID = %d, want 3", res.LastInsertID)
			}
			want = 4
		}
		row, err := db.FetchOne(ctx, "INSERT INTO notes(text, completed) VALUES (:t, :c) RETURNING text, id", core.Params{"t": "fetched", "c": true})
		if err != nil {
			t.Fatalf("FetchOne of RETURNING: %v", err)
		}
		if row.Get("text") != "fetched" || row.Get("id") != int64(want) {
			t.Errorf("RETURNING row = %v, want text fetched, id %d", row, want)
		}
		if got := noteTexts(t, ctx, db); len(got) != want {
			t.Errorf("rows = %q, want each insert once", got)
		}
	})
}

// MySQL/MariaDB sessions run in strict mode whatever the server's default,
// and the URL can choose another mode.
func TestMySQLStrictMode(t *testing.T) {
	ctx := context.Background()
	mode := func(t *testing.T, db *core.Database) string {
		t.Helper()
		v, err := db.FetchVal(ctx, "SELECT @@SESSION.sql_mode")
		if err != nil {
			t.Fatal(err)
		}
		return v.(string)
	}
	t.Run("default", func(t *testing.T) {
		db := harness.Open(t, harness.MySQL, core.WithMaxConns(3))
		for _, m := range strings.Split(core.StrictSQLMode, ",") {
			if got := mode(t, db); !strings.Contains(","+got+",", ","+m+",") {
				t.Errorf("sql_mode = %q, lacks %s", got, m)
			}
		}
		// A MyISAM table is not transactional: only STRICT_ALL_TABLES (not the
		// usual server default STRICT_TRANS_TABLES) refuses to truncate a value
		// into it after the first row of a statement.
		if _, err := db.Execute(ctx, "CREATE TABLE short (s VARCHAR(10), n SMALLINT, d DECIMAL(6,2)) ENGINE=MyISAM"); err != nil {
			t.Fatal(err)
		}
		for _, ins := range []string{
			"INSERT INTO short (s) VALUES ('ok'), ('abcdefghijk')",
			"INSERT INTO short (n) VALUES (1), (40000)",
			"INSERT INTO short (d) VALUES (1), (12345.67)",
		} {
			if _, err := db.Execute(ctx, ins); err == nil {
				t.Errorf("%s: no error, a value was cut to fit", ins)
			}
		}
	})
	t.Run("from the URL", func(t *testing.T) {
		u, err := url.Parse(harness.FreshURL(t, harness.MySQL))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("sql_mode", "NO_ENGINE_SUBSTITUTION")
		u.RawQuery = q.Encode()
		db, err := core.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := mode(t, db); got != "NO_ENGINE_SUBSTITUTION" {
			t.Errorf("sql_mode = %q, want the URL's NO_ENGINE_SUBSTITUTION", got)
		}
	})
}

// A pooled PostgreSQL connection that the server ended while idle is
// replaced before use: the caller never sees 57P01.
func TestPostgresIdleConnectionEnded(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.Postgres, core.WithMaxConns(1))
	pid, err := db.FetchVal(ctx, "SELECT pg_backend_pid()")
	if err != nil {
		t.Fatal(err)
	}
	admin := harness.Open(t, harness.Postgres, core.WithMaxConns(1))
	if _, err := admin.FetchVal(ctx, "SELECT pg_terminate_backend(CAST(:pid AS integer))", core.Params{"pid": pid}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	for i := range 3 {
		if _, err := db.FetchVal(ctx, "SELECT 1"); err != nil {
			t.Fatalf("query %d after the idle connection was ended: %v", i, err)
		}
	}
	again, err := db.FetchVal(ctx, "SELECT pg_backend_pid()")
	if err != nil || again == pid {
		t.Errorf("backend pid %v (%v), want a new connection", again, err)
	}
}
