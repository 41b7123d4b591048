package tests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/doug-martin/goqu/v9"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// BulkNote is a narrow model for BulkCreate's batching: a unique name, a
// default, auto timestamps and a column named by a reserved word.
type BulkNote struct {
	orm.Model `orm:"table=bulk_notes"`
	ID        int64     `db:"id"`
	Name      string    `db:"name" orm:"size=60,unique"`
	Rank      int       `db:"rank" orm:"default=7"`
	Made      time.Time `db:"made" orm:"auto_now_add"`
	Touched   time.Time `db:"touched" orm:"auto_now"`
}

// BulkBare has nothing but its generated key.
type BulkBare struct {
	ID int64 `db:"id"`
}

func (BulkBare) Meta() orm.Meta { return orm.Meta{Table: "bulk_bare"} }

// BulkCustom has a column of a Custom type, which PostgreSQL's array
// insert does not write: it goes as a VALUES list there.
type BulkCustom struct {
	ID    int64  `db:"id"`
	Label string `db:"label" orm:"size=20"`
	Count Millis `db:"count"`
}

func (BulkCustom) Meta() orm.Meta { return orm.Meta{Table: "bulk_custom"} }

func (BulkCustom) Converters() map[string]orm.Converter {
	return map[string]orm.Converter{"count": {
		Type: core.Custom("INTEGER"),
		ToDB: func(v any) (any, error) { return v.(Millis).D.Milliseconds(), nil },
		FromDB: func(v any) (any, error) {
			var n int64
			switch x := v.(type) {
			case int64:
				n = x
			case int32:
				n = int64(x)
			default:
				return nil, fmt.Errorf("count is a %T", v)
			}
			return Millis{time.Duration(n) * time.Millisecond}, nil
		},
	}}
}

// BulkExpr's count converter gives a goqu expression for a negative count,
// which goes into the SQL as it is: on PostgreSQL a batch holding one goes
// as a VALUES list rather than as arrays.
type BulkExpr struct {
	ID    int64  `db:"id"`
	Label string `db:"label" orm:"size=20"`
	Count Millis `db:"count"`
	Raw   []byte `db:"raw" orm:"null"`
}

func (BulkExpr) Meta() orm.Meta { return orm.Meta{Table: "bulk_expr"} }

func (BulkExpr) Converters() map[string]orm.Converter {
	c := BulkCustom{}.Converters()["count"]
	c.Type = core.BigInt()
	c.ToDB = func(v any) (any, error) {
		if ms := v.(Millis).D.Milliseconds(); ms < 0 {
			return goqu.L(fmt.Sprintf("0 - %d", -ms)), nil
		}
		return v.(Millis).D.Milliseconds(), nil
	}
	return map[string]orm.Converter{"count": c}
}

// trickyStrings are strings that the text forms of arrays and SQL quote,
// escape or read specially.
var trickyStrings = []string{
	"", " ", " padded ", "a,b", "{x}", "{", "}", `"`, `"quoted"`, `back\slash`, `\\`, `\`, `\"`,
	"NULL", "null", "'single'", "''", "héllo, 世界 🎉", "line\nbreak\ttab\r", "\x01\x7f", "$1", ":name", "?",
	"--", "/*", "(", ")", "a\"b,c\\d{e}f",
}

