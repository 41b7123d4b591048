package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

func TestORMCreateGetSave(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		albums := orm.Objects[Album](db)
		a, err := albums.Create(ctx, &Album{Name: "Malibu"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != 1 || a.Rating != 3 || !orm.IsLoaded(a) {
			t.Errorf("created %+v, loaded=%v; want id 1, the default rating 3", a, orm.IsLoaded(a))
		}
		b, err := albums.Create(ctx, &Album{Name: "Surf"})
		if err != nil || b.ID != 2 {
			t.Fatalf("second: %+v, %v", b, err)
		}
		got, err := albums.Get(ctx, lookups.Q{"name": "Malibu"})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != 1 || got.Name != "Malibu" || got.Year != nil || !orm.IsLoaded(got) {
			t.Errorf("Get = %+v", got)
		}
		if _, err := albums.Get(ctx, lookups.Q{"name": "nope"}); !errors.Is(err, orm.ErrDoesNotExist) {
			t.Errorf("Get(nope) = %v", err)
		}
		if _, err := albums.Get(ctx); !errors.Is(err, orm.ErrMultipleObjectsReturned) {
			t.Errorf("Get() of two = %v", err)
		}
		if _, err := albums.Get(ctx, lookups.Q{"pk": 2}); err != nil {
			t.Errorf("Get(pk) = %v", err)
		}
		// The primary-key fast path checks its key like any filter.
		if _, err := albums.Get(ctx, lookups.Q{"pk": "two"}); !errors.Is(err, lookups.ErrBadValue) {
			t.Errorf("Get(pk of the wrong type) = %v", err)
		}
		if _, err := albums.Get(ctx, lookups.Q{"id": 99}); !errors.Is(err, orm.ErrDoesNotExist) {
			t.Errorf("Get(id 99) = %v", err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := albums.Get(cancelled, lookups.Q{"pk": 1}); !errors.Is(err, context.Canceled) {
			t.Errorf("Get with a cancelled context = %v", err)
		}

		// Dirty tracking: nothing changed, nothing written; a change writes
		// only its column; a zero value that was set is written.
		log.reset()
		if err := albums.Save(ctx, got); err != nil {
			t.Fatal(err)
		}
		if sqls := log.take(); len(sqls) != 0 {
			t.Errorf("Save of an unchanged object sent %q", sqls)
		}
		year := 1971
		got.Year = &year
		if err := albums.Save(ctx, got); err != nil {
			t.Fatal(err)
		}
		sqls := log.take()
		if len(sqls) != 1 || !strings.Contains(sqls[0], "year") || strings.Contains(sqls[0], "name") {
			t.Errorf("Save of one change sent %q", sqls)
		}
		got.Rating = 0
		if err := albums.Save(ctx, got); err != nil {
			t.Fatal(err)
		}
		fresh, _ := albums.Get(ctx, lookups.Q{"id": 1})
		if fresh.Rating != 0 || fresh.Year == nil || *fresh.Year != 1971 {
			t.Errorf("after saves: %+v", fresh)
		}
		// Only the fields asked for.
		fresh.Name, fresh.Rating = "Malibu 2", 5
		if err := albums.Save(ctx, fresh, "rating"); err != nil {
			t.Fatal(err)
		}
		if err := albums.Load(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if fresh.Name != "Malibu" || fresh.Rating != 5 {
			t.Errorf("Save(rating) then Load: %+v", fresh)
		}
		// Load of some fields only.
		if _, err := db.Execute(ctx, "UPDATE albums SET name = 'Renamed', rating = 9 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if err := albums.Load(ctx, fresh, "name"); err != nil {
			t.Fatal(err)
		}
		if fresh.Name != "Renamed" || fresh.Rating != 5 {
			t.Errorf("Load(name): %+v", fresh)
		}
		if err := albums.Load(ctx, fresh, "nope"); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Load(nope) = %v", err)
		}

		// An object with a key but never loaded: update, or insert when
		// there is no such row (Django's save).
		manual := &Album{ID: 10, Name: "Manual"}
		if err := albums.Save(ctx, manual); err != nil {
			t.Fatal(err)
		}
		if n, _ := albums.Count(ctx); n != 3 {
			t.Errorf("count after saving a new keyed object = %d", n)
		}
		// Delete
		if err := albums.Delete(ctx, manual); err != nil {
			t.Fatal(err)
		}
		if manual.ID != 0 || orm.IsLoaded(manual) {
			t.Errorf("after Delete: %+v", manual)
		}
		if err := albums.Delete(ctx, manual); !errors.Is(err, orm.ErrNotSaved) {
			t.Errorf("Delete of unsaved = %v", err)
		}
		if err := albums.Load(ctx, &Album{ID: 99}); !errors.Is(err, orm.ErrDoesNotExist) {
			t.Errorf("Load(99) = %v", err)
		}
		if n, _ := albums.Count(ctx); n != 2 {
			t.Errorf("count after delete = %d", n)
		}
		// Unique violation is classified through the orm.
		if _, err := albums.Create(ctx, &Album{Name: "Surf"}); !errors.Is(err, core.ErrUniqueViolation) {
			t.Errorf("duplicate name = %v", err)
		}
	}, Album{})
}

func seedSongs(t *testing.T, ctx context.Context, db *core.Database) {
	t.Helper()
	songs := []*Song{
		{Title: "100% cotton", Position: 1, Genre: "pop"},
		{Title: "100%-Cotton", Position: 2, Genre: "pop"},
		{Title: "Half_way", Position: 3, Genre: "rock"},
		{Title: "Halfway", Position: 4, Genre: "rock"},
		{Title: "50% off", Position: 5, Genre: "jazz"},
		{Title: "Ünïcode", Position: 6, Genre: "jazz"},
	}
	if err := orm.Objects[Song](db).BulkCreate(ctx, songs); err != nil {
		t.Fatal(err)
	}
	for i, s := range songs {
		if s.ID != int64(i+1) {
			t.Fatalf("BulkCreate set key %d on song %d", s.ID, i)
		}
	}
}

func titles(songs []*Song) string {
	out := make([]string, len(songs))
	for i, s := range songs {
		out[i] = s.Title
	}
	return strings.Join(out, "|")
}

func TestORMQuerySets(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		seedSongs(t, ctx, db)
		songs := orm.Objects[Song](db)
		count := func(qs *orm.QuerySet[Song]) int64 {
			t.Helper()
			n, err := qs.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all, err := qs.All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(all)) != n {
				t.Errorf("Count %d but All has %d", n, len(all))
			}
			return n
		}
		for _, c := range []struct {
			name string
			qs   *orm.QuerySet[Song]
			want int64
		}{
			{"contains %", songs.Filter(lookups.Q{"title__contains": "%"}), 3},
			{"iexact 100%-cotton", songs.Filter(lookups.Q{"title__iexact": "100%-cotton"}), 1},
			{"startswith Half_", songs.Filter(lookups.Q{"title__startswith": "Half_"}), 1},
			{"icontains ÜNÏ", songs.Filter(lookups.Q{"title__icontains": "ÜNÏ"}), 1},
			{"exclude pop", songs.Exclude(lookups.Q{"genre": "pop"}), 4},
			{"exclude pop and position 1", songs.Exclude(lookups.Q{"genre": "pop", "position": 1}), 5},
			{"or", songs.Filter(lookups.Or(lookups.Q{"position__lt": 2}, lookups.Q{"position__gt": 5})), 2},
			{"in empty", songs.Filter(lookups.Q{"position__in": []int{}}), 0},
			{"in", songs.Filter(lookups.Q{"position__in": []int{1, 3, 99}}), 2},
			{"range", songs.Filter(lookups.Q{"position__range": []int{2, 4}}), 3},
			{"chained filters", songs.Filter(lookups.Q{"genre": "rock"}).Filter(lookups.Q{"position__gte": 4}), 1},
			{"limit offset", songs.OrderBy("position").Limit(2).Offset(3), 2},
			{"offset only", songs.OrderBy("position").Offset(4), 2},
			{"distinct", songs.Distinct(), 6},
		} {
			if got := count(c.qs); got != c.want {
				t.Errorf("%s: %d rows, want %d", c.name, got, c.want)
			}
		}
		all, err := songs.OrderBy("genre", "-position").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(all); got != "Ünïcode|50% off|100%-Cotton|100% cotton|Halfway|Half_way" {
			t.Errorf("OrderBy(genre, -position) = %s", got)
		}
		page, _ := songs.OrderBy("position").Limit(2).Offset(1).All(ctx)
		if titles(page) != "100%-Cotton|Half_way" {
			t.Errorf("page = %s", titles(page))
		}
		first, err := songs.First(ctx)
		if err != nil || first.Position != 1 {
			t.Errorf("First = %+v, %v", first, err)
		}
		last, err := songs.Last(ctx)
		if err != nil || last.Position != 6 {
			t.Errorf("Last (unordered: by pk descending) = %+v, %v", last, err)
		}
		last, _ = songs.OrderBy("-genre").Last(ctx)
		if last.Genre != "jazz" {
			t.Errorf("Last of OrderBy(-genre) = %+v", last)
		}
		if _, err := songs.Filter(lookups.Q{"genre": "metal"}).First(ctx); !errors.Is(err, orm.ErrDoesNotExist) {
			t.Errorf("First of nothing = %v", err)
		}
		if ok, _ := songs.Filter(lookups.Q{"genre": "jazz"}).Exists(ctx); !ok {
			t.Error("Exists(jazz) = false")
		}
		if ok, _ := songs.Filter(lookups.Q{"genre": "metal"}).Exists(ctx); ok {
			t.Error("Exists(metal) = true")
		}
		// Iterate streams in order and stops early.
		var seen []int
		for s, err := range songs.OrderBy("-position").Iterate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, s.Position)
			if len(seen) == 3 {
				break
			}
		}
		if fmt.Sprint(seen) != "[6 5 4]" {
			t.Errorf("Iterate = %v", seen)
		}
		// Query sets are immutable.
		base := songs.Filter(lookups.Q{"genre": "pop"})
		_ = base.Filter(lookups.Q{"position": 2})
		if n := count(base); n != 2 {
			t.Errorf("base changed by a derived query set: %d", n)
		}
		// Update and Delete report the rows they touched.
		n, err := songs.Filter(lookups.Q{"genre": "rock"}).Update(ctx, map[string]any{"genre": "metal"})
		if err != nil || n != 2 {
			t.Errorf("Update = %d, %v", n, err)
		}
		n, err = songs.Filter(lookups.Q{"genre": "metal"}).Update(ctx, map[string]any{"genre": "metal"})
		if err != nil || n != 2 {
			t.Errorf("Update changing nothing = %d, %v; want the 2 rows matched", n, err)
		}
		n, err = songs.Filter(lookups.Q{"genre": "metal"}).Delete(ctx)
		if err != nil || n != 2 {
			t.Errorf("Delete = %d, %v", n, err)
		}
		if c := count(songs.Filter()); c != 4 {
			t.Errorf("after delete: %d", c)
		}
	}, Song{})
}

