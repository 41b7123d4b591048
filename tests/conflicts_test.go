package tests

import (
	"context"
	"errors"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// Two transactions locking two rows in opposite orders: the database breaks
// the deadlock by failing one of them, classified as ErrDeadlock. SQLite
// has a single writer (core begins transactions IMMEDIATE), so it cannot
// deadlock; it runs the same steps to show that both transactions finish.
func TestDeadlockIsClassified(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		insertNote(t, ctx, db, "one", false)
		insertNote(t, ctx, db, "two", false)
		update := "UPDATE notes SET completed = TRUE WHERE id = :id"
		if db.Dialect() == core.SQLite {
			for _, first := range []int{1, 2} {
				err := db.Transaction(ctx, func(ctx context.Context) error {
					if _, err := db.Execute(ctx, update, core.Params{"id": first}); err != nil {
						return err
					}
					_, err := db.Execute(ctx, update, core.Params{"id": 3 - first})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			return
		}
		locked, both := make(chan struct{}, 2), make(chan struct{})
		errs := make(chan error, 2)
		for _, first := range []int{1, 2} {
			go func() {
				errs <- db.Transaction(ctx, func(ctx context.Context) error {
					if _, err := db.Execute(ctx, update, core.Params{"id": first}); err != nil {
						return err
					}
					locked <- struct{}{}
					<-both // each now holds its first row
					_, err := db.Execute(ctx, update, core.Params{"id": 3 - first})
					return err
				})
			}()
		}
		<-locked
		<-locked
		close(both)
		var deadlocks, ok int
		for range 2 {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case errors.Is(err, core.ErrDeadlock):
				deadlocks++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if deadlocks != 1 || ok != 1 {
			t.Errorf("%d deadlocks and %d commits, want one of each", deadlocks, ok)
		}
	})
}

// Two serializable transactions that each read what the other writes: one
// fails with ErrSerialization (PostgreSQL; MySQL turns the same conflict
// into lock waits, and SQLite has a single writer).
func TestSerializationFailureIsClassified(t *testing.T) {
	db := harness.Open(t, harness.Postgres)
	ctx := context.Background()
	createNotes(t, db)
	insertNote(t, ctx, db, "a", false)
	insertNote(t, ctx, db, "b", true)
	ctx1, tx1, err := db.Begin(ctx, core.WithIsolation(core.Serializable))
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx1)
	ctx2, tx2, err := db.Begin(ctx, core.WithIsolation(core.Serializable))
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback(ctx2)
	count := "SELECT COUNT(*) FROM notes WHERE completed = :c"
	if _, err := db.FetchVal(ctx1, count, core.Params{"c": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FetchVal(ctx2, count, core.Params{"c": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx1, "UPDATE notes SET completed = FALSE WHERE text = 'b'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx2, "UPDATE notes SET completed = TRUE WHERE text = 'a'"); err != nil {
		t.Fatal(err)
	}
	err1 := tx1.Commit(ctx1)
	err2 := tx2.Commit(ctx2)
	if err1 == nil && err2 == nil {
		t.Fatal("both serializable transactions committed")
	}
	for _, err := range []error{err1, err2} {
		if err != nil && !errors.Is(err, core.ErrSerialization) {
			t.Errorf("err = %v, want ErrSerialization", err)
		}
	}
}