// bulkEverything returns the i-th object of the type test; called twice it
// returns equal objects.
func bulkEverything(i int, d *core.Dialect) *Everything {
	tokyo := time.FixedZone("JST", 9*3600)
	west := time.FixedZone("X", -(7*3600 + 30*60))
	s := trickyStrings[i%len(trickyStrings)]
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, tokyo).Add(time.Duration(i) * time.Hour)
	optT := time.Date(1999, 12, 31, 20, 0, 0, 999, west).Add(time.Duration(i) * time.Minute)
	u64 := uint64(math.MaxInt64) - uint64(i)
	if d == core.MySQL {
		u64 = math.MaxUint64 - uint64(i)
	}
	e := &Everything{
		B: i%2 == 0, I8: math.MinInt8 + int8(i), I16: math.MaxInt16 - int16(i), I32: math.MinInt32 + int32(i), I64: math.MaxInt64 - int64(i),
		I: -(1 << 60) + i, U8: 255, U16: 65535, U32: math.MaxUint32, U64: u64,
		F32: 0.1 * float32(i+1), F64: []float64{math.Pi, -1e300, 1e-300, 0, -2.5}[i%5],
		S: s, Text: strings.Repeat(s+"|", 3) + "\n" + strings.Join(trickyStrings, ","),
		Blob: [][]byte{{0, '\\', '"', ',', '{', '}', 'x', 255}, {}, nil, []byte(`\x00`)}[i%4],
		At:   at, Price: decimal.RequireFromString([]string{"-1234567890.12345678901234567890", "0", "0.00000000000000000001", "42"}[i%4]),
		UID:  uuid.NewSHA1(uuid.NameSpaceURL, []byte(s)),
		Mood: Mood(fmt.Sprint("m", i%10)), Level: Level(i - 3),
		Addr:  Address{Street: s, Tags: []string{s, `"`, `\`, "{,}"}},
		Attrs: map[string]any{"s": s, "n": 1.5, "nested": map[string]any{"q": `"\`}, "null": nil},
		List:  []int{i, -i, 0},
		Dur:   Millis{time.Duration(i) * time.Second},
		Extra: map[string]string{`k,"1"`: s, "ü": "\\"},
	}
	if i%3 != 0 { // every third object leaves the nullable fields NULL
		text := s + "?"
		optD := decimal.RequireFromString("-99999999.99")
		e.Opt, e.OptT, e.OptD = &text, &optT, &optD
		e.NS = sql.NullString{String: s, Valid: true}
		e.NI = sql.NullInt64{Int64: int64(-i), Valid: true}
		e.NB = sql.NullBool{Bool: i%2 == 1, Valid: true}
	}
	return e
}

// Every field type goes through BulkCreate as it goes through Create: the
// rows read back are the same.
func TestORMBulkCreateEveryType(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		objs := orm.Objects[Everything](db)
		n := 2 * len(trickyStrings)
		bulk := make([]*Everything, n)
		for i := range bulk {
			bulk[i] = bulkEverything(i, db.Dialect())
		}
		log.reset()
		if err := objs.BulkCreate(ctx, bulk); err != nil {
			t.Fatal(err)
		}
		if inserts := insertsSent(log); len(inserts) != 1 || db.Dialect() == core.Postgres && !strings.Contains(inserts[0], "unnest(") {
			t.Errorf("BulkCreate sent %d INSERTs: %.200q", len(inserts), inserts)
		}
		for i, e := range bulk {
			if e.ID != int64(i+1) {
				t.Fatalf("object %d has id %d, want %d", i, e.ID, i+1)
			}
		}
		twins := make([]*Everything, n)
		for i := range twins {
			twins[i] = bulkEverything(i, db.Dialect())
			if _, err := objs.Create(ctx, twins[i]); err != nil {
				t.Fatal(err)
			}
		}
		read := orm.WithScope(ctx)
		for i := range bulk {
			got, err := objs.Get(read, lookups.Q{"id": bulk[i].ID})
			if err != nil {
				t.Fatal(err)
			}
			want, err := objs.Get(read, lookups.Q{"id": twins[i].ID})
			if err != nil {
				t.Fatal(err)
			}
			if got.S != trickyStrings[i%len(trickyStrings)] || got.Opt != nil && *got.Opt != got.S+"?" {
				t.Errorf("object %d: S = %q, Opt = %q", i, got.S, *got.Opt)
			}
			if in := bulkEverything(i, db.Dialect()); !got.At.Equal(in.At.Truncate(time.Microsecond)) || got.At.Location() != time.UTC {
				t.Errorf("object %d: At = %v, want %v", i, got.At, in.At)
			}
			if !got.Price.Equal(want.Price) || (got.OptD == nil) != (want.OptD == nil) || got.OptD != nil && !got.OptD.Equal(*want.OptD) {
				t.Errorf("object %d: decimals %v %v, want %v %v", i, got.Price, got.OptD, want.Price, want.OptD)
			}
			got.Price, got.OptD = want.Price, want.OptD
			got.ID, got.Model = want.ID, want.Model
			if !reflect.DeepEqual(*got, *want) {
				gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*want)
				for j := range gv.NumField() {
					if !reflect.DeepEqual(gv.Field(j).Interface(), wv.Field(j).Interface()) {
						t.Errorf("object %d: %s = %#v, Create stored %#v", i, gv.Type().Field(j).Name, gv.Field(j).Interface(), wv.Field(j).Interface())
					}
				}
			}
		}
	}, Everything{})
}

