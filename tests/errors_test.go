package tests

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

type ErrChanModel struct {
	ID int64    `db:"id"`
	C  chan int `db:"c"`
}

type ErrSizeModel struct {
	ID int64 `db:"id"`
	N  int   `db:"n" orm:"size=3"`
}

// Each layer's error names the model and field, says its kind once, shows
// its cause, and answers errors.Is for the kind and errors.As for its type.
func TestErrorMessages(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.SQLite)
	if err := orm.CreateTables(ctx, db, DjAll{}); err != nil {
		t.Fatal(err)
	}
	all := orm.Objects[DjAll](db)

	if orm.ErrBadValue != lookups.ErrBadValue {
		t.Error("orm.ErrBadValue and lookups.ErrBadValue are two errors")
	}

	cases := []struct {
		name  string
		err   error
		want  string
		kinds []error
	}{{
		name:  "unsupported field type",
		err:   second(orm.Objects[ErrChanModel](db).All(ctx)),
		want:  "orm: ErrChanModel.C: invalid model: unsupported field type chan int",
		kinds: []error{orm.ErrInvalidModel},
	}, {
		name:  "size on an int",
		err:   second(orm.Objects[ErrSizeModel](db).All(ctx)),
		want:  "orm: ErrSizeModel.N: invalid model: size= applies to strings, not int",
		kinds: []error{orm.ErrInvalidModel},
	}, {
		name:  "a filter value of the wrong type",
		err:   second(all.Filter(lookups.Q{"at": 5}).All(ctx)),
		want:  `lookups: DjAll: bad value "at": value 5: an int does not fit a field of type time.Time`,
		kinds: []error{orm.ErrBadValue, lookups.ErrBadValue},
	}, {
		name:  "a filter value that is no decimal",
		err:   second(all.Filter(lookups.Q{"price__in": []any{"x"}}).All(ctx)),
		want:  `lookups: DjAll: bad value "price" in "price__in": the string "x" is not a decimal number`,
		kinds: []error{lookups.ErrBadValue},
	}, {
		name:  "a primary key of the wrong type",
		err:   second(all.Get(ctx, lookups.Q{"pk": "two"})),
		want:  `lookups: DjAll: bad value "id" in "pk": value "two": strconv.ParseInt: parsing "two": invalid syntax`,
		kinds: []error{lookups.ErrBadValue},
	}, {
		name:  "a value too long for its column",
		err:   second(all.Create(ctx, &DjAll{Name: strings.Repeat("x", 30)})),
		want:  `orm: DjAll.name: value does not fit its column: value "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": 30 characters, more than size=20`,
		kinds: []error{orm.ErrValueRange, orm.ErrBadValue},
	}, {
		name:  "a bad schema",
		err:   badSchema(),
		kinds: []error{core.ErrInvalidSchema},
	}}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if c.want != "" && c.err.Error() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.err, c.want)
		}
		for _, k := range c.kinds {
			if !errors.Is(c.err, k) {
				t.Errorf("%s: %v is not %v", c.name, c.err, k)
			}
		}
		if strings.Count(c.err.Error(), "orm: ") > 1 || strings.Count(c.err.Error(), "invalid model") > 1 || strings.Count(c.err.Error(), "bad value") > 1 {
			t.Errorf("%s: a repeated prefix in %q", c.name, c.err)
		}
	}

	// The typed errors carry model, field and kind.
	var me *orm.ModelError
	if err := cases[0].err; !errors.As(err, &me) || me.Model != "ErrChanModel" || me.Field != "C" || me.Kind != orm.ErrInvalidModel {
		t.Errorf("ModelError of %v: %#v", err, me)
	}
	var le *lookups.Error
	if err := cases[2].err; !errors.As(err, &le) || le.Model != "DjAll" || le.Name != "at" || le.Err != lookups.ErrBadValue || le.Cause == nil {
		t.Errorf("lookups.Error of %v: %#v", err, le)
	}
	// The orm's own error stays reachable as the cause.
	if err := cases[2].err; !errors.As(err, &me) || me.Field != "at" {
		t.Errorf("the cause of %v is no ModelError: %#v", err, me)
	}
	if err := cases[5].err; !errors.As(err, &me) || me.Kind != orm.ErrValueRange {
		t.Errorf("ModelError of %v: %#v", err, me)
	}
}

// A failed statement is a *core.Error of its kind; a bad schema is one of
// kind ErrInvalidSchema, also known as *core.SchemaError.
func TestCoreErrors(t *testing.T) {
	ctx := context.Background()
	err := badSchema()
	var ce *core.Error
	var se *core.SchemaError
	if !errors.As(err, &ce) || !errors.As(err, &se) || ce.Kind != core.ErrInvalidSchema || ce.Column != "c" ||
		!strings.HasPrefix(err.Error(), `core: invalid schema: `) || strings.Contains(err.Error(), "core: core:") {
		t.Errorf("schema error %v: %#v", err, ce)
	}
	db := harness.Open(t, harness.SQLite)
	if _, err := db.Execute(ctx, "CREATE TABLE u (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx, "INSERT INTO u (id) VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Execute(ctx, "INSERT INTO u (id) VALUES (1)")
	if !errors.As(err, &ce) || ce.Kind != core.ErrUniqueViolation || !errors.Is(err, core.ErrIntegrity) || errors.Is(err, core.ErrInvalidSchema) ||
		!strings.HasPrefix(err.Error(), "core: unique violation: ") || ce.SQL == "" {
		t.Errorf("unique violation: %v, %#v", err, ce)
	}
}

func second[A any](_ A, err error) error { return err }

// badSchema is the error of a table with a string column of size 0.
func badSchema() error {
	md := core.NewMetaData()
	err := md.Add(&core.Table{Name: "t", Columns: []*core.Column{{Name: "c", Type: core.String(0)}}})
	if err == nil {
		err = md.Validate()
	}
	return err
}
