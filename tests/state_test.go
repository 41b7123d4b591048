package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

// The state model of the object layer: the identity map belongs to a unit of
// work, reads are never stale, saves never lose data.

type StAlbum struct {
	orm.Model `orm:"table=st_albums"`
	ID        int64      `db:"id"`
	Name      string     `db:"name" orm:"size=50,unique"`
	Tracks    []*StTrack `orm:"reverse=Album"`
	Tags      []*StTag   `orm:"m2m"`
}

type StTrack struct {
	orm.Model `orm:"table=st_tracks"`
	ID        int64    `db:"id"`
	Album     *StAlbum `db:"album_id" orm:"fk,on_delete=cascade"`
	Title     string   `db:"title" orm:"size=50"`
}

type StTag struct {
	orm.Model `orm:"table=st_tags"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=20"`
}

type StPerson struct {
	orm.Model `orm:"table=st_people"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=50"`
	Age       int    `db:"age"`
}

type StAccount struct {
	orm.Model `orm:"table=st_accounts"`
	ID        int64 `db:"id"`
	Balance   int64 `db:"balance"`
}

var stModels = []any{StAlbum{}, StTrack{}, StTag{}, StPerson{}, StAccount{}}

func countRows(t *testing.T, ctx context.Context, db *core.Database, query string, params core.Params) int64 {
	t.Helper()
	v, err := db.FetchVal(ctx, query, params)
	if err != nil {
		t.Fatal(err)
	}
	return v.(int64)
}

func trackTitles(t *testing.T, ctx context.Context, db *core.Database, album int64) string {
	t.Helper()
	titles, err := orm.Objects[StTrack](db).Filter(lookups.Q{"album": album}).OrderBy("title").ValuesListFlat(ctx, "title")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(titles)
}

// seedAlbum makes an album with three tracks and two tags, and returns its key.
func seedAlbum(t *testing.T, ctx context.Context, db *core.Database, name string) (int64, []*StTag) {
	t.Helper()
	tags := []*StTag{{Name: "surf"}, {Name: "pop"}, {Name: "rock"}}
	for _, tg := range tags {
		if _, err := orm.Objects[StTag](db).Create(ctx, tg); err != nil {
			t.Fatal(err)
		}
	}
	a := &StAlbum{Name: name, Tracks: []*StTrack{{Title: "a"}, {Title: "b"}, {Title: "c"}}, Tags: tags[:2]}
	if _, err := orm.Objects[StAlbum](db).Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a.ID, tags
}

