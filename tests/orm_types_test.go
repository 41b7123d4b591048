package tests

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

type Mood string

type Level int16

type Address struct {
	Street string   `json:"street"`
	Tags   []string `json:"tags"`
}

// Millis is stored through a Converter, as an integer count of milliseconds.
type Millis struct{ D time.Duration }

type Everything struct {
	orm.Model `orm:"table=everything"`
	ID        int64 `db:"id"`

	B    bool    `db:"b"`
	I8   int8    `db:"i8"`
	I16  int16   `db:"i16"`
	I32  int32   `db:"i32"`
	I64  int64   `db:"i64"`
	I    int     `db:"i"`
	U8   uint8   `db:"u8"`
	U16  uint16  `db:"u16"`
	U32  uint32  `db:"u32"`
	U64  uint64  `db:"u64"`
	F32  float32 `db:"f32"`
	F64  float64 `db:"f64"`
	S    string  `db:"s" orm:"size=200"`
	Text string  `db:"text" orm:"type=text"`
	Blob []byte  `db:"blob"`

	At    time.Time       `db:"at"`
	Price decimal.Decimal `db:"price" orm:"precision=30,scale=20"`
	UID   uuid.UUID       `db:"uid"`
	Mood  Mood            `db:"mood" orm:"size=10"`
	Level Level           `db:"level"`

	Addr  Address           `db:"addr" orm:"json"`
	Attrs map[string]any    `db:"attrs" orm:"json"`
	List  []int             `db:"list" orm:"json"`
	Dur   Millis            `db:"dur"`
	Opt   *string           `db:"opt"`
	OptT  *time.Time        `db:"opt_t"`
	OptD  *decimal.Decimal  `db:"opt_d" orm:"precision=10,scale=2"`
	NS    sql.NullString    `db:"ns"`
	NI    sql.NullInt64     `db:"ni"`
	NB    sql.NullBool      `db:"nb"`
	Extra map[string]string `db:"extra" orm:"json"`
}

func (Everything) Converters() map[string]orm.Converter {
	return map[string]orm.Converter{"dur": {
		Type: core.BigInt(),
		ToDB: func(v any) (any, error) { return v.(Millis).D.Milliseconds(), nil },
		FromDB: func(v any) (any, error) {
			switch n := v.(type) {
			case int64:
				return Millis{time.Duration(n) * time.Millisecond}, nil
			case string: // some drivers hand integers over as text
				i, err := strconv.ParseInt(n, 10, 64)
				return Millis{time.Duration(i) * time.Millisecond}, err
			}
			return nil, errors.New("not an integer")
		},
	}}
}

func TestORMTypesRoundTrip(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		objs := orm.Objects[Everything](db)
		tokyo := time.FixedZone("JST", 9*3600)
		text := "optional ✓"
		at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, tokyo)
		optD := decimal.RequireFromString("12.34")
		u64 := uint64(1)<<53 + 7
		if db.Dialect() == core.MySQL {
			u64 = math.MaxUint64 // only MySQL stores integers above 2^63-1
		}
		in := &Everything{
			B: true, I8: -128, I16: math.MinInt16, I32: math.MaxInt32, I64: 1<<53 + 1, I: -(1 << 60), U8: 255, U16: 65535,
			U32: math.MaxUint32, U64: u64, F32: 0.1, F64: math.Pi, S: "héllo, 世界 \x01 'quoted' \"double\"",
			Text: "long\ntext", Blob: []byte{0, 1, 2, 255},
			At: at, Price: decimal.RequireFromString("0.700000000000001"), UID: uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
			Mood: "happy", Level: 3, Addr: Address{Street: "1 Main", Tags: []string{"a", "b"}},
			Attrs: map[string]any{"n": 1.5, "ok": true}, List: []int{3, 1, 2}, Dur: Millis{1500 * time.Millisecond},
			Opt: &text, OptT: &at, OptD: &optD, NS: sql.NullString{String: "ns", Valid: true}, NI: sql.NullInt64{Int64: -5, Valid: true},
			NB: sql.NullBool{Bool: true, Valid: true},
		}
		if _, err := objs.Create(ctx, in); err != nil {
			t.Fatal(err)
		}
		nulls, err := objs.Create(ctx, &Everything{Price: decimal.Zero, At: at.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		// A scope of its own: the database's identity map would hand back
		// the very object just created.
		got, err := objs.Get(orm.WithScope(ctx), lookups.Q{"id": in.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := *in
		want.Model = got.Model
		want.At = at.UTC().Truncate(time.Microsecond)
		wantOptT := want.At
		want.OptT = &wantOptT
		if !got.Price.Equal(want.Price) || !got.OptD.Equal(*want.OptD) {
			t.Errorf("decimals: %v %v, want %v %v", got.Price, got.OptD, want.Price, want.OptD)
		}
		got.Price, got.OptD = want.Price, want.OptD // compared above, by value
		if !reflect.DeepEqual(*got, want) {
			gv, wv := reflect.ValueOf(*got), reflect.ValueOf(want)
			for i := range gv.NumField() {
				if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
					t.Errorf("%s = %#v, want %#v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
				}
			}
		}
		if got.At.Location() != time.UTC || !got.At.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("At = %v, want the same instant in UTC", got.At)
		}
		// NULLs come back as nil pointers and invalid sql.Null values.
		n, err := objs.Get(orm.WithScope(ctx), lookups.Q{"id": nulls.ID})
		if err != nil {
			t.Fatal(err)
		}
		if n.Opt != nil || n.OptT != nil || n.OptD != nil || n.NS.Valid || n.NI.Valid || n.NB.Valid {
			t.Errorf("nulls = %+v", n)
		}
		// Filtering by typed values works too.
		for _, q := range []lookups.Q{
			{"i64__gt": int64(1 << 53)}, {"mood": Mood("happy")}, {"uid": in.UID}, {"price": in.Price},
			{"at": at}, {"at__lt": at.Add(time.Second)}, {"b": true}, {"u32": uint32(math.MaxUint32)}, {"opt__isnull": false},
		} {
			if c, err := objs.Filter(q).Count(ctx); err != nil || c != 1 {
				t.Errorf("Filter(%v) = %d, %v; want 1", q, c, err)
			}
		}
		// A value that does not fit is an error naming the model and field.
		if db.Dialect() != core.MySQL {
			_, err := objs.Create(ctx, &Everything{U64: math.MaxUint64})
			var me *orm.ModelError
			if !errors.As(err, &me) || me.Model != "Everything" || me.Field != "u64" || !errors.Is(err, orm.ErrBadValue) {
				t.Errorf("uint64 overflow = %v", err)
			}
			if c, _ := objs.Count(ctx); c != 2 {
				t.Errorf("a failed Create wrote a row: %d", c)
			}
		}
	}, Everything{})
}

// Load and every other read put times in UTC, whatever the driver returns.
func TestORMTimesReadBackInUTC(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		objs := orm.Objects[Everything](db)
		at := time.Date(2024, 5, 1, 8, 0, 0, 0, time.FixedZone("X", -7*3600))
		e, err := objs.Create(ctx, &Everything{At: at})
		if err != nil {
			t.Fatal(err)
		}
		e.At = time.Time{}
		if err := objs.Load(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.At.Location() != time.UTC || !e.At.Equal(at) {
			t.Errorf("Load: %v", e.At)
		}
		got, _ := objs.ForceRestore().Get(ctx, lookups.Q{"pk": e.ID})
		if got.At.Location() != time.UTC || !got.At.Equal(at) {
			t.Errorf("Get: %v", got.At)
		}
	}, Everything{})
}
