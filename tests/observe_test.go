package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// secret is the bound value that must never show in a span or a log line
// unless values are asked for.
const secret = "S3cr3t-v4lue-7f1c"

var errBoom = errors.New("boom")

// createSecrets makes a table with a unique column, to provoke a failing
// statement whose driver message quotes the value (MySQL's does).
func createSecrets(t *testing.T, db *core.Database) {
	t.Helper()
	if _, err := db.Execute(context.Background(), "CREATE TABLE secrets (id INTEGER PRIMARY KEY, v VARCHAR(100) UNIQUE)"); err != nil {
		t.Fatal(err)
	}
}

const insertSecret = "INSERT INTO secrets(id, v) VALUES (:id, :v)"

// workload runs the statements every observer test looks at: a write, a
// read, a transaction with a savepoint rolled back by a failed statement, a
// transaction rolled back, and a failed statement outside any transaction.
func workload(t *testing.T, ctx context.Context, db *core.Database) {
	t.Helper()
	if _, err := db.Execute(ctx, insertSecret, core.Params{"id": 1, "v": secret}); err != nil {
		t.Fatal(err)
	}
	if rows, err := db.FetchAll(ctx, "SELECT v FROM secrets WHERE v = :v", core.Params{"v": secret}); err != nil || len(rows) != 1 {
		t.Fatalf("select: %d rows, %v", len(rows), err)
	}
	err := db.Transaction(ctx, func(ctx context.Context) error {
		if _, err := db.Execute(ctx, insertSecret, core.Params{"id": 2, "v": secret + "2"}); err != nil {
			return err
		}
		err := db.Transaction(ctx, func(ctx context.Context) error {
			_, err := db.Execute(ctx, insertSecret, core.Params{"id": 3, "v": secret})
			return err
		})
		if !errors.Is(err, core.ErrUniqueViolation) {
			return fmt.Errorf("duplicate in a savepoint: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Transaction(ctx, func(context.Context) error { return errBoom }); err != errBoom {
		t.Fatalf("rolled back transaction: %v", err)
	}
	if _, err := db.Execute(ctx, insertSecret, core.Params{"id": 4, "v": secret}); !errors.Is(err, core.ErrUniqueViolation) {
		t.Fatalf("duplicate: %v", err)
	}
}

// hookLog records what a QueryHook sees, in order.
type hookLog struct {
	name string
	mu   *sync.Mutex
	got  *[]string
}

type ctxMark struct{}

func (h hookLog) BeforeQuery(ctx context.Context, e *core.QueryEvent) context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	parent, _ := ctx.Value(ctxMark{}).(string)
	*h.got = append(*h.got, fmt.Sprintf("%sbefore %s %s (in %s)", h.name, e.Kind, e.Operation, parent))
	if e.Duration != 0 || e.Err != nil || e.Start.IsZero() {
		*h.got = append(*h.got, "BeforeQuery saw an outcome or no start")
	}
	return context.WithValue(ctx, ctxMark{}, e.Operation)
}

func (h hookLog) AfterQuery(ctx context.Context, e *core.QueryEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := fmt.Sprintf("%safter %s %s", h.name, e.Kind, e.Operation)
	if mark, _ := ctx.Value(ctxMark{}).(string); mark != e.Operation {
		s += " with another statement's context: " + mark
	}
	if e.Err != nil {
		s += " failed"
	}
	*h.got = append(*h.got, s)
}

func (h hookLog) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := *h.got
	*h.got = nil
	return out
}

func newHookLog(name string) hookLog {
	return hookLog{name: name, mu: &sync.Mutex{}, got: new([]string)}
}

// The hooks see every statement before and after it runs, transaction
// control included, in order, with the context BeforeQuery returned; a
// transaction's statements descend from the context of its BEGIN.
func TestHooksBeforeAfterTransactionControl(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := newHookLog("")
			var after []core.QueryEvent
			var mu sync.Mutex
			db := harness.Open(t, name, core.WithHooks(log), core.WithQueryHook(func(_ context.Context, e core.QueryEvent) {
				mu.Lock()
				after = append(after, e)
				mu.Unlock()
			}))
			ctx := context.Background()
			createSecrets(t, db)
			log.take()
			mu.Lock()
			after = nil
			mu.Unlock()
			workload(t, ctx, db)
			want := []string{
				"before exec INSERT (in )", "after exec INSERT",
				"before query SELECT (in )", "after query SELECT",
				"before begin BEGIN (in )", "after begin BEGIN",
				"before exec INSERT (in BEGIN)", "after exec INSERT",
				"before begin SAVEPOINT (in BEGIN)", "after begin SAVEPOINT",
				"before exec INSERT (in SAVEPOINT)", "after exec INSERT failed",
				"before rollback ROLLBACK (in SAVEPOINT)", "after rollback ROLLBACK",
				"before rollback RELEASE (in SAVEPOINT)", "after rollback RELEASE",
				"before commit COMMIT (in BEGIN)", "after commit COMMIT",
				"before begin BEGIN (in )", "after begin BEGIN",
				"before rollback ROLLBACK (in BEGIN)", "after rollback ROLLBACK",
				"before exec INSERT (in )", "after exec INSERT failed",
			}
			if got := log.take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("hook saw:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(after) != len(want)/2 {
				t.Fatalf("WithQueryHook saw %d statements, want %d", len(after), len(want)/2)
			}
			sp := after[4].SQL
			if !strings.HasPrefix(sp, "SAVEPOINT atomdb_sp_") || after[6].SQL != "ROLLBACK TO "+sp || after[7].SQL != "RELEASE "+sp {
				t.Errorf("savepoint statements: %q, %q, %q", sp, after[6].SQL, after[7].SQL)
			}
			if after[0].RowsAffected != 1 || after[1].RowsReturned != 1 || after[0].Duration <= 0 {
				t.Errorf("insert affected %d, select returned %d, took %v", after[0].RowsAffected, after[1].RowsReturned, after[0].Duration)
			}
			if tx := after[2].Tx; tx == nil || after[3].Tx != tx || after[8].Tx != tx || !tx.Done() || tx.Parent() != nil {
				t.Errorf("BEGIN, the INSERT in it and COMMIT do not share one ended Tx: %p %p %p", tx, after[3].Tx, after[8].Tx)
			}
			if sp := after[4].Tx; sp == nil || sp.Parent() != after[2].Tx || after[5].Tx != sp || after[7].Tx != sp {
				t.Errorf("the savepoint's statements do not share its Tx")
			}
			if after[0].Tx != nil || !errors.Is(after[11].Err, core.ErrUniqueViolation) || after[11].Args == nil {
				t.Errorf("a statement outside a transaction: Tx %p, err %v, args %v", after[0].Tx, after[11].Err, after[11].Args)
			}
		})
	}
}