// Issue 8, item 1: appending to a list that was never loaded and saving
// must not delete the rows the list did not show.
func TestStateAppendToUnloadedList(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		albums := orm.Objects[StAlbum](db)
		id, tags := seedAlbum(t, ctx, db, "Malibu")
		a, err := albums.Get(ctx, lookups.Q{"pk": id})
		if err != nil {
			t.Fatal(err)
		}
		if a.Tracks != nil || a.Tags != nil {
			t.Fatalf("lists of an object read without prefetch: %v %v", a.Tracks, a.Tags)
		}
		// The README's own example.
		log.reset()
		a.Tracks = append(a.Tracks, &StTrack{Title: "Bonus"})
		a.Tags = append(a.Tags, tags[2])
		if err := albums.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		for _, q := range log.take() {
			if strings.Contains(strings.ToUpper(q), "DELETE") || strings.Contains(strings.ToUpper(q), "SET \"ALBUM_ID\" = NULL") {
				t.Errorf("saving an unloaded list sent %s", q)
			}
		}
		if got := trackTitles(t, ctx, db, id); got != "[Bonus a b c]" {
			t.Errorf("tracks after appending to an unloaded list = %s, want [Bonus a b c]", got)
		}
		links := "SELECT COUNT(*) FROM st_albums_tags WHERE st_album_id = :id"
		if n := countRows(t, ctx, db, links, core.Params{"id": id}); n != 3 {
			t.Errorf("tag links after appending to an unloaded list = %d, want 3", n)
		}
		// Saving again adds nothing twice.
		if err := albums.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := trackTitles(t, ctx, db, id); got != "[Bonus a b c]" {
			t.Errorf("tracks after a second save = %s", got)
		}

		// A loaded list syncs: what leaves it goes.
		b, err := albums.PrefetchRelated("tracks", "tags").Get(ctx, lookups.Q{"pk": id})
		if err != nil || len(b.Tracks) != 4 || len(b.Tags) != 3 {
			t.Fatalf("prefetched %+v, %v", b, err)
		}
		b.Tracks = b.Tracks[1:] // drops "a" (prefetched lists are in key order)
		if err := albums.Save(ctx, b); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, ctx, db, "SELECT COUNT(*) FROM st_tracks WHERE album_id = :id", core.Params{"id": id}); n != 3 {
			t.Errorf("tracks after removing one from a loaded list = %d, want 3", n)
		}
		b.Tags = b.Tags[:1]
		if err := albums.Save(ctx, b); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, ctx, db, links, core.Params{"id": id}); n != 1 {
			t.Errorf("tag links after removing two from a loaded list = %d, want 1", n)
		}

		// nil leaves a loaded list's rows alone; empty removes them all.
		c, err := albums.Get(ctx, lookups.Q{"pk": id})
		if err != nil {
			t.Fatal(err)
		}
		if err := albums.LoadRelated(ctx, c, "tracks"); err != nil || len(c.Tracks) != 3 || c.Tracks[0].Album != c {
			t.Fatalf("LoadRelated: %v, %v", c.Tracks, err)
		}
		c.Tracks = nil
		if err := albums.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, ctx, db, "SELECT COUNT(*) FROM st_tracks WHERE album_id = :id", core.Params{"id": id}); n != 3 {
			t.Errorf("a nil loaded list removed tracks: %d left", n)
		}
		c.Tracks = []*StTrack{}
		if err := albums.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, ctx, db, "SELECT COUNT(*) FROM st_tracks WHERE album_id = :id", core.Params{"id": id}); n != 0 {
			t.Errorf("an empty loaded list left %d tracks", n)
		}

		// Objects appended to an unloaded list survive a later load of it,
		// and are saved with the rest.
		id2, _ := seedAlbum(t, ctx, db, "Surf")
		d, err := albums.Get(ctx, lookups.Q{"pk": id2})
		if err != nil {
			t.Fatal(err)
		}
		extra := &StTrack{Title: "extra"}
		d.Tracks = append(d.Tracks, extra)
		if err := albums.LoadRelated(ctx, d, "tracks"); err != nil {
			t.Fatal(err)
		}
		if len(d.Tracks) != 4 || d.Tracks[3] != extra {
			t.Fatalf("after LoadRelated the appended track is gone: %v", d.Tracks)
		}
		if err := albums.Save(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got := trackTitles(t, ctx, db, id2); got != "[a b c extra]" {
			t.Errorf("tracks = %s, want [a b c extra]", got)
		}
	}, stModels...)
}