// A value that does not fit its field fails the call before anything is
// sent, naming the model and field.
func TestORMBulkCreateBadValueSendsNothing(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		if db.Dialect() == core.MySQL {
			t.Skip("MySQL stores every uint64")
		}
		ctx := context.Background()
		objs := orm.Objects[Everything](db)
		bad := []*Everything{bulkEverything(0, db.Dialect()), bulkEverything(1, db.Dialect())}
		bad[1].U64 = math.MaxUint64
		log.reset()
		err := objs.BulkCreate(ctx, bad)
		var me *orm.ModelError
		if !errors.As(err, &me) || me.Model != "Everything" || me.Field != "u64" || !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("uint64 overflow = %v", err)
		}
		if sent := log.take(); len(sent) != 0 {
			t.Errorf("a failed BulkCreate sent %q", sent)
		}
		if bad[0].ID != 0 || bad[1].ID != 0 {
			t.Errorf("ids %d, %d after a failure", bad[0].ID, bad[1].ID)
		}
		if err := objs.BulkCreate(ctx, nil); err != nil {
			t.Errorf("BulkCreate of nothing = %v", err)
		}
		if sent := log.take(); len(sent) != 0 {
			t.Errorf("BulkCreate of nothing sent %q", sent)
		}
	}, Everything{})
}

// insertsSent returns the INSERT statements sent since the log was last
// taken.
func insertsSent(log *queryLog) []string {
	var inserts []string
	for _, s := range log.take() {
		if strings.HasPrefix(s, "INSERT") {
			inserts = append(inserts, s)
		}
	}
	return inserts
}

func bulkNotes(prefix string, n int) []*BulkNote {
	notes := make([]*BulkNote, n)
	for i := range notes {
		notes[i] = &BulkNote{Name: fmt.Sprintf("%s %06d, \"%d\"", prefix, i, i%7)}
	}
	return notes
}

