package tests

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// The statement kinds, as encode/databases' test_queries checks them.
func TestQueries(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)

		// Execute
		res, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "example1", "completed": true}))
		if err != nil {
			t.Fatal(err)
		}
		if res.RowsAffected != 1 {
			t.Errorf("RowsAffected = %d, want 1", res.RowsAffected)
		}

		// ExecuteMany, raw and with a goqu insert
		n, err := db.ExecuteMany(ctx, "INSERT INTO notes(text, completed) VALUES (:text, :completed)", []core.Params{
			{"text": "example2", "completed": false},
			{"text": "example3", "completed": true},
		})
		if err != nil || n != 2 {
			t.Fatalf("ExecuteMany raw = %d, %v; want 2", n, err)
		}
		n, err = db.ExecuteMany(ctx, goqu.Insert(notes), []core.Params{{"text": "example4", "completed": false}})
		if err != nil || n != 1 {
			t.Fatalf("ExecuteMany goqu = %d, %v; want 1", n, err)
		}

		// FetchAll
		rows, err := db.FetchAll(ctx, goqu.From(notes).Order(goqu.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 {
			t.Fatalf("FetchAll: %d rows, want 4", len(rows))
		}
		for i, want := range []struct {
			text      string
			completed bool
		}{{"example1", true}, {"example2", false}, {"example3", true}, {"example4", false}} {
			if got := rows[i].Get("text"); got != want.text {
				t.Errorf("row %d text = %#v, want %q", i, got, want.text)
			}
			if got := rows[i].Get("completed"); got != want.completed {
				t.Errorf("row %d completed = %#v (%T), want %v", i, got, got, want.completed)
			}
			if _, ok := rows[i].Get("id").(int64); !ok {
				t.Errorf("row %d id is %T, want int64", i, rows[i].Get("id"))
			}
		}

		// FetchOne
		row, err := db.FetchOne(ctx, goqu.From(notes).Order(goqu.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if row.Get("text") != "example1" || row.Get("completed") != true {
			t.Errorf("FetchOne = %v", row)
		}

		// FetchVal: first column, a named one and a numbered one
		q := goqu.From(notes).Select("id", "text", "completed").Order(goqu.C("id").Asc())
		if v, err := db.FetchVal(ctx, q); err != nil || v != int64(1) {
			t.Errorf("FetchVal = %#v, %v; want 1", v, err)
		}
		if v, err := db.FetchVal(ctx, q, core.ColumnNamed("text")); err != nil || v != "example1" {
			t.Errorf("FetchVal(text) = %#v, %v", v, err)
		}
		if v, err := db.FetchVal(ctx, q, core.ColumnAt(2)); err != nil || v != true {
			t.Errorf("FetchVal(2) = %#v, %v", v, err)
		}
		if _, err := db.FetchVal(ctx, q, core.ColumnNamed("nope")); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("FetchVal(nope) error = %v, want ErrBadQuery", err)
		}
		if _, err := db.FetchVal(ctx, q, core.ColumnAt(3)); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("FetchVal(3) error = %v, want ErrBadQuery", err)
		}

		// Iterate, in order
		var texts []string
		for row, err := range db.Iterate(ctx, goqu.From(notes).Order(goqu.C("id").Asc())) {
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, row.Get("text").(string))
		}
		if fmt.Sprint(texts) != "[example1 example2 example3 example4]" {
			t.Errorf("Iterate = %v", texts)
		}
		// Breaking out early leaves the database usable.
		for range db.Iterate(ctx, goqu.From(notes)) {
			break
		}
		if c := countNotes(t, ctx, db); c != 4 {
			t.Errorf("count after break = %d", c)
		}

		// Update and delete report rows affected; an UPDATE that changes
		// nothing still counts the rows it matched on every backend.
		res, err = db.Execute(ctx, goqu.Update(notes).Set(goqu.Record{"completed": true}).Where(goqu.C("completed").IsTrue()))
		if err != nil || res.RowsAffected != 2 {
			t.Errorf("update matched = %d, %v; want 2", res.RowsAffected, err)
		}
		res, err = db.Execute(ctx, goqu.Delete(notes).Where(goqu.C("text").In("example1", "example2")))
		if err != nil || res.RowsAffected != 2 {
			t.Errorf("delete = %d, %v; want 2", res.RowsAffected, err)
		}
	})
}

