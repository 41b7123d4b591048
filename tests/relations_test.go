package tests

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/doug-martin/goqu/v9"
)

// library is the fixture of the relation tests:
//
//	artists: Ann (label Sun), Bob (rival Ann), Cid (no label)
//	records: Surf (Ann, produced by Bob), Waves (Ann), Noise (Bob)
//	cuts:    Surf: intro, surf song, outro; Waves: wave; Noise: none
//	genres:  rock <- Surf, Noise; pop <- Surf
type library struct {
	ann, bob, cid      *Artist
	sun                *RecordCo
	surf, waves, noise *Record
	rock, pop          *Genre
	intro, song, outro *Cut
	wave               *Cut
}

func seedLibrary(t *testing.T, ctx context.Context, db *core.Database) *library {
	t.Helper()
	l := &library{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	artists, labels, records := orm.Objects[Artist](db), orm.Objects[RecordCo](db), orm.Objects[Record](db)
	cuts, genres := orm.Objects[Cut](db), orm.Objects[Genre](db)
	var err error
	l.ann, err = artists.Create(ctx, &Artist{Name: "Ann"})
	must(err)
	l.sun, err = labels.Create(ctx, &RecordCo{Name: "Sun", Owner: l.ann})
	must(err)
	l.ann.Label = l.sun
	must(artists.Save(ctx, l.ann))
	l.bob, err = artists.Create(ctx, &Artist{Name: "Bob", Rival: l.ann})
	must(err)
	l.cid, err = artists.Create(ctx, &Artist{Name: "Cid"})
	must(err)
	l.rock, err = genres.Create(ctx, &Genre{Name: "rock"})
	must(err)
	l.pop, err = genres.Create(ctx, &Genre{Name: "pop"})
	must(err)
	l.surf, err = records.Create(ctx, &Record{Name: "Surf", Artist: l.ann, Producer: l.bob, Genres: []*Genre{l.rock, l.pop}})
	must(err)
	l.waves, err = records.Create(ctx, &Record{Name: "Waves", Artist: l.ann})
	must(err)
	l.noise, err = records.Create(ctx, &Record{Name: "Noise", Artist: l.bob, Genres: []*Genre{l.rock}})
	must(err)
	for _, c := range []**Cut{&l.intro, &l.song, &l.outro} {
		*c = &Cut{Record: l.surf}
	}
	l.intro.Title, l.intro.Position = "intro", 1
	l.song.Title, l.song.Position = "surf song", 2
	l.outro.Title, l.outro.Position = "outro", 3
	l.wave = &Cut{Title: "wave", Position: 1, Record: l.waves}
	must(cuts.BulkCreate(ctx, []*Cut{l.intro, l.song, l.outro, l.wave}))
	return l
}

func eachRel(t *testing.T, fn func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog)) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		l := seedLibrary(t, ctx, db)
		log.reset()
		// A scope of its own: the objects above must not stand in for rows read.
		fn(t, orm.WithScope(ctx), db, l, log)
	}, relModels...)
}

func TestRelationStubsAndLoad(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		rec, err := orm.Objects[Record](db).Get(ctx, lookups.Q{"name": "Surf"})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Artist == nil || rec.Artist.ID != l.ann.ID || orm.IsLoaded(rec.Artist) || rec.Artist.Name != "" {
			t.Fatalf("Artist = %+v, want an unloaded stub with only the key", rec.Artist)
		}
		if rec.Tracks != nil || rec.Genres != nil {
			t.Error("lists are filled without being asked for")
		}
		waves, _ := orm.Objects[Record](db).Get(ctx, lookups.Q{"name": "Waves"})
		if waves.Artist != rec.Artist {
			t.Error("two stubs of one artist are different objects")
		}
		if waves.Producer != nil {
			t.Errorf("a NULL foreign key gave %+v", waves.Producer)
		}
		if err := orm.Objects[Artist](db).Load(ctx, rec.Artist); err != nil {
			t.Fatal(err)
		}
		if rec.Artist.Name != "Ann" || !orm.IsLoaded(rec.Artist) || rec.Artist.Label == nil || rec.Artist.Label.ID != l.sun.ID {
			t.Errorf("after Load: %+v", rec.Artist)
		}
		// Reading the artist now gives the very object, already loaded.
		ann, _ := orm.Objects[Artist](db).Get(ctx, lookups.Q{"pk": l.ann.ID})
		if ann != rec.Artist {
			t.Error("Get of a loaded stub's key made a new object")
		}
	})
}

