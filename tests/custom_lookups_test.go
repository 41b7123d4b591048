package tests

import (
	"context"
	"errors"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// A lookup registered in an application's own registry, given to the
// database with orm.UseLookups, works in every query on it: Filter, Exclude,
// Get, across relations; other databases and lookups.DefaultRegistry do not
// see it.
func TestCustomLookupRegistry(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		reg := lookups.NewRegistry()
		err := reg.Register("divisible_by", func(op lookups.Operand, v any) (exp.Expression, error) {
			n, ok := v.(int)
			if !ok || n == 0 {
				return nil, lookups.BadValue("divisible_by takes a non-zero int, got %#v", v)
			}
			return goqu.L("(? % ?) = 0", op.Expr, n), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		even := lookups.Q{"position__divisible_by": 2}
		if _, err := orm.Objects[Cut](db).Filter(even).All(ctx); !errors.Is(err, lookups.ErrUnknownLookup) {
			t.Fatalf("before UseLookups: %v, want ErrUnknownLookup", err)
		}
		orm.UseLookups(db, reg)
		defer orm.UseLookups(db, nil)
		cuts := orm.Objects[Cut](db)
		got, err := cuts.Filter(even).All(ctx)
		if err != nil || len(got) != 1 || got[0].Title != "surf song" {
			t.Errorf("Filter: %v, %v", got, err)
		}
		if n, err := cuts.Exclude(even).Count(ctx); err != nil || n != 3 {
			t.Errorf("Exclude: %d, %v", n, err)
		}
		if c, err := cuts.Get(ctx, lookups.Q{"position__divisible_by": 3}); err != nil || c.Title != "outro" {
			t.Errorf("Get: %v, %v", c, err)
		}
		recs, err := orm.Objects[Record](db).Filter(lookups.Q{"tracks__position__divisible_by": 2}).All(ctx)
		if err != nil || len(recs) != 1 || recs[0].Name != "Surf" {
			t.Errorf("across a relation: %v, %v", recs, err)
		}
		// A built-in lookup is still there; a bad value is the lookup's error.
		if n, err := cuts.Filter(lookups.Q{"position__gte": 2}).Count(ctx); err != nil || n != 2 {
			t.Errorf("built-in lookup: %d, %v", n, err)
		}
		if _, err := cuts.Filter(lookups.Q{"position__divisible_by": 0}).All(ctx); !errors.Is(err, lookups.ErrBadValue) {
			t.Errorf("bad value: %v", err)
		}
		if lookups.DefaultRegistry.IsLookup("divisible_by") {
			t.Error("the default registry learned the custom lookup")
		}
		orm.UseLookups(db, nil)
		if _, err := orm.Objects[Cut](db).Filter(even).All(ctx); !errors.Is(err, lookups.ErrUnknownLookup) {
			t.Errorf("after UseLookups(db, nil): %v, want ErrUnknownLookup", err)
		}
	})
}
