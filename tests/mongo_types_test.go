package tests

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type mgStatus string

const (
	mgDraft     mgStatus = "draft"
	mgPublished mgStatus = "published"
)

type mgLevel int

// mgCents is money in cents, stored through a converter as an exact
// decimal string ("12.34").
type mgCents int64

func (c mgCents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

func parseCents(s string) (mgCents, error) {
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseInt((frac + "00")[:2], 10, 64)
	if err != nil {
		return 0, err
	}
	c := mgCents(w*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// mgVersion has exported fields but is stored as its text through the
// mongo:"text" tag.
type mgVersion struct{ Major, Minor int }

func (v mgVersion) MarshalText() ([]byte, error) {
	return []byte(fmt.Sprintf("%d.%d", v.Major, v.Minor)), nil
}

func (v *mgVersion) UnmarshalText(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d.%d", &v.Major, &v.Minor)
	return err
}

type mgAddress struct {
	Street string   `bson:"street"`
	City   string   `bson:"city" mongo:"index"`
	Zip    *string  `bson:"zip"`
	Owner  *mgUser  `bson:"owner"`
	Lines  []string `bson:"lines,omitempty"`
}

type mgKitchenSink struct {
	mongo.Model `mongo:"collection=sinks"`
	ID          string               `bson:"_id"`
	When        time.Time            `bson:"when"`
	WhenPtr     *time.Time           `bson:"when_ptr"`
	NoWhen      *time.Time           `bson:"no_when"`
	Price       mgCents              `bson:"price"`
	Total       *big.Float           `bson:"total"`
	Ratio       big.Rat              `bson:"ratio"`
	Big         *big.Int             `bson:"big"`
	Addr        netip.Addr           `bson:"addr"`
	Version     mgVersion            `bson:"version" mongo:"text"`
	Decimal     string               `bson:"decimal"`
	Blob        []byte               `bson:"blob"`
	NilBlob     []byte               `bson:"nil_blob"`
	Meta        map[string]string    `bson:"meta"`
	Scores      map[string]int       `bson:"scores"`
	NilMap      map[string]int       `bson:"nil_map"`
	Home        mgAddress            `bson:"home"`
	Work        *mgAddress           `bson:"work"`
	NoAddress   *mgAddress           `bson:"no_address"`
	Addresses   []mgAddress          `bson:"addresses"`
	Status      mgStatus             `bson:"status"`
	Statuses    []mgStatus           `bson:"statuses"`
	Level       mgLevel              `bson:"level"`
	Nothing     *string              `bson:"nothing"`
	Extra       any                  `bson:"extra"`
	AnyModel    any                  `bson:"any_model"`
	Owners      map[string]*mgUser   `bson:"owners"`
	Float       float64              `bson:"float"`
	Flag        bool                 `bson:"flag"`
	Int64       int64                `bson:"int64"`
	Uint32      uint32               `bson:"uint32"`
	Nested      map[string][]*mgUser `bson:"nested"`
	Skipped     string               `bson:"-"`
	NotStored   string               `mongo:"-"`
}

func (mgKitchenSink) Converters() map[string]mongo.Converter {
	return map[string]mongo.Converter{
		"Price": mongo.Convert(func(c mgCents) (string, error) { return c.String(), nil }, parseCents),
	}
}

func TestMongoTypesRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	sinks := mongo.Objects[mgKitchenSink](db)
	owner := &mgUser{Name: "owner"}
	must(t, users.Save(ctx, owner))

	when := time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.FixedZone("X", 3600))
	whenPtr := time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC)
	zip := "75001"
	// big.Float reads its text back at 64 bits of precision (its
	// UnmarshalText): exact for this value, not for every one.
	total, _, err := big.ParseFloat("12345.375", 10, 64, big.ToNearestEven)
	must(t, err)
	bigInt, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	in := &mgKitchenSink{
		ID:        "sink-1",
		When:      when,
		WhenPtr:   &whenPtr,
		Price:     1234,
		Total:     total,
		Ratio:     *big.NewRat(1, 3),
		Big:       bigInt,
		Addr:      netip.MustParseAddr("2001:db8::1"),
		Version:   mgVersion{1, 26},
		Decimal:   "0.10000000000000000000000000001",
		Blob:      []byte{0, 1, 2, 255},
		Meta:      map[string]string{"color": "red", "size": "L"},
		Scores:    map[string]int{"x": 1},
		Home:      mgAddress{Street: "1 rue", City: "Paris", Zip: &zip, Owner: owner},
		Work:      &mgAddress{City: "Lyon", Owner: &mgUser{Name: "unsaved owner"}},
		Addresses: []mgAddress{{City: "A"}, {City: "B", Lines: []string{"l1"}}},
		Status:    mgPublished,
		Statuses:  []mgStatus{mgDraft, mgPublished},
		Level:     3,
		Extra:     bson.D{{Key: "k", Value: "v"}, {Key: "n", Value: int32(2)}},
		AnyModel:  owner,
		Owners:    map[string]*mgUser{"main": owner, "other": {Name: "embedded"}},
		Float:     1.5,
		Flag:      true,
		Int64:     1 << 60,
		Uint32:    4000000000,
		Nested:    map[string][]*mgUser{"team": {owner, owner}},
		Skipped:   "skipped",
		NotStored: "not stored",
	}
	must(t, sinks.Save(ctx, in))

	// What is stored.
	var raw bson.M
	must(t, db.Collection("sinks").FindOne(ctx, bson.D{{Key: "_id", Value: "sink-1"}}).Decode(&raw))
	for key, want := range map[string]any{
		"price":   "12.34",
		"total":   "12345.375",
		"ratio":   "1/3",
		"big":     "123456789012345678901234567890",
		"addr":    "2001:db8::1",
		"version": "1.26",
		"decimal": "0.10000000000000000000000000001",
		"status":  "published",
	} {
		if raw[key] != want {
			t.Errorf("stored %s = %#v, want %#v", key, raw[key], want)
		}
	}
	if _, ok := raw["when"].(bson.DateTime); !ok {
		t.Errorf("when is stored as %T, want a BSON date", raw["when"])
	}
	for _, key := range []string{"skipped", "notstored", "model"} {
		if _, ok := raw[key]; ok {
			t.Errorf("%s was stored", key)
		}
	}
	if raw["nothing"] != nil || raw["no_when"] != nil || raw["nil_map"] != nil {
		t.Errorf("nil values stored as %#v %#v %#v", raw["nothing"], raw["no_when"], raw["nil_map"])
	}

	// Queries with converted values.
	for _, cond := range []lookups.Q{
		{"price": mgCents(1234)},
		{"status": mgPublished},
		{"statuses": mgDraft},
		{"level__gte": mgLevel(3)},
		{"home__city": "Paris"},
		{"home__owner": owner},
		{"addresses__city": "B"},
		{"meta__color": "red"},
		{"version": mgVersion{1, 26}},
		{"when__gt": when.Add(-time.Second)},
		{"owners__main___id": owner.ID},
		{"extra__k": "v"},
	} {
		if n, err := sinks.Count(ctx, cond); err != nil || n != 1 {
			t.Errorf("Count(%v) = %d, %v; want 1", cond, n, err)
		}
	}

	ctx = mongo.WithScope(context.Background()) // a new unit of work
	out, err := sinks.Get(ctx, lookups.Q{"pk": "sink-1"})
	must(t, err)
	if out == in {
		t.Fatal("restored the cached object after Clear")
	}

	// time.Time: BSON dates hold milliseconds in UTC.
	if !out.When.Equal(when.Truncate(time.Millisecond)) || out.When.Location() != time.UTC {
		t.Errorf("When = %v, want %v in UTC", out.When, when.Truncate(time.Millisecond))
	}
	if out.WhenPtr == nil || !out.WhenPtr.Equal(whenPtr) || out.NoWhen != nil {
		t.Errorf("WhenPtr = %v, NoWhen = %v", out.WhenPtr, out.NoWhen)
	}
	if out.Price != 1234 || out.Total.Cmp(total) != 0 || out.Ratio.Cmp(big.NewRat(1, 3)) != 0 || out.Big.Cmp(bigInt) != 0 {
		t.Errorf("decimals: %v %v %v %v", out.Price, out.Total, &out.Ratio, out.Big)
	}
	if out.Addr != in.Addr || out.Version != in.Version || out.Decimal != in.Decimal {
		t.Errorf("text values: %v %v %v", out.Addr, out.Version, out.Decimal)
	}
	if !reflect.DeepEqual(out.Blob, in.Blob) || out.NilBlob != nil {
		t.Errorf("blobs: %v %v", out.Blob, out.NilBlob)
	}
	if !reflect.DeepEqual(out.Meta, in.Meta) || !reflect.DeepEqual(out.Scores, in.Scores) || out.NilMap != nil {
		t.Errorf("maps: %v %v %v", out.Meta, out.Scores, out.NilMap)
	}
	if out.Home.City != "Paris" || out.Home.Zip == nil || *out.Home.Zip != zip || out.Home.Owner == nil || out.Home.Owner.ID != owner.ID {
		t.Errorf("Home = %+v", out.Home)
	}
	if out.Work == nil || out.Work.City != "Lyon" || out.Work.Zip != nil || out.Work.Owner == nil || out.Work.Owner.Name != "unsaved owner" || out.NoAddress != nil {
		t.Errorf("Work = %+v, NoAddress = %v", out.Work, out.NoAddress)
	}
	if len(out.Addresses) != 2 || out.Addresses[1].Lines[0] != "l1" || out.Addresses[0].Lines != nil {
		t.Errorf("Addresses = %+v", out.Addresses)
	}
	if out.Status != mgPublished || !reflect.DeepEqual(out.Statuses, in.Statuses) || out.Level != 3 {
		t.Errorf("enums: %v %v %v", out.Status, out.Statuses, out.Level)
	}
	if out.Nothing != nil || out.Skipped != "" || out.NotStored != "" {
		t.Errorf("Nothing %v, Skipped %q, NotStored %q", out.Nothing, out.Skipped, out.NotStored)
	}
	if !reflect.DeepEqual(out.Extra, in.Extra) {
		t.Errorf("Extra = %#v", out.Extra)
	}
	o := out.Home.Owner
	if out.AnyModel != o || out.Owners["main"] != o || out.Nested["team"][0] != o || out.Nested["team"][1] != o || !o.IsLoaded() || o.Name != "owner" {
		t.Errorf("references to the owner are not one loaded object: %v %v %v", out.AnyModel, out.Owners["main"], out.Nested["team"])
	}
	if u, err := users.Get(ctx, lookups.Q{"pk": owner.ID}); err != nil || u != o {
		t.Errorf("the owner is not the cached user: %v", err)
	}
	if e := out.Owners["other"]; e == nil || e.Name != "embedded" || !e.ID.IsZero() {
		t.Errorf("embedded map value = %+v", e)
	}
	if out.Float != 1.5 || !out.Flag || out.Int64 != 1<<60 || out.Uint32 != 4000000000 {
		t.Errorf("scalars: %v %v %v %v", out.Float, out.Flag, out.Int64, out.Uint32)
	}

	// The zero object round-trips to the zero object (but its _id).
	zero := &mgKitchenSink{ID: "zero"}
	must(t, sinks.Save(ctx, zero))
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	z, err := sinks.Get(ctx, lookups.Q{"pk": "zero"})
	must(t, err)
	z.Model = mongo.Model{}
	want := mgKitchenSink{ID: "zero", Total: nil, Big: nil}
	if z.Total != nil || z.Big != nil || z.Meta != nil || z.Blob != nil || z.Extra != nil || z.Work != nil || !z.When.Equal(time.Time{}) {
		t.Errorf("zero round trip: %+v, want %+v", z, want)
	}
}