func TestSelectRelated(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		recs, err := orm.Objects[Record](db).SelectRelated("artist", "producer", "artist__label").OrderBy("id").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sqls := log.take()
		if len(sqls) != 1 || strings.Count(sqls[0], "JOIN") != 3 || !strings.Contains(sqls[0], "LEFT JOIN") || !strings.Contains(sqls[0], "INNER JOIN") {
			t.Errorf("SelectRelated sent %q, want one query with an INNER and two LEFT JOINs", sqls)
		}
		if len(recs) != 3 {
			t.Fatalf("%d records", len(recs))
		}
		surf, waves, noise := recs[0], recs[1], recs[2]
		if !orm.IsLoaded(surf.Artist) || surf.Artist.Name != "Ann" || surf.Producer.Name != "Bob" || !orm.IsLoaded(surf.Producer) {
			t.Errorf("surf = %+v / %+v / %+v", surf, surf.Artist, surf.Producer)
		}
		if waves.Producer != nil {
			t.Errorf("LEFT JOIN with no producer gave %+v", waves.Producer)
		}
		if surf.Artist != waves.Artist || noise.Artist != surf.Producer {
			t.Error("one artist is two objects")
		}
		if surf.Artist.Label == nil || surf.Artist.Label.Name != "Sun" || noise.Artist.Label != nil {
			t.Errorf("artist__label: %+v, %+v", surf.Artist.Label, noise.Artist.Label)
		}
		// Nested: the deeper foreign key that was not selected stays a stub.
		cuts, err := orm.Objects[Cut](db).SelectRelated("record", "record", "record__artist").Filter(lookups.Q{"title": "intro"}).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sqls := log.take(); len(sqls) != 1 || strings.Count(sqls[0], "JOIN") != 2 {
			t.Errorf("repeated path: %q", sqls)
		}
		c := cuts[0]
		if c.Record != surf || c.Record.Artist.Label != surf.Artist.Label {
			t.Error("the record of a cut is not the record read before")
		}
		plain, err := orm.Objects[Cut](orm.Objects[Cut](db).Database()).SelectRelated("record").Filter(lookups.Q{"title": "wave"}).Get(orm.WithScope(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if !orm.IsLoaded(plain.Record) || orm.IsLoaded(plain.Record.Artist) || plain.Record.Artist.ID != l.ann.ID {
			t.Errorf("record loaded, artist a stub: %+v %+v", plain.Record, plain.Record.Artist)
		}
		// A self-reference through an alias.
		bob, err := orm.Objects[Artist](db).SelectRelated("rival").Get(ctx, lookups.Q{"name": "Bob"})
		if err != nil || bob.Rival == nil || bob.Rival.Name != "Ann" {
			t.Errorf("rival = %+v, %v", bob, err)
		}
		for _, bad := range []string{"tracks", "nope", "artist__nope", "genres"} {
			if _, err := orm.Objects[Record](db).SelectRelated(bad).All(ctx); !errors.Is(err, orm.ErrBadValue) {
				t.Errorf("SelectRelated(%q) = %v", bad, err)
			}
		}
	})
}