func TestRawQueries(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		for i, text := range []string{"a", "b:c", "it's"} {
			if _, err := db.Execute(ctx, "INSERT INTO notes(text, completed) VALUES (:text, :completed)",
				core.Params{"text": text, "completed": i%2 == 0}); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.FetchAll(ctx, "SELECT * FROM notes WHERE completed = :completed ORDER BY id", core.Params{"completed": true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Get("text") != "a" || rows[1].Get("text") != "it's" {
			t.Errorf("rows = %v", rows)
		}
		// A name used twice, a colon inside a string literal, and a
		// value that looks like SQL (always a bound parameter).
		row, err := db.FetchOne(ctx, "SELECT id, text FROM notes WHERE text = :t OR (text = 'b:c' AND :t <> '') ORDER BY id",
			core.Params{"t": "it's"})
		if err != nil {
			t.Fatal(err)
		}
		if row.Get("text") != "b:c" {
			t.Errorf("repeated name: %v", row)
		}
		evil := "x'; DROP TABLE notes; --"
		if row, err := db.FetchOne(ctx, "SELECT * FROM notes WHERE text = :t", core.Params{"t": evil}); err != nil || row != nil {
			t.Errorf("injection attempt: %v, %v", row, err)
		}
		if c := countNotes(t, ctx, db); c != 3 {
			t.Errorf("count = %d", c)
		}
		// Missing and unused values are errors, not wrong queries.
		if _, err := db.FetchAll(ctx, "SELECT * FROM notes WHERE id = :id"); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("missing :id: %v", err)
		}
		if _, err := db.FetchAll(ctx, "SELECT * FROM notes", core.Params{"id": 1}); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("unused :id: %v", err)
		}
		if _, err := db.FetchAll(ctx, "SELECT * FROM notes WHERE id = ?", 1); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("positional arg: %v", err)
		}
		if _, err := db.FetchAll(ctx, 42); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("int query: %v", err)
		}
	})
}

func TestRowsByNameIndexAndDuplicates(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		row, err := db.FetchOne(ctx, "SELECT 1 AS id, 2 AS id, 'x' AS name")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(row.Columns()) != "[id id name]" || row.Len() != 3 {
			t.Fatalf("columns = %v", row.Columns())
		}
		if row.At(0) != int64(1) || row.At(1) != int64(2) || row.At(2) != "x" {
			t.Errorf("values = %#v", row.Values())
		}
		if row.Get("id") != int64(1) || row.Index("name") != 2 || row.Index("nope") != -1 {
			t.Errorf("by name: %v", row)
		}
		if _, ok := row.Lookup("nope"); ok {
			t.Error("Lookup(nope) found something")
		}
		if m := row.Map(); m["id"] != int64(1) || m["name"] != "x" {
			t.Errorf("Map = %v", m)
		}
	})
}

func TestNoRows(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		q := goqu.From(notes).Where(goqu.C("id").Eq(-1))
		if row, err := db.FetchOne(ctx, q); row != nil || err != nil {
			t.Errorf("FetchOne = %v, %v; want nil, nil", row, err)
		}
		if v, err := db.FetchVal(ctx, q); v != nil || err != nil {
			t.Errorf("FetchVal = %v, %v; want nil, nil", v, err)
		}
		if rows, err := db.FetchAll(ctx, q); len(rows) != 0 || err != nil {
			t.Errorf("FetchAll = %v, %v", rows, err)
		}
		for range db.Iterate(ctx, q) {
			t.Error("Iterate yielded a row")
		}
	})
}

func TestTransactionCommit(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		err := db.Transaction(ctx, func(ctx context.Context) error {
			if !db.InTransaction(ctx) {
				t.Error("InTransaction = false inside Transaction")
			}
			insertNote(t, ctx, db, "committed", true)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := noteTexts(t, ctx, db); fmt.Sprint(got) != "[committed]" {
			t.Errorf("after commit: %v", got)
		}
	})
}

