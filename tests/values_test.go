package tests

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/shopspring/decimal"
)

// Fit is a model whose columns are narrower than its Go types allow.
type Fit struct {
	orm.Model `orm:"table=fits"`
	ID        int64           `db:"id"`
	Name      string          `db:"name" orm:"size=5"`
	Note      string          `db:"note" orm:"type=text"`
	Small     int             `db:"small" orm:"type=smallint"`
	Mid       int64           `db:"mid" orm:"type=integer"`
	F32       float32         `db:"f32"`
	F64       float64         `db:"f64"`
	Price     decimal.Decimal `db:"price" orm:"precision=6,scale=2"`
	Rounded   decimal.Decimal `db:"rounded" orm:"precision=6,scale=2,round"`
	At        time.Time       `db:"at"`
	Day       *time.Time      `db:"day" orm:"type=date"`
	Doc       map[string]any  `db:"doc" orm:"json"`
	Nick      sql.NullString  `db:"nick" orm:"size=3"`
}

// The backends a value is refused on.
var (
	onAll      = map[*core.Dialect]bool{core.SQLite: true, core.Postgres: true, core.MySQL: true}
	onPostgres = map[*core.Dialect]bool{core.Postgres: true}
	onMySQL    = map[*core.Dialect]bool{core.MySQL: true}
	notOnPG    = map[*core.Dialect]bool{core.SQLite: true, core.MySQL: true}
	onNone     = map[*core.Dialect]bool{}
)

func date(year int) time.Time { return time.Date(year, 3, 15, 12, 30, 0, 0, time.UTC) }

// fitCases: a value set on a valid Fit, the field it is about, and the
// backends that must refuse it. Elsewhere it must read back unchanged.
var fitCases = []struct {
	name    string
	field   string
	set     func(*Fit)
	refused map[*core.Dialect]bool
}{
	{"string longer than size", "name", func(f *Fit) { f.Name = "abcdef" }, onAll},
	{"five characters in ten bytes", "name", func(f *Fit) { f.Name = "ééééé" }, onNone},
	{"invalid UTF-8", "name", func(f *Fit) { f.Name = "a\xffb" }, onAll},
	{"invalid UTF-8 in text", "note", func(f *Fit) { f.Note = "\xc3" }, onAll},
	{"NUL in a string", "name", func(f *Fit) { f.Name = "a\x00b" }, onPostgres},
	{"NUL in text", "note", func(f *Fit) { f.Note = "a\x00b" }, onPostgres},
	{"40000 in a smallint", "small", func(f *Fit) { f.Small = 40000 }, onAll},
	{"-32769 in a smallint", "small", func(f *Fit) { f.Small = -32769 }, onAll},
	{"-32768 in a smallint", "small", func(f *Fit) { f.Small = -32768 }, onNone},
	{"2^40 in an integer", "mid", func(f *Fit) { f.Mid = 1 << 40 }, onAll},
	{"2^31-1 in an integer", "mid", func(f *Fit) { f.Mid = math.MaxInt32 }, onNone},
	{"NaN", "f64", func(f *Fit) { f.F64 = math.NaN() }, notOnPG},
	{"+Inf", "f64", func(f *Fit) { f.F64 = math.Inf(1) }, onMySQL},
	{"-Inf float32", "f32", func(f *Fit) { f.F32 = float32(math.Inf(-1)) }, onMySQL},
	{"float32 max", "f32", func(f *Fit) { f.F32 = math.MaxFloat32 }, onNone},
	{"decimal beyond the scale", "price", func(f *Fit) { f.Price = decimal.RequireFromString("1.234") }, onAll},
	{"decimal 1e-30", "price", func(f *Fit) { f.Price = decimal.RequireFromString("1e-30") }, onAll},
	{"decimal with trailing zeros", "price", func(f *Fit) { f.Price = decimal.RequireFromString("1.2300") }, onNone},
	{"decimal beyond the precision", "price", func(f *Fit) { f.Price = decimal.RequireFromString("10000") }, onAll},
	{"negative decimal beyond the precision", "price", func(f *Fit) { f.Price = decimal.RequireFromString("-10000.5") }, onAll},
	{"largest decimal", "price", func(f *Fit) { f.Price = decimal.RequireFromString("-9999.99") }, onNone},
	{"rounding that overflows", "rounded", func(f *Fit) { f.Rounded = decimal.RequireFromString("9999.995") }, onAll},
	{"year -44", "at", func(f *Fit) { f.At = date(-44) }, notOnPG},
	{"year -1", "at", func(f *Fit) { f.At = date(-1) }, notOnPG},
	{"year 10000", "at", func(f *Fit) { f.At = date(10000) }, notOnPG},
	{"year 10000 in UTC", "at", func(f *Fit) {
		f.At = time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("west", -5*3600))
	}, notOnPG},
	{"year 1", "at", func(f *Fit) { f.At = date(1) }, onNone},
	{"year 9999 date", "day", func(f *Fit) { d := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC); f.Day = &d }, onNone},
	{"year 10000 date", "day", func(f *Fit) { d := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC); f.Day = &d }, notOnPG},
	{"NUL in JSON", "doc", func(f *Fit) { f.Doc = map[string]any{"k": "a\x00b"} }, onPostgres},
	{"escaped backslash before u0000 in JSON", "doc", func(f *Fit) { f.Doc = map[string]any{"k": `\u0000`} }, onNone},
	{"sql.NullString longer than size", "nick", func(f *Fit) { f.Nick = sql.NullString{String: "abcd", Valid: true} }, onAll},
}