// Several hooks run in the order given, and their AfterQuery in reverse.
func TestHooksNest(t *testing.T) {
	h1, h2 := newHookLog("1 "), newHookLog("2 ")
	h2.mu, h2.got = h1.mu, h1.got
	db := harness.Open(t, harness.SQLite, core.WithHooks(h1), core.WithHooks(h2))
	if _, err := db.FetchVal(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	want := "1 before query SELECT (in )|2 before query SELECT (in SELECT)|2 after query SELECT|1 after query SELECT"
	if got := strings.Join(h1.take(), "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A query's AfterQuery comes when its result is closed, with the rows it
// yielded: all of them, or up to where the loop stopped.
func TestHooksCountRows(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createSecrets(t, db)
		for i := range 3 {
			if _, err := db.Execute(ctx, insertSecret, core.Params{"id": i, "v": fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		var got []int64
		var mu sync.Mutex
		// A second Database on the same fresh database, with its own hook.
		db2, err := core.OpenURL(ctx, db.URL(), core.WithQueryHook(func(_ context.Context, e core.QueryEvent) {
			mu.Lock()
			got = append(got, e.RowsReturned)
			mu.Unlock()
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		const q = "SELECT id FROM secrets ORDER BY id"
		for _, err := range db2.Iterate(ctx, q) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if _, err := db2.FetchAll(ctx, q); err != nil {
			t.Fatal(err)
		}
		rows, err := db2.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		if _, err := db2.FetchOne(ctx, q); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(got) != "[1 3 3 1]" {
			t.Errorf("rows returned = %v, want [1 3 3 1] (Iterate broken after one, FetchAll, Query read whole, FetchOne)", got)
		}
	})
}

type obsNote struct {
	ID   int64  `db:"id" orm:"pk"`
	Text string `db:"text" orm:"size=100"`
}

// The orm's Save inside a Transaction: BEGIN, the INSERT, COMMIT, each
// before and after.
func TestHooksORMSaveInTransaction(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := newHookLog("")
			db := harness.Open(t, name, core.WithHooks(log))
			ctx := context.Background()
			if err := orm.CreateTables(ctx, db, obsNote{}); err != nil {
				t.Fatal(err)
			}
			log.take()
			n := &obsNote{Text: secret}
			err := db.Transaction(ctx, func(ctx context.Context) error { return orm.Objects[obsNote](db).Save(ctx, n) })
			if err != nil || n.ID == 0 {
				t.Fatalf("save: %v (id %d)", err, n.ID)
			}
			got := strings.Join(log.take(), "|")
			want := "before begin BEGIN (in )|after begin BEGIN|before exec INSERT (in BEGIN)|after exec INSERT|before commit COMMIT (in BEGIN)|after commit COMMIT"
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

type nilCtxHook struct{ after *int }

func (nilCtxHook) BeforeQuery(context.Context, *core.QueryEvent) context.Context { return nil }
func (h nilCtxHook) AfterQuery(ctx context.Context, _ *core.QueryEvent) {
	if ctx != nil {
		*h.after++
	}
}

// A hook that returns a nil context leaves the statement's context as it was.
func TestHookReturningNilContext(t *testing.T) {
	var n int
	db := harness.Open(t, harness.SQLite, core.WithHooks(nilCtxHook{&n}))
	err := db.Transaction(context.Background(), func(ctx context.Context) error {
		_, err := db.FetchVal(ctx, "SELECT 1")
		return err
	})
	if err != nil || n != 3 {
		t.Errorf("err %v, %d AfterQuery calls with a context, want 3", err, n)
	}
}