func TestPrefetchRelated(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		artists, err := orm.Objects[Artist](db).PrefetchRelated("albums", "albums__tracks", "albums__genres").OrderBy("id").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(log.take()); n != 4 {
			t.Errorf("prefetch of 3 paths over 2 levels sent %d queries, want 1 + 3", n)
		}
		ann, bob, cid := artists[0], artists[1], artists[2]
		if len(ann.Albums) != 2 || ann.Albums[0].Name != "Surf" || ann.Albums[1].Name != "Waves" || len(bob.Albums) != 1 {
			t.Fatalf("albums: %d %d", len(ann.Albums), len(bob.Albums))
		}
		if cid.Albums == nil || len(cid.Albums) != 0 {
			t.Errorf("an artist without records has %#v, want an empty list", cid.Albums)
		}
		surf := ann.Albums[0]
		if surf.Artist != ann {
			t.Error("child.Artist is not the parent object")
		}
		var titles []string
		for _, c := range surf.Tracks {
			titles = append(titles, c.Title)
			if c.Record != surf {
				t.Error("cut.Record is not its record")
			}
		}
		if fmt.Sprint(titles) != "[intro surf song outro]" {
			t.Errorf("tracks in insertion order = %v", titles)
		}
		if len(surf.Genres) != 2 || surf.Genres[0].Name != "rock" || len(bob.Albums[0].Genres) != 1 || len(ann.Albums[1].Genres) != 0 {
			t.Errorf("genres: %v", surf.Genres)
		}
		if surf.Genres[0] != bob.Albums[0].Genres[0] {
			t.Error("one genre is two objects")
		}
		// The other side of the many-to-many, and forward keys.
		genres, err := orm.Objects[Genre](db).PrefetchRelated("records", "records__artist").OrderBy("name").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(log.take()); n != 3 {
			t.Errorf("%d queries, want 3", n)
		}
		pop, rock := genres[0], genres[1]
		if len(pop.Records) != 1 || pop.Records[0] != surf || len(rock.Records) != 2 || !orm.IsLoaded(rock.Records[1].Artist) {
			t.Errorf("pop %v rock %v", pop.Records, rock.Records)
		}
		// With Get, Filter and Iterate.
		rec, err := orm.Objects[Record](db).PrefetchRelated("tracks").Get(ctx, lookups.Q{"name": "Waves"})
		if err != nil || len(rec.Tracks) != 1 || rec.Tracks[0].Title != "wave" {
			t.Errorf("Get with prefetch = %+v, %v", rec, err)
		}
		log.reset()
		n := 0
		for c, err := range orm.Objects[Cut](db).Filter(lookups.Q{"position__lte": 2}).PrefetchRelated("record__artist").Iterate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if !orm.IsLoaded(c.Record) || !orm.IsLoaded(c.Record.Artist) {
				t.Errorf("iterated cut %s without its record and artist", c.Title)
			}
			n++
		}
		if n != 3 || len(log.take()) != 3 {
			t.Errorf("Iterate with prefetch: %d cuts", n)
		}
		// Self-referencing comments.
		comments := orm.Objects[Comment](db)
		root, _ := comments.Create(ctx, &Comment{Text: "root"})
		for _, txt := range []string{"a", "b"} {
			if _, err := comments.Create(ctx, &Comment{Text: txt, ReplyTo: root}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := comments.PrefetchRelated("replies", "replies__replies").Get(orm.WithScope(ctx), lookups.Q{"reply_to__isnull": true})
		if err != nil || len(got.Replies) != 2 || got.Replies[1].Text != "b" || got.Replies[0].ReplyTo != got || len(got.Replies[0].Replies) != 0 {
			t.Errorf("comments: %+v, %v", got, err)
		}
		if _, err := orm.Objects[Record](db).PrefetchRelated("nope").All(ctx); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("unknown prefetch = %v", err)
		}
	})
}

func TestFiltersAcrossRelations(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		records, artists, cuts := orm.Objects[Record](db), orm.Objects[Artist](db), orm.Objects[Cut](db)
		names := func(qs *orm.QuerySet[Record]) string {
			t.Helper()
			all, err := qs.OrderBy("id").All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n, err := qs.Count(ctx)
			if err != nil || n != int64(len(all)) {
				t.Errorf("Count = %d, %v but All has %d", n, err, len(all))
			}
			var out []string
			for _, r := range all {
				out = append(out, r.Name)
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			name string
			qs   *orm.QuerySet[Record]
			want string
		}{
			{"fk field iexact", records.Filter(lookups.Q{"artist__name__iexact": "ANN"}), "Surf,Waves"},
			{"fk object", records.Filter(lookups.Q{"artist": l.bob}), "Noise"},
			{"fk in objects", records.Filter(lookups.Q{"artist__in": []*Artist{l.bob, l.cid}}), "Noise"},
			{"fk key", records.Filter(lookups.Q{"artist__id": l.ann.ID}), "Surf,Waves"},
			{"two hops", records.Filter(lookups.Q{"artist__label__name": "Sun"}), "Surf,Waves"},
			{"nullable fk isnull", records.Filter(lookups.Q{"producer__isnull": true}), "Waves,Noise"},
			{"exclude across a nullable fk", records.Exclude(lookups.Q{"producer__name": "Bob"}), "Waves,Noise"},
			{"reverse, no duplicates", records.Filter(lookups.Q{"tracks__title__contains": "o"}), "Surf"},
			{"reverse, same cut for both", records.Filter(lookups.Q{"tracks__title": "intro", "tracks__position": 2}), ""},
			{"reverse, separate filters", records.Filter(lookups.Q{"tracks__title": "intro"}).Filter(lookups.Q{"tracks__position": 2}), "Surf"},
			{"exclude reverse", records.Exclude(lookups.Q{"tracks__title__startswith": "w"}), "Surf,Noise"},
			{"no tracks", records.Filter(lookups.Q{"tracks__isnull": true}), "Noise"},
			{"m2m", records.Filter(lookups.Q{"genres__name": "rock"}), "Surf,Noise"},
			{"m2m object", records.Filter(lookups.Q{"genres": l.pop}), "Surf"},
			{"m2m or", records.Filter(lookups.Or(lookups.Q{"genres__name": "pop"}, lookups.Q{"artist__name": "Bob"})), "Surf,Noise"},
		} {
			if got := names(c.qs); got != c.want {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
		// Through two reverse relations, from the artist.
		n, err := artists.Filter(lookups.Q{"albums__tracks__title__startswith": "s"}).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("albums__tracks__title = %d, %v", n, err)
		}
		n, err = cuts.Filter(lookups.Q{"record__artist__rival__name": "Ann"}).Count(ctx)
		if err != nil || n != 0 {
			t.Errorf("three hops = %d, %v", n, err)
		}
		for _, bad := range []lookups.Q{{"artist__nope": 1}, {"tracks__title__nope": "x"}, {"genres__isnull": "yes"}} {
			if _, err := records.Filter(bad).All(ctx); err == nil {
				t.Errorf("%v: no error", bad)
			}
		}
	})
}

