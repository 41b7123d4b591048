package tests

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/google/uuid"
)

type Tag struct {
	ID    int64  `db:"id"`
	Name  string `db:"name" orm:"size=50,unique"`
	Count int    `db:"count"`
	Color string `db:"color" orm:"size=20,default=blue"`
}

func TestORMGetOrCreateAndUpdateOrCreate(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		tags := orm.Objects[Tag](db)
		tag, created, err := tags.GetOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": 5})
		if err != nil || !created || tag.ID == 0 || tag.Count != 5 || tag.Color != "blue" {
			t.Fatalf("first GetOrCreate = %+v, %v, %v", tag, created, err)
		}
		again, created, err := tags.GetOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": 9})
		if err != nil || created || again.ID != tag.ID || again.Count != 5 {
			t.Errorf("second GetOrCreate = %+v, %v, %v", again, created, err)
		}
		// Defaults win in UpdateOrCreate.
		upd, created, err := tags.UpdateOrCreate(ctx, lookups.Q{"name": "go"}, map[string]any{"count": 7})
		if err != nil || created || upd.ID != tag.ID || upd.Count != 7 {
			t.Errorf("UpdateOrCreate (existing) = %+v, %v, %v", upd, created, err)
		}
		fresh, _ := tags.Get(ctx, lookups.Q{"name": "go"})
		if fresh.Count != 7 {
			t.Errorf("count in the database = %d", fresh.Count)
		}
		neu, created, err := tags.UpdateOrCreate(ctx, lookups.Q{"name": "rust"}, map[string]any{"count": 1, "color": "red"})
		if err != nil || !created || neu.Color != "red" || neu.Count != 1 {
			t.Errorf("UpdateOrCreate (new) = %+v, %v, %v", neu, created, err)
		}
		if _, _, err := tags.GetOrCreate(ctx, lookups.Q{"name": "x"}, map[string]any{"nope": 1}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("unknown default = %v", err)
		}
		if _, _, err := tags.GetOrCreate(ctx, lookups.Q{"name": "x"}, map[string]any{"count": "many"}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("default of the wrong type = %v", err)
		}

		// 50 goroutines racing for the same new key: one row, one creator.
		var wg sync.WaitGroup
		var mu sync.Mutex
		creators, ids := 0, map[int64]bool{}
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, created, err := tags.GetOrCreate(ctx, lookups.Q{"name": "contended"}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				ids[got.ID] = true
				if created {
					creators++
				}
			}()
		}
		wg.Wait()
		if n, _ := tags.Filter(lookups.Q{"name": "contended"}).Count(ctx); n != 1 || creators != 1 || len(ids) != 1 {
			t.Errorf("after the race: %d rows, %d creators, %d distinct ids", n, creators, len(ids))
		}
	}, Tag{})
}

func TestORMBulkCreateIsAllOrNothing(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		tags := orm.Objects[Tag](db)
		many := make([]*Tag, 2500)
		for i := range many {
			many[i] = &Tag{Name: "t" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()}
		}
		log.reset()
		if err := tags.BulkCreate(ctx, many); err != nil {
			t.Fatal(err)
		}
		inserts := 0
		for _, s := range log.take() {
			if strings.HasPrefix(s, "INSERT") {
				inserts++
			}
		}
		if inserts > 3 {
			t.Errorf("BulkCreate of 2500 rows sent %d INSERTs", inserts)
		}
		for i, tag := range many {
			if tag.ID != int64(i+1) || tag.Color != "blue" {
				t.Fatalf("tag %d: %+v", i, tag)
			}
		}
		bad := []*Tag{{Name: "fresh1"}, {Name: many[0].Name}, {Name: "fresh2"}}
		if err := tags.BulkCreate(ctx, bad); !errors.Is(err, core.ErrUniqueViolation) {
			t.Errorf("duplicate in bulk = %v", err)
		}
		if n, _ := tags.Count(ctx); n != 2500 {
			t.Errorf("after a failed BulkCreate: %d rows, want 2500", n)
		}
		if err := tags.BulkCreate(ctx, []*Tag{nil}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("nil object = %v", err)
		}
	}, Tag{})
}

func TestORMLookupErrorsNameModelAndKey(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		songs := orm.Objects[Song](db)
		for _, c := range []struct {
			cond lookups.Q
			want error
		}{
			{lookups.Q{"nope": 1}, lookups.ErrUnknownField},
			{lookups.Q{"title__nope": 1}, lookups.ErrUnknownLookup},
			{lookups.Q{"position__": 1}, lookups.ErrEmptyLookup},
			{lookups.Q{"title__isnull": "yes"}, lookups.ErrBadValue},
			{lookups.Q{"position": "three"}, lookups.ErrBadValue},
			{lookups.Q{"position__in": 3}, lookups.ErrBadValue},
		} {
			for key := range c.cond {
				_, err := songs.Filter(c.cond).All(ctx)
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), "Song") || !strings.Contains(err.Error(), key) {
					t.Errorf("%v: err = %v, want %v naming Song and %q", c.cond, err, c.want, key)
				}
			}
		}
		if len(log.take()) != 0 {
			t.Error("a bad filter reached the database")
		}
		if _, err := songs.OrderBy("nope").All(ctx); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("OrderBy(nope) = %v", err)
		}
		if _, err := songs.Filter(lookups.Q{"genre": "x"}).Update(ctx, map[string]any{"position": "high"}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Update with a wrong type = %v", err)
		}
		if _, err := songs.Limit(-1).All(ctx); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Limit(-1) = %v", err)
		}
	}, Song{})
}