// A loaded object that was not changed is not written, whatever its field
// types (maps, whose keys the driver writes in random order, references,
// objects stored whole, converters, text types, times); one changed field
// is written alone.
func TestMongoUnchangedIsNotWritten(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	counter := &cmdCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)
	sinks := mongo.Objects[mgKitchenSink](db)
	owner := &mgUser{Name: "owner"}
	must(t, users.Save(bg, owner))
	meta := map[string]string{}
	for i := range 40 {
		meta[fmt.Sprint("k", i)] = fmt.Sprint(i)
	}
	when := time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC)
	in := &mgKitchenSink{
		ID: "sink", When: when, WhenPtr: &when, Price: 1234, Total: big.NewFloat(1.5), Ratio: *big.NewRat(1, 3),
		Big: big.NewInt(7), Addr: netip.MustParseAddr("10.0.0.1"), Version: mgVersion{1, 2}, Blob: []byte{1},
		Meta: meta, Scores: map[string]int{"a": 1, "b": 2, "c": 3}, Home: mgAddress{City: "Paris", Owner: owner},
		Work: &mgAddress{Owner: &mgUser{Name: "unsaved"}}, Extra: bson.M{"x": int32(1), "y": "z", "w": true},
		AnyModel: owner, Owners: map[string]*mgUser{"a": owner, "b": {Name: "embedded"}, "c": owner},
		Nested: map[string][]*mgUser{"t": {owner, owner}, "u": {owner}},
	}
	must(t, sinks.Save(bg, in))
	for range 3 {
		got, err := sinks.Get(bg, lookups.Q{"pk": "sink"})
		must(t, err)
		before := counter.count("update")
		must(t, sinks.Save(bg, got))
		if n := counter.count("update") - before; n != 0 {
			t.Fatalf("saving an unchanged object sent %d updates: %s", n, counter.lastCmd("update"))
		}
		// The object just saved (not read) is clean too.
		must(t, sinks.Save(bg, in))
		if n := counter.count("update") - before; n != 0 {
			t.Fatalf("saving a saved object again sent %d updates: %s", n, counter.lastCmd("update"))
		}
		got.Scores["b"] = 20
		must(t, sinks.Save(bg, got))
		if s := counter.lastCmd("update").String(); counter.count("update")-before != 1 || !strings.Contains(s, `"$set": {"scores"`) || strings.Contains(s, "meta") {
			t.Errorf("changing one map value sent %s, want a $set of scores alone", s)
		}
		got.Scores["b"] = 2
		must(t, sinks.Save(bg, got))
	}
}