func TestTransactionRollback(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		boom := errors.New("boom")
		err := db.Transaction(ctx, func(ctx context.Context) error {
			insertNote(t, ctx, db, "rolled back", true)
			if c := countNotes(t, ctx, db); c != 1 {
				t.Errorf("inside: count = %d", c)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Transaction error = %v, want boom", err)
		}
		if c := countNotes(t, ctx, db); c != 0 {
			t.Errorf("after rollback: count = %d", c)
		}

		// The low-level form.
		txCtx, tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		insertNote(t, txCtx, db, "low-level", false)
		if err := tx.Rollback(txCtx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(txCtx); !errors.Is(err, core.ErrTxDone) {
			t.Errorf("second Rollback = %v, want ErrTxDone", err)
		}
		if _, err := db.FetchAll(txCtx, goqu.From(notes)); !errors.Is(err, core.ErrTxDone) {
			t.Errorf("statement on a finished transaction's context = %v, want ErrTxDone", err)
		}
		txCtx, tx, err = db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		insertNote(t, txCtx, db, "low-level commit", false)
		if err := tx.Commit(txCtx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(txCtx); !errors.Is(err, core.ErrTxDone) {
			t.Errorf("second Commit = %v, want ErrTxDone", err)
		}
		if got := noteTexts(t, ctx, db); fmt.Sprint(got) != "[low-level commit]" {
			t.Errorf("after low-level commit: %v", got)
		}
	})
}

func TestTransactionPanicRollsBack(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Errorf("recovered %v, want the original panic", p)
				}
			}()
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				insertNote(t, ctx, db, "panicked", true)
				panic("kaboom")
			})
		}()
		if c := countNotes(t, ctx, db); c != 0 {
			t.Errorf("after panic: count = %d", c)
		}
	})
}

func TestNestedTransactionRollsBackOnlyItsPart(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		err := db.Transaction(ctx, func(ctx context.Context) error {
			insertNote(t, ctx, db, "outer", true)
			inner := db.Transaction(ctx, func(ctx context.Context) error {
				insertNote(t, ctx, db, "inner", true)
				return errors.New("inner fails")
			})
			if inner == nil {
				t.Error("inner Transaction returned nil")
			}
			// A failed statement inside a nested transaction is undone by its
			// savepoint and leaves the outer transaction usable (PostgreSQL
			// would otherwise refuse every later statement).
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				_, err := db.Execute(ctx, "INSERT INTO notes(id, text, completed) VALUES (:id, 'dup', TRUE)", core.Params{"id": 1})
				if !errors.Is(err, core.ErrUniqueViolation) {
					t.Errorf("duplicate id: %v", err)
				}
				return err
			})
			return db.Transaction(ctx, func(ctx context.Context) error {
				insertNote(t, ctx, db, "inner kept", false)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := noteTexts(t, ctx, db); fmt.Sprint(got) != "[outer inner kept]" {
			t.Errorf("notes = %v, want [outer inner kept]", got)
		}
		// Options on a nested transaction are refused rather than ignored.
		err = db.Transaction(ctx, func(ctx context.Context) error {
			return db.Transaction(ctx, func(context.Context) error { return nil }, core.ReadOnly())
		})
		if !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("nested ReadOnly: %v", err)
		}
	})
}

func TestErrorInsideTransactionRollsBackEverything(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		insertNote(t, ctx, db, "before", true)
		err := db.Transaction(ctx, func(ctx context.Context) error {
			insertNote(t, ctx, db, "lost", true)
			_, err := db.Execute(ctx, "INSERT INTO notes(id, text, completed) VALUES (1, 'dup', TRUE)")
			return err
		})
		if !errors.Is(err, core.ErrUniqueViolation) {
			t.Fatalf("err = %v, want a unique violation", err)
		}
		if got := noteTexts(t, ctx, db); fmt.Sprint(got) != "[before]" {
			t.Errorf("notes = %v", got)
		}
	})
}