// Models that cannot be are errors naming the struct and field, never panics.
type twoPKs struct {
	A int64 `orm:"pk"`
	B int64 `orm:"pk"`
}
type badOption struct {
	ID int64
	X  string `orm:"sizee=4"`
}
type badType struct {
	ID int64
	C  chan int
}
type noPK struct{ Name string }
type unstoredStruct struct {
	ID   int64
	Addr Address
}
type badTable struct {
	orm.Model `orm:"tabel=x"`
	ID        int64
}

func TestORMInvalidModels(t *testing.T) {
	db, err := core.Open(context.Background(), "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		err          error
		model, field string
	}{
		{orm.Register(twoPKs{}), "twoPKs", "B"},
		{orm.Register(badOption{}), "badOption", "X"},
		{orm.Register(badType{}), "badType", "C"},
		{orm.Register(noPK{}), "noPK", ""},
		{orm.Register(unstoredStruct{}), "unstoredStruct", "Addr"},
		{orm.Register(&badTable{}), "badTable", "Model"},
		{orm.Register(42), "int", ""},
	} {
		var me *orm.ModelError
		if !errors.As(c.err, &me) || me.Model != c.model || me.Field != c.field || !errors.Is(c.err, orm.ErrInvalidModel) {
			t.Errorf("%s.%s: err = %v", c.model, c.field, c.err)
		}
	}
	// The error comes back from every call of a manager of a bad model.
	if _, err := orm.Objects[badType](db).All(context.Background()); !errors.Is(err, orm.ErrInvalidModel) {
		t.Errorf("All on a bad model = %v", err)
	}
	if _, err := orm.Objects[Tag](nil).All(context.Background()); !errors.Is(err, orm.ErrBadValue) {
		t.Errorf("Objects(nil) = %v", err)
	}
}

// Inheritance through embedded structs, reserved words, timestamps and
// non-integer keys.
type Timestamps struct {
	Created time.Time `db:"created" orm:"auto_now_add"`
	Updated time.Time `db:"updated" orm:"auto_now"`
}

type Order struct {
	orm.Model `orm:"table=order"`
	Timestamps
	Key   string `db:"key" orm:"pk,size=36"`
	From  string `db:"from" orm:"size=20,index"`
	Group int    `db:"group"`
}

type Device struct {
	ID   uuid.UUID `db:"id" orm:"pk"`
	Name string    `db:"select" orm:"size=20"`
}

func TestORMKeysReservedWordsAndTimestamps(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		orders := orm.Objects[Order](db)
		o, err := orders.Create(ctx, &Order{Key: "A-1", From: "web", Group: 2})
		if err != nil {
			t.Fatal(err)
		}
		if o.Created.IsZero() || !o.Created.Equal(o.Updated) {
			t.Errorf("timestamps after create: %v %v", o.Created, o.Updated)
		}
		time.Sleep(2 * time.Millisecond)
		o.Group = 3
		if err := orders.Save(ctx, o); err != nil {
			t.Fatal(err)
		}
		got, err := orders.Get(ctx, lookups.Q{"from": "web", "group__gte": 3})
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != "A-1" || !got.Created.Equal(o.Created) || !got.Updated.After(got.Created) {
			t.Errorf("got %+v", got)
		}
		if vals, err := orders.OrderBy("-from", "key").ValuesListFlat(ctx, "key"); err != nil || len(vals) != 1 || vals[0] != "A-1" {
			t.Errorf("ValuesListFlat(key) = %v, %v", vals, err)
		}
		if n, err := orders.Filter(lookups.Q{"pk": "A-1"}).Update(ctx, map[string]any{"from": "app"}); err != nil || n != 1 {
			t.Errorf("Update on reserved words = %d, %v", n, err)
		}
		if err := orders.Delete(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got.Key != "A-1" {
			t.Error("Delete cleared a key that was not generated")
		}

		devices := orm.Objects[Device](db)
		id := uuid.New()
		if _, err := devices.Create(ctx, &Device{ID: id, Name: "phone"}); err != nil {
			t.Fatal(err)
		}
		d, err := devices.Get(ctx, lookups.Q{"pk": id})
		if err != nil || d.ID != id || d.Name != "phone" {
			t.Errorf("Get by uuid = %+v, %v", d, err)
		}
		if _, err := devices.Create(ctx, &Device{Name: "no key"}); err == nil {
			t.Error("Create without a (non-generated) key succeeded")
		}
	}, Order{}, Device{})
}

type Remote struct {
	orm.Model `orm:"table=remote,db=other"`
	ID        int64  `db:"id"`
	Note      string `db:"note" orm:"size=20"`
}

func TestORMRoutesModelsToNamedDatabases(t *testing.T) {
	ctx := context.Background()
	def := harness.Open(t, harness.SQLite)
	other := harness.Open(t, harness.SQLite)
	dbs, err := core.NewDatabases(map[string]*core.Database{"default": def, "other": other})
	if err != nil {
		t.Fatal(err)
	}
	if err := orm.Objects[Remote](dbs).CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := orm.Objects[Remote](dbs).Create(ctx, &Remote{Note: "there"}); err != nil {
		t.Fatal(err)
	}
	if n, err := orm.Objects[Remote](other).Count(ctx); err == nil || n != 0 {
		// A single Database answers only to "default".
		t.Errorf("Objects[Remote](single db) = %d, %v; want an unknown-database error", n, err)
	}
	if _, err := other.FetchOne(ctx, "SELECT note FROM remote"); err != nil {
		t.Errorf("the row is not in the other database: %v", err)
	}
	if _, err := def.FetchOne(ctx, "SELECT note FROM remote"); err == nil {
		t.Error("the table exists in the default database")
	}
}