func TestORMValuesAndAggregates(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		seedSongs(t, ctx, db)
		songs := orm.Objects[Song](db)
		vals, err := songs.Filter(lookups.Q{"genre": "rock"}).OrderBy("position").Values(ctx, "title", "position")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(vals) != "[map[position:3 title:Half_way] map[position:4 title:Halfway]]" {
			t.Errorf("Values = %v", vals)
		}
		if _, ok := vals[0]["position"].(int); !ok {
			t.Errorf("Values keep the field's type: %T", vals[0]["position"])
		}
		list, err := songs.OrderBy("-position").Limit(2).ValuesList(ctx, "position", "genre")
		if err != nil || fmt.Sprint(list) != "[[6 jazz] [5 jazz]]" {
			t.Errorf("ValuesList = %v, %v", list, err)
		}
		flat, err := songs.OrderBy("position").ValuesListFlat(ctx, "genre")
		if err != nil || fmt.Sprint(flat) != "[pop pop rock rock jazz jazz]" {
			t.Errorf("ValuesListFlat = %v, %v", flat, err)
		}
		if _, err := songs.ValuesListFlat(ctx, "genre", "title"); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("ValuesListFlat of two fields = %v", err)
		}
		if _, err := songs.Values(ctx, "nope"); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Values(nope) = %v", err)
		}
		agg, err := songs.Aggregate(ctx, orm.Count("*"), orm.Sum("position"), orm.Avg("position"), orm.Min("title"), orm.Max("position").As("top"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"*__count": int64(6), "position__sum": int64(21), "position__avg": 3.5, "title__min": "100% cotton", "top": 6}
		for k, v := range want {
			if agg[k] != v {
				t.Errorf("%s = %#v (%T), want %#v", k, agg[k], agg[k], v)
			}
		}
		agg, err = songs.Filter(lookups.Q{"genre": "none"}).Aggregate(ctx, orm.Count("pk"), orm.Sum("position"))
		if err != nil || agg["pk__count"] != int64(0) || agg["position__sum"] != nil {
			t.Errorf("Aggregate over nothing = %v, %v", agg, err)
		}
		agg, err = songs.OrderBy("position").Limit(2).Aggregate(ctx, orm.Sum("position"))
		if err != nil || agg["position__sum"] != int64(3) {
			t.Errorf("Aggregate over a limited set = %v, %v", agg, err)
		}
	}, Song{})
}

// A copy of a loaded object is an object of its own for dirty tracking.
func TestORMCopiedObjectKeepsItsOwnSnapshot(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		albums := orm.Objects[Album](db)
		a, err := albums.Create(ctx, &Album{Name: "One"})
		if err != nil {
			t.Fatal(err)
		}
		b := *a
		b.ID, b.Name = 0, "Two"
		if _, err := albums.Create(ctx, &b); err != nil {
			t.Fatal(err)
		}
		a.Rating = 7
		log.reset()
		if err := albums.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		sqls := log.take()
		if len(sqls) != 1 || !strings.Contains(sqls[0], "rating") || strings.Contains(sqls[0], "name") {
			t.Errorf("saving the original after creating a copy sent %q", sqls)
		}
	}, Album{})
}