func TestConcurrentTransactions(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Transaction(ctx, func(ctx context.Context) error {
					_, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": fmt.Sprint("note ", i), "completed": true}))
					if err != nil {
						return err
					}
					// Each sees its own row inside its transaction.
					_, err = db.FetchVal(ctx, goqu.From(notes).Select(goqu.COUNT("*")))
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if c := countNotes(t, ctx, db); c != 6 {
			t.Errorf("count = %d, want 6", c)
		}
	})
}

// A goroutine that does not share the transaction's context never sees its
// uncommitted rows.
func TestSiblingGoroutinesAreIsolated(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		inserted, checked := make(chan struct{}), make(chan int64)
		done := make(chan error)
		go func() {
			done <- db.Transaction(ctx, func(txCtx context.Context) error {
				insertNote(t, txCtx, db, "uncommitted", true)
				close(inserted)
				if n := <-checked; n != 0 {
					t.Errorf("sibling saw %d uncommitted rows", n)
				}
				return nil
			})
		}()
		<-inserted
		go func() { checked <- countNotes(t, ctx, db) }()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if c := countNotes(t, ctx, db); c != 1 {
			t.Errorf("after commit: count = %d", c)
		}
	})
}

func TestForceRollback(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dbURL := harness.FreshURL(t, name)
			setup, err := core.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			createNotes(t, setup) // DDL outside: MySQL commits DDL implicitly
			setup.Close()

			db, err := core.Open(ctx, dbURL, core.WithForceRollback())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close() // on failure; the test closes it itself below
			insertNote(t, ctx, db, "forgotten", true)
			err = db.Transaction(ctx, func(ctx context.Context) error {
				insertNote(t, ctx, db, "forgotten too", true)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				insertNote(t, ctx, db, "rolled back at once", true)
				return errors.New("no")
			})
			// Nested transactions are savepoints inside the outer savepoint.
			err = db.Transaction(ctx, func(ctx context.Context) error {
				_ = db.Transaction(ctx, func(ctx context.Context) error {
					insertNote(t, ctx, db, "inner, undone", true)
					return errors.New("undo inner")
				})
				return db.Transaction(ctx, func(ctx context.Context) error {
					insertNote(t, ctx, db, "inner, kept", true)
					return nil
				})
			})
			if err != nil {
				t.Fatalf("nested under force rollback: %v", err)
			}
			// A failing statement does not spoil the shared transaction.
			if _, err := db.Execute(ctx, "INSERT INTO notes(id, text, completed) VALUES (1, 'dup', TRUE)"); !errors.Is(err, core.ErrUniqueViolation) {
				t.Errorf("duplicate: %v", err)
			}
			// Concurrent users share the one connection, one at a time.
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := db.Transaction(ctx, func(ctx context.Context) error {
						_, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": fmt.Sprint(i), "completed": false}))
						return err
					}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if c := countNotes(t, ctx, db); c != 7 {
				t.Errorf("inside: count = %d, want 7", c)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FetchAll(ctx, goqu.From(notes)); !errors.Is(err, core.ErrClosed) {
				t.Errorf("after Close: %v", err)
			}

			after, err := core.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer after.Close()
			if c := countNotes(t, ctx, after); c != 0 {
				t.Errorf("after Close: %d rows survived", c)
			}
		})
	}
}

func TestReadOnlyAndIsolation(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		err := db.Transaction(ctx, func(ctx context.Context) error {
			_, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "no", "completed": true}))
			return err
		}, core.ReadOnly())
		if err == nil {
			t.Error("a write in a read-only transaction succeeded")
		}
		if c := countNotes(t, ctx, db); c != 0 {
			t.Errorf("count = %d", c)
		}
		// The connection goes back to the pool writable.
		insertNote(t, ctx, db, "writable", true)
		for _, level := range []core.IsolationLevel{core.ReadCommitted, core.RepeatableRead, core.Serializable} {
			err := db.Transaction(ctx, func(ctx context.Context) error {
				_, err := db.FetchAll(ctx, goqu.From(notes))
				return err
			}, core.WithIsolation(level))
			if err != nil {
				t.Errorf("isolation %d: %v", level, err)
			}
		}
	})
}