// Issue 8, item 2: reads return what the database holds.
func TestStateReadsAreNeverStale(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		bg := context.Background()
		people := orm.Objects[StPerson](db)
		p, err := people.Create(bg, &StPerson{Name: "A", Age: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Outside a scope: a QuerySet.Update is seen by the next Get.
		if _, err := people.Filter(lookups.Q{"pk": p.ID}).Update(bg, map[string]any{"age": 7}); err != nil {
			t.Fatal(err)
		}
		if got, err := people.Get(bg, lookups.Q{"pk": p.ID}); err != nil || got.Age != 7 {
			t.Errorf("Get after Update = %+v, %v; want age 7", got, err)
		}

		// In a scope: the held object is refreshed in place.
		ctx := orm.WithScope(bg)
		q, err := people.Get(ctx, lookups.Q{"pk": p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := people.Filter(lookups.Q{"pk": p.ID}).Update(ctx, map[string]any{"age": 8}); err != nil {
			t.Fatal(err)
		}
		if got, err := people.Get(ctx, lookups.Q{"pk": p.ID}); err != nil || got != q || q.Age != 8 {
			t.Errorf("Get in a scope after Update = %+v (same object: %v), %v; want age 8", got, got == q, err)
		}
		// A change from another connection, while the program has an
		// unsaved change of its own: the row's age, the program's name.
		q.Name = "mine"
		if _, err := db.Execute(bg, "UPDATE st_people SET name = 'theirs', age = 9 WHERE id = :id", core.Params{"id": p.ID}); err != nil {
			t.Fatal(err)
		}
		if got, err := people.Filter(lookups.Q{"age__gte": 0}).Get(ctx); err != nil || got != q || q.Age != 9 || q.Name != "mine" {
			t.Errorf("after an outside change: %+v, %v; want name mine (unsaved) and age 9", got, err)
		}
		if err := people.Save(ctx, q); err != nil {
			t.Fatal(err)
		}
		if got, _ := people.Get(bg, lookups.Q{"pk": p.ID}); got.Name != "mine" || got.Age != 9 {
			t.Errorf("row after saving the kept change = %+v, want mine/9", got)
		}

		// ForUpdate in a transaction reads the row as it is.
		accounts := orm.Objects[StAccount](db)
		acc, err := accounts.Create(ctx, &StAccount{Balance: 100})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(bg, "UPDATE st_accounts SET balance = 10 WHERE id = :id", core.Params{"id": acc.ID}); err != nil {
			t.Fatal(err)
		}
		acc.Balance = 55 // an unsaved change ForUpdate discards: the locked row wins
		err = db.Transaction(ctx, func(ctx context.Context) error {
			got, err := accounts.ForUpdate().Get(ctx, lookups.Q{"pk": acc.ID})
			if err != nil {
				return err
			}
			if got != acc || got.Balance != 10 {
				t.Errorf("ForUpdate().Get = %d (same object: %v), want 10", got.Balance, got == acc)
			}
			got.Balance -= 1
			return accounts.Save(ctx, got)
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := db.FetchVal(bg, "SELECT balance FROM st_accounts WHERE id = :id", core.Params{"id": acc.ID}); v != int64(9) {
			t.Errorf("balance = %v, want 9", v)
		}
		// ForceRestore too.
		acc.Balance = 1000
		if got, err := accounts.ForceRestore().Get(ctx, lookups.Q{"pk": acc.ID}); err != nil || got != acc || acc.Balance != 9 {
			t.Errorf("ForceRestore = %+v, %v", got, err)
		}
	}, stModels...)
}

// Issue 8, item 3: a rolled-back transaction leaves no object claiming a
// row it does not have.
func TestStateRollbackLeavesNoGhost(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		errFail := errors.New("fail")
		for _, scoped := range []bool{false, true} {
			bg := context.Background()
			ctx := bg
			if scoped {
				ctx = orm.WithScope(bg)
			}
			people := orm.Objects[StPerson](db)
			if _, err := people.All(ctx); err != nil { // nothing yet, per round
				t.Fatal(err)
			}
			if _, err := people.Filter(lookups.Q{"age__gte": 0}).Delete(bg); err != nil {
				t.Fatal(err)
			}
			first, err := people.Create(ctx, &StPerson{Name: "first"})
			if err != nil {
				t.Fatal(err)
			}
			var ghost *StPerson
			err = db.Transaction(ctx, func(ctx context.Context) error {
				var err error
				if ghost, err = people.Create(ctx, &StPerson{Name: "ghost"}); err != nil {
					return err
				}
				if got, err := people.Get(ctx, lookups.Q{"pk": ghost.ID}); err != nil || got != ghost {
					t.Errorf("inside the transaction Get = %p, %v; want the object created", got, err)
				}
				return errFail
			})
			if !errors.Is(err, errFail) {
				t.Fatal(err)
			}
			if ghost.ID != 0 || orm.IsLoaded(ghost) {
				t.Errorf("after the rollback the object is %+v, loaded %v; want a new object again", ghost, orm.IsLoaded(ghost))
			}
			// SQLite reuses the key; the row inserted now must be read as it is.
			if _, err := db.Execute(bg, "INSERT INTO st_people(name, age) VALUES ('real', 0)"); err != nil {
				t.Fatal(err)
			}
			all, err := people.OrderBy("id").All(ctx)
			if err != nil || len(all) != 2 || all[0].Name != "first" || scoped && all[0] != first || all[1].Name != "real" {
				t.Errorf("scoped=%v: All = %v, %v; want [first real]", scoped, all, err)
			}
			// Retrying the transaction inserts the object again.
			err = db.Transaction(ctx, func(ctx context.Context) error {
				_, err := people.Create(ctx, ghost)
				return err
			})
			if err != nil || ghost.ID == 0 || !orm.IsLoaded(ghost) {
				t.Errorf("retry: %+v, %v", ghost, err)
			}
		}

		// A savepoint rolled back takes its own objects with it, not the
		// enclosing transaction's.
		ctx := orm.WithScope(context.Background())
		people := orm.Objects[StPerson](db)
		var kept, dropped *StPerson
		var droppedID int64
		err := db.Transaction(ctx, func(ctx context.Context) error {
			var err error
			if kept, err = people.Create(ctx, &StPerson{Name: "kept"}); err != nil {
				return err
			}
			inner := db.Transaction(ctx, func(ctx context.Context) error {
				if dropped, err = people.Create(ctx, &StPerson{Name: "dropped"}); err != nil {
					return err
				}
				droppedID = dropped.ID
				return errFail
			})
			if !errors.Is(inner, errFail) {
				return fmt.Errorf("inner: %w", inner)
			}
			if _, ok := people.CacheIn(ctx).Get(droppedID); ok {
				t.Error("the savepoint's object is still in the scope after its rollback")
			}
			if got, ok := people.CacheIn(ctx).Get(kept.ID); !ok || got != kept {
				t.Error("the enclosing transaction's object left the scope")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if dropped.ID != 0 || orm.IsLoaded(dropped) || !orm.IsLoaded(kept) {
			t.Errorf("after the savepoint: dropped %+v, kept %+v", dropped, kept)
		}
		if got, ok := people.CacheIn(ctx).Get(kept.ID); !ok || got != kept {
			t.Error("a committed transaction inside WithScope did not leave its object in the scope")
		}

		// An update rolled back: the object's change is unsaved again.
		p, err := people.Get(ctx, lookups.Q{"pk": kept.ID})
		if err != nil {
			t.Fatal(err)
		}
		p.Age = 41
		err = db.Transaction(ctx, func(ctx context.Context) error {
			if err := people.Save(ctx, p); err != nil {
				return err
			}
			return errFail
		})
		if !errors.Is(err, errFail) {
			t.Fatal(err)
		}
		if err := people.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := people.Get(context.Background(), lookups.Q{"pk": p.ID}); got.Age != 41 {
			t.Errorf("a save after a rolled-back save left age %d, want 41", got.Age)
		}
		// A delete rolled back: the object keeps its key.
		id := p.ID
		err = db.Transaction(ctx, func(ctx context.Context) error {
			if err := people.Delete(ctx, p); err != nil {
				return err
			}
			return errFail
		})
		if !errors.Is(err, errFail) || p.ID != id || !orm.IsLoaded(p) {
			t.Errorf("after a rolled-back delete: %+v, %v", p, err)
		}
	}, stModels...)
}

// Issue 8, item 4: Save with fields writes those and leaves the rest dirty.
func TestStatePartialSave(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		people := orm.Objects[StPerson](db)
		p, err := people.Create(ctx, &StPerson{Name: "A", Age: 1})
		if err != nil {
			t.Fatal(err)
		}
		p.Name, p.Age = "B", 2
		if err := people.Save(ctx, p, "name"); err != nil {
			t.Fatal(err)
		}
		if got, _ := people.Get(ctx, lookups.Q{"pk": p.ID}); got.Name != "B" || got.Age != 1 {
			t.Errorf("after Save(name): %s/%d, want B/1", got.Name, got.Age)
		}
		if err := people.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := people.Get(ctx, lookups.Q{"pk": p.ID}); got.Name != "B" || got.Age != 2 {
			t.Errorf("after Save(): %s/%d, want B/2", got.Name, got.Age)
		}
		// Load of some fields keeps the others' unsaved changes.
		p.Name = "C"
		if _, err := db.Execute(ctx, "UPDATE st_people SET age = 3 WHERE id = :id", core.Params{"id": p.ID}); err != nil {
			t.Fatal(err)
		}
		if err := people.Load(ctx, p, "age"); err != nil || p.Age != 3 || p.Name != "C" {
			t.Fatalf("Load(age) = %+v, %v", p, err)
		}
		log.reset()
		if err := people.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
		sent := log.take()
		if len(sent) != 1 || strings.Contains(sent[0], "age") {
			t.Errorf("Save after Load(age) sent %q; want an UPDATE of name only", sent)
		}
		if got, _ := people.Get(ctx, lookups.Q{"pk": p.ID}); got.Name != "C" || got.Age != 3 {
			t.Errorf("row = %s/%d, want C/3", got.Name, got.Age)
		}
	}, stModels...)
}

// Issue 8, item 5: goroutines in scopes of their own never share objects
// (run with -race): every save lands and nobody sees another's edit.
func TestStateConcurrentScopes(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		bg := context.Background()
		people := orm.Objects[StPerson](db)
		p, err := people.Create(bg, &StPerson{Name: "start"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		var edited, wg sync.WaitGroup
		edited.Add(n)
		errs := make(chan error, n)
		log.reset()
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := orm.WithScope(bg)
				mine, err := people.Get(ctx, lookups.Q{"pk": p.ID})
				if err != nil {
					edited.Done()
					errs <- err
					return
				}
				want := fmt.Sprintf("g%d", i)
				mine.Name = want
				edited.Done()
				edited.Wait() // every goroutine has made its edit
				again, err := people.Get(ctx, lookups.Q{"pk": p.ID})
				if err != nil {
					errs <- err
					return
				}
				if again != mine || mine.Name != want {
					errs <- fmt.Errorf("goroutine %d sees name %q (same object: %v)", i, mine.Name, again == mine)
					return
				}
				if err := people.Save(ctx, mine); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		updates := 0
		for _, q := range log.take() {
			if strings.HasPrefix(strings.ToUpper(q), "UPDATE") {
				updates++
			}
		}
		if updates != n {
			t.Errorf("%d UPDATEs sent, want one per goroutine (%d)", updates, n)
		}
		if got, _ := people.Get(bg, lookups.Q{"pk": p.ID}); !strings.HasPrefix(got.Name, "g") {
			t.Errorf("final name %q", got.Name)
		}
	}, stModels...)
}

// Read-modify-write under a row lock loses no update.
func TestStateNoLostUpdates(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		bg := context.Background()
		accounts := orm.Objects[StAccount](db)
		const workers, rounds = 10, 20
		acc, err := accounts.Create(bg, &StAccount{Balance: workers * rounds})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// One unit of work per worker, holding the account between
				// transactions: each ForUpdate read must still see the row.
				ctx := orm.WithScope(bg)
				if _, err := accounts.Get(ctx, lookups.Q{"pk": acc.ID}); err != nil {
					errs <- err
					return
				}
				for range rounds {
					err := db.Transaction(ctx, func(ctx context.Context) error {
						a, err := accounts.ForUpdate().Get(ctx, lookups.Q{"pk": acc.ID})
						if err != nil {
							return err
						}
						a.Balance--
						return accounts.Save(ctx, a)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		if v, err := db.FetchVal(ctx, "SELECT balance FROM st_accounts WHERE id = :id", core.Params{"id": acc.ID}); v != int64(0) || err != nil {
			t.Errorf("balance = %v, %v; want 0", v, err)
		}
	}, stModels...)
}

// Issue 8, item 8.
type stBothStamps struct {
	ID    int64     `db:"id"`
	Stamp time.Time `db:"stamp" orm:"auto_now,auto_now_add"`
}

func TestStateAutoNowWithAutoNowAdd(t *testing.T) {
	err := orm.Register(stBothStamps{})
	if !errors.Is(err, orm.ErrInvalidModel) {
		t.Fatalf("Register = %v, want ErrInvalidModel", err)
	}
	var me *orm.ModelError
	if !errors.As(err, &me) || me.Model != "stBothStamps" || me.Field != "Stamp" {
		t.Errorf("error %v does not name the struct and field", err)
	}
}

// Without a transaction or a scope, each call is its own scope: within its
// result one key is still one object.
func TestStateCallScopeLinksItsResult(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		albums, tracks := orm.Objects[StAlbum](db), orm.Objects[StTrack](db)
		seedAlbum(t, ctx, db, "Malibu")
		seedAlbum(t, ctx, db, "Surf")
		as, err := albums.PrefetchRelated("tracks").OrderBy("name").All(ctx)
		if err != nil || len(as) != 2 {
			t.Fatal(as, err)
		}
		for _, a := range as {
			for _, tr := range a.Tracks {
				if tr.Album != a {
					t.Errorf("PrefetchRelated: track %q points at %p, not its album %p", tr.Title, tr.Album, a)
				}
			}
		}
		ts, err := tracks.SelectRelated("album").OrderBy("id").All(ctx)
		if err != nil || len(ts) != 6 {
			t.Fatal(ts, err)
		}
		if ts[0].Album != ts[1].Album || ts[0].Album == ts[3].Album || ts[0].Album.Name != "Malibu" {
			t.Error("SelectRelated: tracks of one album do not share it")
		}
		var streamed []*StTrack
		for tr, err := range tracks.OrderBy("id").Iterate(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			streamed = append(streamed, tr)
		}
		if len(streamed) != 6 || streamed[0].Album != streamed[2].Album || orm.IsLoaded(streamed[0].Album) {
			t.Error("Iterate: the stubs of one album are not one object")
		}
		// Two calls share nothing.
		again, err := tracks.SelectRelated("album").OrderBy("id").All(ctx)
		if err != nil || again[0] == ts[0] || again[0].Album == ts[0].Album {
			t.Error("two calls outside a scope shared objects")
		}
	}, stModels...)
}

// A foreign key to the model itself, in a call's own scope: the related
// object is the one in the result, whichever row comes first.
func TestStateCallScopeSelfReference(t *testing.T) {
	eachRel(t, func(t *testing.T, _ context.Context, db *core.Database, l *library, log *queryLog) {
		ctx := context.Background()
		for _, order := range []string{"id", "-id"} {
			all, err := orm.Objects[Artist](db).OrderBy(order).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]*Artist{}
			for _, a := range all {
				byName[a.Name] = a
			}
			if bob, ann := byName["Bob"], byName["Ann"]; bob == nil || ann == nil || bob.Rival != ann || !orm.IsLoaded(bob.Rival) {
				t.Errorf("order %s: Bob's rival is %p, Ann is %p", order, byName["Bob"].Rival, ann)
			}
		}
	})
}
