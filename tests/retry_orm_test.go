package tests

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// Tally is a row the retry tests change through the orm.
type Tally struct {
	orm.Model `orm:"table=tallies"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=20,unique"`
	N         int    `db:"n"`
}

// Each attempt of a retried Transaction has an identity scope of its own:
// objects read in the failed attempt are not those of the next, and what
// the failed attempt did to objects is undone (an object it inserted is
// new again and is inserted once, by the attempt that commits).
func TestRetryORMScope(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		if err := orm.CreateTables(bg, db, Tally{}); err != nil {
			t.Fatal(err)
		}
		tallies := orm.Objects[Tally](db)
		if _, err := tallies.Create(bg, &Tally{Name: "a", N: 10}); err != nil {
			t.Fatal(err)
		}
		fresh := &Tally{Name: "b"} // made outside, inserted inside
		var seen []*Tally
		var attempts atomic.Int32
		err := db.Transaction(bg, func(ctx context.Context) error {
			a, err := tallies.Get(ctx, lookups.Q{"name": "a"})
			if err != nil {
				return err
			}
			seen = append(seen, a)
			if a.N != 10 {
				t.Errorf("attempt %d reads n = %d: the failed attempt's change leaked", attempts.Load()+1, a.N)
			}
			first := attempts.Add(1) == 1
			if first && backend == harness.SQLite {
				// SQLite's conflict comes at the transaction's first write,
				// here the orm's: another connection writes over its
				// snapshot first.
				if _, err := db.Execute(bg, "UPDATE counters SET bumps = bumps + 1 WHERE id = 1"); err != nil {
					return err
				}
			}
			a.N += 5
			if err := tallies.Save(ctx, a); err != nil {
				return err
			}
			if _, err := tallies.Create(ctx, fresh); err != nil {
				return err
			}
			if first {
				return conflict(ctx, bg, backend, db)
			}
			return nil
		}, core.Retry(3, time.Millisecond), repeatable)
		if err != nil {
			t.Fatal(err)
		}
		if attempts.Load() != 2 || len(seen) != 2 || seen[0] == seen[1] {
			t.Fatalf("%d attempts; the two attempts' objects are one: %v", attempts.Load(), len(seen) == 2 && seen[0] == seen[1])
		}
		if seen[0].N != 15 || seen[1].N != 15 {
			t.Errorf("objects: %d, %d", seen[0].N, seen[1].N)
		}
		n, err := tallies.Filter(lookups.Q{"name": "b"}).Count(bg)
		if err != nil || n != 1 || fresh.ID == 0 {
			t.Errorf("the object made outside: %d rows, id %d, %v", n, fresh.ID, err)
		}
		a, err := tallies.Get(bg, lookups.Q{"name": "a"})
		if err != nil || a.N != 15 {
			t.Errorf("a = %+v, %v; want n 15", a, err)
		}
	})
}

// Write skew under SERIALIZABLE: two transactions each read both doctors
// on call and take one off call when the other is still on. Run at once,
// both would commit and leave nobody on call; PostgreSQL fails one with a
// serialization failure. With Retry both complete and the invariant (at
// least one on call) holds; without it, one of them fails.
func TestRetryWriteSkew(t *testing.T) {
	db := harness.Open(t, harness.Postgres)
	bg := context.Background()
	if _, err := db.Execute(bg, "CREATE TABLE doctors (id INTEGER PRIMARY KEY, on_call BOOLEAN NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	reset := func() {
		if _, err := db.Execute(bg, "UPDATE doctors SET on_call = TRUE"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Execute(bg, "INSERT INTO doctors (id, on_call) VALUES (1, TRUE), (2, TRUE)"); err != nil {
		t.Fatal(err)
	}
	run := func(opts ...core.TxOption) (errs [2]error, attempts int32) {
		var n atomic.Int32
		var read sync.WaitGroup
		read.Add(2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				first := true
				errs[i] = db.Transaction(bg, func(ctx context.Context) error {
					n.Add(1)
					v, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM doctors WHERE on_call")
					if first {
						first = false
						read.Done()
						read.Wait() // both have read before either writes
					}
					if err != nil {
						return err
					}
					if v.(int64) < 2 {
						return nil // the other is off call already: stay
					}
					_, err = db.Execute(ctx, "UPDATE doctors SET on_call = FALSE WHERE id = :id", core.Params{"id": i + 1})
					return err
				}, append(opts, core.WithIsolation(core.Serializable))...)
			})
		}
		wg.Wait()
		return errs, n.Load()
	}
	onCall := func() int64 {
		v, err := db.FetchVal(bg, "SELECT COUNT(*) FROM doctors WHERE on_call")
		if err != nil {
			t.Fatal(err)
		}
		return v.(int64)
	}

	errs, attempts := run(core.Retry(5, time.Millisecond))
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("with Retry: %v", errs)
	}
	if onCall() != 1 || attempts != 3 {
		t.Errorf("with Retry: %d on call after %d attempts; want 1 after 3", onCall(), attempts)
	}

	reset()
	errs, _ = run()
	failed := 0
	for _, err := range errs {
		if err != nil {
			if !errors.Is(err, core.ErrSerialization) {
				t.Errorf("without Retry: %v", err)
			}
			failed++
		}
	}
	if failed != 1 || onCall() != 1 {
		t.Errorf("without Retry: %d failed, %d on call; want 1 and 1", failed, onCall())
	}
}
