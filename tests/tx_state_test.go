package tests

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

type txStateKey struct{}

// Tx.Attachment and Tx.OnEnd: state per transaction for the layers above
// core, told how each transaction and savepoint ended.
func TestTxAttachmentAndOnEnd(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		bg := context.Background()
		if db.TxFrom(bg) != nil {
			t.Fatal("TxFrom outside a transaction")
		}
		var ends []string
		record := func(name string) func(bool) {
			return func(committed bool) { ends = append(ends, fmt.Sprintf("%s:%v", name, committed)) }
		}
		fail := errors.New("fail")
		err := db.Transaction(bg, func(ctx context.Context) error {
			outer := db.TxFrom(ctx)
			if outer == nil || outer.Parent() != nil || outer.Done() {
				t.Fatalf("outer = %v", outer)
			}
			outer.OnEnd(record("outer"))
			n := 0
			for range 2 {
				outer.Attachment(txStateKey{}, func() any { n++; return n })
			}
			if n != 1 || outer.Attachment(txStateKey{}, nil) != 1 {
				t.Errorf("Attachment created %d values", n)
			}
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				sp := db.TxFrom(ctx)
				if sp.Parent() != outer {
					t.Error("a savepoint's parent is not its transaction")
				}
				if v := sp.Attachment(txStateKey{}, func() any { return "own" }); v != "own" {
					t.Errorf("a savepoint shares its parent's attachments: %v", v)
				}
				sp.OnEnd(record("released"))
				return nil
			})
			return db.Transaction(ctx, func(ctx context.Context) error {
				db.TxFrom(ctx).OnEnd(record("rolled back"))
				return fail
			})
		})
		if !errors.Is(err, fail) {
			t.Fatal(err)
		}
		want := "[released:true rolled back:false outer:false]"
		if got := fmt.Sprint(ends); got != want {
			t.Errorf("ends = %s, want %s", got, want)
		}
		ends = nil
		func() {
			defer func() { _ = recover() }()
			_ = db.Transaction(bg, func(ctx context.Context) error {
				db.TxFrom(ctx).OnEnd(record("panicked"))
				panic("boom")
			})
		}()
		_ = db.Transaction(bg, func(ctx context.Context) error {
			db.TxFrom(ctx).OnEnd(record("committed"))
			return nil
		})
		if got := fmt.Sprint(ends); got != "[panicked:false committed:true]" {
			t.Errorf("ends = %s", got)
		}
	})
}