func TestOnDeleteAndConstraints(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		artists, records := orm.Objects[Artist](db), orm.Objects[Record](db)
		// protect: Bob produced Surf.
		if err := artists.Delete(ctx, l.bob); !errors.Is(err, core.ErrForeignKeyViolation) {
			t.Errorf("deleting a protected artist = %v", err)
		}
		// cascade: Ann's records go, and their cuts; set null: Sun's owner.
		if err := records.Delete(ctx, l.surf); err != nil {
			t.Fatal(err)
		}
		if err := artists.Delete(ctx, l.ann); err != nil {
			t.Fatal(err)
		}
		if n, _ := records.Count(ctx); n != 1 {
			t.Errorf("records after cascade: %d", n)
		}
		if n, _ := orm.Objects[Cut](db).Count(ctx); n != 0 {
			t.Errorf("cuts after cascade: %d", n)
		}
		sun, err := orm.Objects[RecordCo](db).Get(ctx, lookups.Q{"name": "Sun"})
		if err != nil || sun.Owner != nil {
			t.Errorf("label owner after set null = %+v, %v", sun, err)
		}
		// one-to-one
		profiles := orm.Objects[Profile](db)
		if _, err := profiles.Create(ctx, &Profile{Artist: l.cid, Bio: "one"}); err != nil {
			t.Fatal(err)
		}
		if _, err := profiles.Create(ctx, &Profile{Artist: l.cid, Bio: "two"}); !errors.Is(err, core.ErrUniqueViolation) {
			t.Errorf("second profile = %v", err)
		}
		// A required relation, and an unsaved one.
		if _, err := records.Create(ctx, &Record{Name: "orphan"}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("nil required artist = %v", err)
		}
		if _, err := records.Create(ctx, &Record{Name: "x", Artist: &Artist{Name: "new"}}); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("unsaved artist = %v", err)
		}
	})
}