// More rows than one statement holds: several statements in one
// transaction, keys set in order, defaults and timestamps applied, and
// the objects in the identity map.
func TestORMBulkCreateBatches(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := orm.WithScope(context.Background())
		notes := orm.Objects[BulkNote](db)
		// 4 columns: more than one statement on every backend (PostgreSQL
		// sends 10,000 rows at a time, SQLite 8,191 and MySQL 16,383).
		const n = 25_000
		many := bulkNotes("note", n)
		many[5].Rank = 2
		before := time.Now().Add(-time.Second)
		log.reset()
		if err := notes.BulkCreate(ctx, many); err != nil {
			t.Fatal(err)
		}
		if inserts := len(insertsSent(log)); inserts < 2 || inserts > 4 {
			t.Errorf("BulkCreate of %d rows sent %d INSERTs", n, inserts)
		}
		for i, o := range many {
			if o.ID != int64(i+1) {
				t.Fatalf("object %d has id %d", i, o.ID)
			}
			if want := map[bool]int{true: 2, false: 7}[i == 5]; o.Rank != want || o.Made.Before(before) || !o.Touched.Equal(o.Made) {
				t.Fatalf("object %d: %+v", i, o)
			}
		}
		read := orm.WithScope(ctx)
		all, err := notes.OrderBy("id").All(read)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != n {
			t.Fatalf("%d rows, want %d", len(all), n)
		}
		for i, r := range all {
			o := many[i]
			if r.ID != o.ID || r.Name != o.Name || r.Rank != o.Rank || !r.Made.Equal(o.Made) || !r.Touched.Equal(o.Touched) {
				t.Fatalf("row %d = %+v, object %+v", i, r, o)
			}
		}
		// The scope holds the very objects.
		for _, i := range []int{0, 9_999, 10_000, n - 1} {
			got, err := notes.Get(ctx, lookups.Q{"id": many[i].ID})
			if err != nil || got != many[i] {
				t.Errorf("Get(%d) = %p, %v; want the object created, %p", many[i].ID, got, err, many[i])
			}
		}

		// A duplicate in the last statement undoes the earlier ones, and
		// leaves every object without a key.
		again := bulkNotes("again", n)
		again[n-1].Name = many[0].Name
		if err := notes.BulkCreate(ctx, again); !errors.Is(err, core.ErrUniqueViolation) {
			t.Fatalf("duplicate in the last batch = %v", err)
		}
		if c, _ := notes.Count(ctx); c != n {
			t.Errorf("after a failed BulkCreate: %d rows, want %d", c, n)
		}
		for i, o := range again {
			if o.ID != 0 {
				t.Fatalf("object %d has id %d after a failed BulkCreate", i, o.ID)
			}
		}
		// Once fixed, the same objects go in.
		again[n-1].Name = "fixed"
		if err := notes.BulkCreate(ctx, again); err != nil {
			t.Fatal(err)
		}
		for i, o := range again[1:] {
			if o.ID != again[0].ID+int64(i+1) {
				t.Fatalf("object %d has id %d, the first %d", i+1, o.ID, again[0].ID)
			}
		}
	}, BulkNote{})
}

