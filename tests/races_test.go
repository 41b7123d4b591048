package tests

import (
	"context"
	"sync"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

// racers is how many goroutines race on one new key.
const racers = 50

// race runs fn in racers goroutines at once and returns their errors and
// how many reported created. Each goroutine gets an identity scope of its
// own (objects are not shared between writing goroutines).
func race(ctx context.Context, fn func(ctx context.Context, i int) (bool, error)) (errs []error, created int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := fn(orm.WithScope(ctx), i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if c {
				created++
			}
		}()
	}
	close(start)
	wg.Wait()
	return errs, created
}

func checkRace(t *testing.T, ctx context.Context, db *core.Database, errs []error, created int) {
	t.Helper()
	for i, err := range errs {
		if i < 3 {
			t.Errorf("%d of %d calls failed; one: %v", len(errs), racers, err)
		}
	}
	if created != 1 {
		t.Errorf("%d calls created the object, want 1", created)
	}
	if n, err := orm.Objects[Tag](db).Count(ctx); err != nil || n != 1 {
		t.Errorf("%d rows (%v), want 1", n, err)
	}
}

// Issue 9, item 13: GetOrCreate inside callers' transactions, 50 at once on
// one new key: one creates it, the others get it, none fails (on MySQL the
// transactions are REPEATABLE READ, whose snapshot cannot see the winner's
// row).
func TestGetOrCreateRaceInTransactions(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		tags := orm.Objects[Tag](db)
		errs, created := race(ctx, func(ctx context.Context, i int) (bool, error) {
			var created bool
			err := db.Transaction(ctx, func(ctx context.Context) error {
				tag, c, err := tags.GetOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": i})
				if err == nil && (tag == nil || tag.Name != "go") {
					t.Errorf("GetOrCreate returned %+v", tag)
				}
				created = c
				return err
			})
			return created, err
		})
		checkRace(t, ctx, db, errs, created)
	}, Tag{})
}

// GetOrCreate outside transactions, for comparison.
func TestGetOrCreateRace(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		tags := orm.Objects[Tag](db)
		errs, created := race(ctx, func(ctx context.Context, i int) (bool, error) {
			_, c, err := tags.GetOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": i})
			return c, err
		})
		checkRace(t, ctx, db, errs, created)
	}, Tag{})
}

// Issue 9, item 14: UpdateOrCreate, 50 at once on one new key: one row,
// one creation, every call succeeds, and the row holds one caller's values.
func TestUpdateOrCreateRace(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		tags := orm.Objects[Tag](db)
		errs, created := race(ctx, func(ctx context.Context, i int) (bool, error) {
			tag, c, err := tags.UpdateOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": i + 1})
			if err == nil && (tag == nil || tag.Count != i+1) {
				t.Errorf("UpdateOrCreate(count %d) returned %+v", i+1, tag)
			}
			return c, err
		})
		checkRace(t, ctx, db, errs, created)
		got, err := tags.Get(orm.WithScope(ctx), lookups.Q{"name": "go"})
		if err != nil || got.Count < 1 || got.Count > racers {
			t.Errorf("row after the race: %+v, %v", got, err)
		}
	}, Tag{})
}