func TestIdentityMap(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		artists := orm.Objects[Artist](db)
		a1, _ := artists.Get(ctx, lookups.Q{"name": "Cid"})
		a2, _ := artists.Get(ctx, lookups.Q{"pk": a1.ID})
		if a1 != a2 {
			t.Fatal("Get twice in one scope gave two objects")
		}
		// An outside change: the held object is refreshed, never stale.
		if _, err := db.Execute(ctx, "UPDATE artists SET name = 'Cyd' WHERE id = :id", core.Params{"id": a1.ID}); err != nil {
			t.Fatal(err)
		}
		if a3, _ := artists.Get(ctx, lookups.Q{"pk": a1.ID}); a3 != a1 || a1.Name != "Cyd" {
			t.Errorf("re-query gave %+v, want the held object with the row's name", a3)
		}
		// An unsaved change survives a read, and stays dirty.
		a1.Name = "Mine"
		if _, err := db.Execute(ctx, "UPDATE artists SET name = 'Theirs' WHERE id = :id", core.Params{"id": a1.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := artists.Get(ctx, lookups.Q{"pk": a1.ID}); err != nil || a1.Name != "Mine" {
			t.Errorf("a read overwrote an unsaved change: %q, %v", a1.Name, err)
		}
		// ForceRestore refreshes every field, unsaved changes included.
		if a4, _ := artists.ForceRestore().Get(ctx, lookups.Q{"pk": a1.ID}); a4 != a1 || a1.Name != "Theirs" {
			t.Errorf("ForceRestore gave %+v", a4)
		}
		// Another scope has objects of its own; so has each call outside one.
		other, _ := artists.Get(orm.WithScope(ctx), lookups.Q{"pk": a1.ID})
		if other == a1 {
			t.Error("a new scope shared an object")
		}
		bg := context.Background()
		x, _ := artists.Get(bg, lookups.Q{"pk": a1.ID})
		y, _ := artists.Get(bg, lookups.Q{"pk": a1.ID})
		if x == nil || x == y || x == a1 {
			t.Errorf("calls outside a scope shared objects: %p %p %p", x, y, a1)
		}
		// Many goroutines reading one row outside a scope get objects of their own.
		var wg sync.WaitGroup
		got := make([]*Artist, 20)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], _ = artists.Get(bg, lookups.Q{"name": "Bob"})
			}()
		}
		wg.Wait()
		seen := map[*Artist]bool{}
		for _, g := range got {
			if g == nil || seen[g] || g.Name != "Bob" {
				t.Fatal("concurrent Gets outside a scope shared an object or failed")
			}
			seen[g] = true
		}
		// The database-wide map is an option, and weak: objects no one
		// holds leave it.
		for _, name := range []string{"x", "y", "z"} {
			if _, err := db.Execute(ctx, "INSERT INTO listeners(name) VALUES (:n)", core.Params{"n": name}); err != nil {
				t.Fatal(err)
			}
		}
		shared := orm.WithDatabaseScope(bg)
		listeners := orm.Objects[Listener](db)
		all, err := listeners.All(shared)
		if err != nil || len(all) != 3 {
			t.Fatal(all, err)
		}
		if n := listeners.Cache().Len(); n != 3 {
			t.Errorf("cache holds %d", n)
		}
		if again, _ := listeners.Get(shared, lookups.Q{"pk": all[0].ID}); again != all[0] {
			t.Error("the database scope gave another object")
		}
		runtime.KeepAlive(all)
		all = nil
		runtime.GC()
		runtime.GC()
		if n := listeners.Cache().Len(); n != 0 {
			t.Errorf("after GC the cache still holds %d objects no one references", n)
		}
		cached, ok := artists.CacheIn(ctx).Get(a1.ID)
		if !ok || cached != a1 {
			t.Error("CacheIn(scope).Get did not give the scope's object")
		}
		artists.CacheIn(ctx).Clear()
		if a5, _ := artists.Get(ctx, lookups.Q{"pk": a1.ID}); a5 == a1 {
			t.Error("Clear kept the object")
		}
	})
}

func TestRestoreFromRawQueries(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		artists, records := orm.Objects[Artist](db), orm.Objects[Record](db)
		q := goqu.From(orm.Table[Record]()).
			Join(orm.Table[Artist](), goqu.On(orm.Table[Artist]().Col("id").Eq(orm.Table[Record]().Col("artist_id")))).
			Select(orm.Columns[Record](), orm.Columns[Artist]()).
			Order(orm.Table[Record]().Col("id").Asc())
		rows, err := db.FetchAll(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows", len(rows))
		}
		for i, row := range rows {
			r, err := records.Restore(ctx, row)
			if err != nil {
				t.Fatal(err)
			}
			a, err := artists.Restore(ctx, row)
			if err != nil {
				t.Fatal(err)
			}
			if r.Artist != a || !orm.IsLoaded(a) || a.Name == "" || r.Name != []string{"Surf", "Waves", "Noise"}[i] {
				t.Errorf("row %d: %+v / %+v", i, r, a)
			}
		}
		// FetchOne and Iterate rows, plain column names, unknown columns ignored.
		row, err := db.FetchOne(ctx, goqu.From("artists").Select("id", "name", goqu.L("1").As("extra")).Where(goqu.C("name").Eq("Cid")))
		if err != nil {
			t.Fatal(err)
		}
		cid, err := artists.Restore(ctx, row)
		if err != nil || cid.Name != "Cid" {
			t.Errorf("Restore(plain) = %+v, %v", cid, err)
		}
		again, _ := artists.Get(ctx, lookups.Q{"name": "Cid"})
		if again != cid {
			t.Error("Restore did not go through the identity map")
		}
		for row, err := range db.Iterate(ctx, goqu.From("records").Select("name")) {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := records.Restore(ctx, row); !errors.Is(err, orm.ErrBadValue) {
				t.Errorf("a row without the key = %v", err)
			}
			break
		}
	})
}