// A single statement is sent without a transaction of its own; inside the
// caller's, a failed BulkCreate leaves that transaction usable.
func TestORMBulkCreateTransactions(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		notes := orm.Objects[BulkNote](db)
		log.reset()
		first := bulkNotes("first", 3)
		if err := notes.BulkCreate(ctx, first); err != nil {
			t.Fatal(err)
		}
		if inserts := len(insertsSent(log)); inserts != 1 {
			t.Errorf("%d INSERTs for 3 rows", inserts)
		}
		for i, o := range first {
			if o.ID != int64(i+1) {
				t.Errorf("object %d has id %d", i, o.ID)
			}
		}
		err := db.Transaction(ctx, func(ctx context.Context) error {
			dup := []*BulkNote{{Name: "fresh"}, {Name: first[1].Name}}
			if err := notes.BulkCreate(ctx, dup); !errors.Is(err, core.ErrUniqueViolation) {
				return fmt.Errorf("duplicate = %v", err)
			}
			if dup[0].ID != 0 {
				return fmt.Errorf("the failed object has id %d", dup[0].ID)
			}
			later := bulkNotes("later", 2)
			if err := notes.BulkCreate(ctx, later); err != nil {
				return fmt.Errorf("after the failure: %w", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := notes.Count(ctx); c != 5 {
			t.Errorf("%d rows, want 5", c)
		}
		// Objects with their own keys and objects without: two statements.
		mixed := []*BulkNote{{ID: 1000, Name: "own 1000"}, {Name: "gen a"}, {ID: 2000, Name: "own 2000"}, {Name: "gen b"}}
		log.reset()
		if err := notes.BulkCreate(ctx, mixed); err != nil {
			t.Fatal(err)
		}
		if inserts := len(insertsSent(log)); inserts != 2 {
			t.Errorf("%d INSERTs for a mixed BulkCreate", inserts)
		}
		if mixed[0].ID != 1000 || mixed[2].ID != 2000 || mixed[1].ID == 0 || mixed[3].ID != mixed[1].ID+1 {
			t.Errorf("mixed ids: %d %d %d %d", mixed[0].ID, mixed[1].ID, mixed[2].ID, mixed[3].ID)
		}
		for _, o := range mixed {
			got, err := notes.Get(orm.WithScope(ctx), lookups.Q{"id": o.ID})
			if err != nil || got.Name != o.Name {
				t.Errorf("row %d = %+v, %v; want %q", o.ID, got, err, o.Name)
			}
		}
	}, BulkNote{})
}

// A model with nothing but its key, and one with a column PostgreSQL's
// array insert does not write.
func TestORMBulkCreateOddModels(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		bare := []*BulkBare{{}, {}, {}}
		if err := orm.Objects[BulkBare](db).BulkCreate(ctx, bare); err != nil {
			t.Fatal(err)
		}
		if bare[0].ID != 1 || bare[1].ID != 2 || bare[2].ID != 3 {
			t.Errorf("bare ids %d %d %d", bare[0].ID, bare[1].ID, bare[2].ID)
		}
		if c, _ := orm.Objects[BulkBare](db).Count(ctx); c != 3 {
			t.Errorf("%d bare rows", c)
		}
		customs := orm.Objects[BulkCustom](db)
		cs := []*BulkCustom{{Label: "a,\"b\"", Count: Millis{time.Second}}, {Label: `\`, Count: Millis{-time.Millisecond}}}
		if err := customs.BulkCreate(ctx, cs); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			got, err := customs.Get(orm.WithScope(ctx), lookups.Q{"id": c.ID})
			if err != nil || got.Label != c.Label || got.Count != c.Count {
				t.Errorf("custom row %d = %+v, %v; want %+v", c.ID, got, err, c)
			}
		}
		exprs := orm.Objects[BulkExpr](db)
		for _, batch := range [][]*BulkExpr{
			{{Label: "plain", Count: Millis{time.Second}, Raw: []byte{0, 1}}, {Label: "", Count: Millis{}}},
			{{Label: "expr", Count: Millis{-2 * time.Second}}, {Label: "plain", Count: Millis{time.Millisecond}, Raw: []byte(`\x`)}},
		} {
			log.reset()
			if err := exprs.BulkCreate(ctx, batch); err != nil {
				t.Fatal(err)
			}
			inserts := insertsSent(log)
			if len(inserts) != 1 {
				t.Fatalf("%d INSERTs", len(inserts))
			}
			if want := batch[0].Label == "plain" && db.Dialect() == core.Postgres; strings.Contains(inserts[0], "unnest(") != want {
				t.Errorf("BulkCreate sent %.100q", inserts[0])
			}
			for _, e := range batch {
				got, err := exprs.Get(orm.WithScope(ctx), lookups.Q{"id": e.ID})
				if err != nil || got.Label != e.Label || got.Count != e.Count || (got.Raw == nil) != (e.Raw == nil) || string(got.Raw) != string(e.Raw) {
					t.Errorf("row %d = %+v, %v; want %+v", e.ID, got, err, e)
				}
			}
		}
		// Times in years PostgreSQL has and the others may not.
		if db.Dialect() == core.Postgres {
			objs := orm.Objects[Everything](db)
			far := []*Everything{bulkEverything(1, db.Dialect()), bulkEverything(2, db.Dialect())}
			far[0].At = time.Date(10000, 1, 2, 3, 4, 5, 6000, time.UTC)
			far[1].At = time.Date(-44, 3, 15, 12, 0, 0, 0, time.FixedZone("R", 3600))
			if err := objs.BulkCreate(ctx, far); err != nil {
				t.Fatal(err)
			}
			for _, e := range far {
				got, err := objs.Get(orm.WithScope(ctx), lookups.Q{"id": e.ID})
				if err != nil || !got.At.Equal(e.At) || got.S != e.S {
					t.Errorf("far row = %v, %q, %v; want %v", got.At, got.S, err, e.At)
				}
			}
		}
	}, BulkBare{}, BulkCustom{}, BulkExpr{}, Everything{})
}