func TestIntegrityErrorKinds(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := core.NewMetaData()
		parent := core.NewTable("parent",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "code", Type: core.String(10), Unique: true},
			&core.Column{Name: "qty", Type: core.Integer()},
		)
		parent.Checks = []*core.CheckConstraint{{Name: "qty_positive", Expr: "qty > 0"}}
		child := core.NewTable("child",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "parent_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "parent", Column: "id"}},
		)
		if err := md.Add(parent, child); err != nil {
			t.Fatal(err)
		}
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(ctx, "INSERT INTO parent(id, code, qty) VALUES (1, 'a', 1)"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			sql  string
			kind error
		}{
			{"unique", "INSERT INTO parent(id, code, qty) VALUES (2, 'a', 1)", core.ErrUniqueViolation},
			{"primary key", "INSERT INTO parent(id, code, qty) VALUES (1, 'b', 1)", core.ErrUniqueViolation},
			{"not null", "INSERT INTO parent(id, code, qty) VALUES (3, NULL, 1)", core.ErrNotNullViolation},
			{"check", "INSERT INTO parent(id, code, qty) VALUES (4, 'd', 0)", core.ErrCheckViolation},
			{"foreign key", "INSERT INTO child(id, parent_id) VALUES (1, 99)", core.ErrForeignKeyViolation},
		} {
			_, err := db.Execute(ctx, c.sql)
			if !errors.Is(err, c.kind) || !errors.Is(err, core.ErrIntegrity) {
				t.Errorf("%s: err = %v, want %v and ErrIntegrity", c.name, err, c.kind)
			}
			var ce *core.Error
			if !errors.As(err, &ce) || ce.SQL != c.sql || ce.Unwrap() == nil {
				t.Errorf("%s: not a *core.Error with SQL and driver error: %#v", c.name, err)
			}
		}
		if _, err := db.Execute(ctx, "DELETE FROM parent WHERE id = 1"); err != nil {
			t.Fatalf("delete unreferenced parent: %v", err)
		}
		if _, err := db.Execute(ctx, "SELECT * FROM no_such_table"); err == nil || errors.Is(err, core.ErrIntegrity) {
			t.Errorf("missing table: %v", err)
		}
	})
}

func TestQueryHookSeesEveryStatement(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []string
			db := harness.Open(t, name, core.WithQueryHook(func(_ context.Context, e core.QueryEvent) {
				mu.Lock()
				seen = append(seen, e.SQL)
				mu.Unlock()
			}))
			ctx := context.Background()
			createNotes(t, db)
			mu.Lock()
			seen = nil
			mu.Unlock()
			insertNote(t, ctx, db, "a", true)
			_ = countNotes(t, ctx, db)
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 2 {
				t.Errorf("hook saw %d statements, want 2: %q", len(seen), seen)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := db.FetchAll(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
			t.Errorf("FetchAll with a cancelled context: %v", err)
		}
		deadline, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
		defer cancel2()
		time.Sleep(time.Millisecond)
		if err := db.Transaction(deadline, func(context.Context) error { return nil }); err == nil {
			t.Error("Transaction with an expired context succeeded")
		}
	})
}

// A Stmt is SQL written for the dialect, with its own placeholders, sent as
// it is; its values are still bound parameters.
func TestStmtPassesThrough(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		d := db.Dialect()
		ins := core.Stmt{SQL: "INSERT INTO notes(text, completed) VALUES (" + d.Placeholder(1) + ", " + d.Placeholder(2) + ")",
			Args: []any{"it's :not a param", true}}
		if _, err := db.Execute(ctx, ins); err != nil {
			t.Fatal(err)
		}
		v, err := db.FetchVal(ctx, core.Stmt{SQL: "SELECT text FROM notes WHERE completed = " + d.Placeholder(1), Args: []any{true}})
		if err != nil || v != "it's :not a param" {
			t.Errorf("FetchVal(Stmt) = %#v, %v", v, err)
		}
		if _, err := db.Execute(ctx, ins, core.Params{"x": 1}); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("Stmt with Params = %v", err)
		}
	})
}