func validFit() *Fit {
	return &Fit{Name: "ok", Price: decimal.RequireFromString("1.5"), At: date(2024)}
}

// checkFitErr checks that err is the refusal of a value of field.
func checkFitErr(t *testing.T, what string, err error, field string) {
	t.Helper()
	var me *orm.ModelError
	if !errors.Is(err, orm.ErrValueRange) || !errors.Is(err, orm.ErrBadValue) || !errors.As(err, &me) ||
		me.Model != "Fit" || me.Field != field {
		t.Errorf("%s: error %v; want ErrValueRange naming Fit.%s", what, err, field)
	}
}

// Issue 9, items 3, 4, 5 and 8: a value that does not fit its column is an
// error naming the model and field, the same on every backend, and nothing
// is written; a value the backend stores reads back unchanged.
func TestValuesThatDoNotFit(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		fits := orm.Objects[Fit](db)
		d := db.Dialect()
		base := validFit()
		if _, err := fits.Create(ctx, base); err != nil {
			t.Fatal(err)
		}
		for _, c := range fitCases {
			// Create.
			obj := validFit()
			c.set(obj)
			_, err := fits.Create(ctx, obj)
			if c.refused[d] {
				checkFitErr(t, c.name+": Create", err, c.field)
				if n, err := fits.Count(ctx); err != nil || n != 1 {
					t.Errorf("%s: %d rows after a refused Create (%v)", c.name, n, err)
				}
			} else if err != nil {
				t.Errorf("%s: Create: %v", c.name, err)
			} else {
				got := &Fit{ID: obj.ID}
				if err := fits.Load(ctx, got); err != nil {
					t.Fatal(err)
				}
				want := validFit()
				c.set(want)
				if !sameFit(got, want) {
					t.Errorf("%s: read back %+v, want %+v", c.name, got, want)
				}
				if _, err := fits.Filter(lookups.Q{"pk": obj.ID}).Delete(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if !c.refused[d] {
				continue
			}
			// Save of a changed object: refused, the row unchanged.
			c.set(base)
			checkFitErr(t, c.name+": Save", fits.Save(ctx, base), c.field)
			fresh := &Fit{ID: base.ID}
			if err := fits.Load(ctx, fresh); err != nil {
				t.Fatal(err)
			}
			if !sameFit(fresh, validFit()) {
				t.Errorf("%s: row after a refused Save: %+v", c.name, fresh)
			}
			base = fresh
			// BulkCreate: nothing inserted.
			bad := validFit()
			c.set(bad)
			checkFitErr(t, c.name+": BulkCreate", fits.BulkCreate(ctx, []*Fit{validFit(), bad}), c.field)
			if n, err := fits.Count(ctx); err != nil || n != 1 {
				t.Errorf("%s: %d rows after a refused BulkCreate (%v)", c.name, n, err)
			}
		}
	}, Fit{})
}

// Update with values of the wrong size, through the Update(map) path.
func TestValuesThatDoNotFitUpdate(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		fits := orm.Objects[Fit](db)
		if _, err := fits.Create(ctx, validFit()); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			field string
			value any
		}{
			{"f32", 1e300}, // item 5: would be +Inf
			{"f32", -1e39},
			{"small", 40000},
			{"mid", int64(1) << 40},
			{"name", "abcdef"},
			{"price", decimal.RequireFromString("1.234")},
			{"price", decimal.New(1, -30)},
		} {
			n, err := fits.Filter(lookups.Q{"name": "ok"}).Update(ctx, map[string]any{c.field: c.value})
			checkFitErr(t, "Update "+c.field, err, c.field)
			if n != 0 {
				t.Errorf("Update %s = %v: %d rows", c.field, c.value, n)
			}
		}
		got, err := fits.Get(orm.WithScope(ctx), lookups.Q{"name": "ok"})
		if err != nil {
			t.Fatal(err)
		}
		if !sameFit(got, validFit()) {
			t.Errorf("row after refused updates: %+v", got)
		}
	}, Fit{})
}

// orm:"round" rounds a decimal's extra digits half away from zero, the same
// on every backend (SQLite keeps decimals as text and would store them all).
func TestDecimalRound(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		fits := orm.Objects[Fit](db)
		for in, want := range map[string]string{"1.235": "1.24", "-1.235": "-1.24", "1.2349": "1.23", "1e-30": "0", "7": "7"} {
			obj := validFit()
			obj.Rounded = decimal.RequireFromString(in)
			if _, err := fits.Create(ctx, obj); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			got := &Fit{ID: obj.ID}
			if err := fits.Load(ctx, got); err != nil {
				t.Fatal(err)
			}
			if !got.Rounded.Equal(decimal.RequireFromString(want)) {
				t.Errorf("round %s: stored %s, want %s", in, got.Rounded, want)
			}
		}
	}, Fit{})
}

func sameFit(a, b *Fit) bool {
	sameFloat := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	sameDay := (a.Day == nil) == (b.Day == nil) && (a.Day == nil || a.Day.Equal(*b.Day))
	sameDoc := len(a.Doc) == len(b.Doc)
	for k, v := range b.Doc {
		sameDoc = sameDoc && a.Doc[k] == v
	}
	return a.Name == b.Name && a.Note == b.Note && a.Small == b.Small && a.Mid == b.Mid &&
		sameFloat(float64(a.F32), float64(b.F32)) && sameFloat(a.F64, b.F64) &&
		a.Price.Equal(b.Price) && a.Rounded.Equal(b.Rounded) && a.At.Equal(b.At) && sameDay && sameDoc && a.Nick == b.Nick
}

type BadRound struct {
	ID    int64   `db:"id"`
	Price float64 `db:"price" orm:"round"`
}

func TestRoundNeedsADecimal(t *testing.T) {
	var me *orm.ModelError
	err := orm.NewRegistry().Register(BadRound{})
	if !errors.Is(err, orm.ErrInvalidModel) || !errors.As(err, &me) || me.Field != "Price" {
		t.Errorf("round on a float: %v", err)
	}
}
