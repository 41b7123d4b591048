package tests

// Integration tests of the MongoDB mapper (mongo/), run against the server in
// ATOMDB_TEST_MONGO (FerretDB here, a real mongod elsewhere): each test has a
// database of its own, dropped at the end, so they run in parallel. They are
// written to MongoDB's documented semantics.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"github.com/atomdb/atomdb/tests/harness"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The models.

type mgUser struct {
	mongo.Model `mongo:"collection=users"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name" mongo:"unique"`
	Email       string        `bson:"email,omitempty"`
	Age         int           `bson:"age"`
}

type mgSite struct {
	mongo.Model `mongo:"collection=sites"`
	ID          string `bson:"_id"`
	Host        string `bson:"host"`
}

type mgPage struct {
	mongo.Model `mongo:"collection=pages"`
	ID          bson.ObjectID `bson:"_id"`
	Title       string        `bson:"title" mongo:"index"`
	Author      *mgUser       `bson:"author"`
	Site        *mgSite       `bson:"site,omitempty"`
	Related     []*mgPage     `bson:"related"`
	ReplyTo     *mgPage       `bson:"reply_to"`
	Tags        []string      `bson:"tags"`
	Rating      *int          `bson:"rating"`
}

func (mgPage) Indexes() []mongo.Index {
	return []mongo.Index{{Keys: []string{"site._id", "-title"}, Unique: true, Sparse: true, Name: "site_title"}}
}

// mongoDB returns a fresh database on the test server, dropped at the end;
// monitor, when not nil, watches the client's commands.
func mongoDB(t *testing.T, monitor *event.CommandMonitor) *mongodriver.Database {
	t.Helper()
	uri := harness.ServerURL(t, harness.Mongo)
	opts := options.Client().ApplyURI(uri).SetTimeout(time.Minute)
	if monitor != nil {
		opts.SetMonitor(monitor)
	}
	client, err := mongodriver.Connect(opts)
	if err != nil {
		t.Fatalf("connect %s: %v", uri, err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	name = "atomdb_m_" + strings.Trim(name, "_") + "_" + hex.EncodeToString(b[:])
	db := client.Database(name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("disconnect: %v", err)
		}
	})
	return db
}

// findCounter counts the find commands sent to one database.
type findCounter struct {
	db    atomic.Value // string
	finds atomic.Int64
}

func (c *findCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "find" {
			if name, _ := c.db.Load().(string); name == e.DatabaseName {
				c.finds.Add(1)
			}
		}
	}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func rawCount(t *testing.T, db *mongodriver.Database, coll string, filter any) int64 {
	t.Helper()
	n, err := db.Collection(coll).CountDocuments(context.Background(), filter)
	must(t, err)
	return n
}

func TestMongoSaveAssignsIDAndUpserts(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)

	u := &mgUser{Name: "Bob", Age: 32}
	if u.IsLoaded() {
		t.Fatal("a new object is loaded")
	}
	must(t, users.Save(ctx, u))
	if u.ID.IsZero() {
		t.Fatal("Save did not assign an _id")
	}
	if !u.IsLoaded() {
		t.Error("a saved object is not loaded")
	}
	first := u.ID
	u.Age = 33
	must(t, users.Save(ctx, u))
	if u.ID != first {
		t.Errorf("the second Save changed the _id: %v -> %v", first, u.ID)
	}
	if n := rawCount(t, db, "users", bson.D{}); n != 1 {
		t.Fatalf("%d documents after two saves, want 1", n)
	}
	var raw bson.M
	must(t, db.Collection("users").FindOne(ctx, bson.D{{Key: "_id", Value: u.ID}}).Decode(&raw))
	if raw["age"] != int64(33) && raw["age"] != int32(33) {
		t.Errorf("stored age = %#v, want 33", raw["age"])
	}
	if _, ok := raw["email"]; ok {
		t.Error("omitempty email was stored")
	}
	if _, ok := raw["model"]; ok {
		t.Error("the embedded mongo.Model was stored")
	}

	// A string _id is generated as hex; a set one is kept.
	sites := mongo.Objects[mgSite](db)
	s := &mgSite{Host: "a.example"}
	must(t, sites.Save(ctx, s))
	if _, err := bson.ObjectIDFromHex(s.ID); err != nil {
		t.Errorf("generated string _id %q is not an ObjectID's hex: %v", s.ID, err)
	}
	s2 := &mgSite{ID: "b", Host: "b.example"}
	must(t, sites.Save(ctx, s2))
	if s2.ID != "b" {
		t.Errorf("Save changed a set _id to %q", s2.ID)
	}
	got, err := sites.Get(ctx, lookups.Q{"pk": "b"})
	must(t, err)
	if got != s2 {
		t.Error("Get of a saved object did not return it from the identity cache")
	}
}

func TestMongoScopeRefreshesOnRead(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	u := &mgUser{Name: "Ann", Age: 40}
	must(t, users.Save(bg, u))

	// Without a scope, each call is its own: two Gets, two objects.
	g1, err := users.Get(bg, lookups.Q{"name": "Ann"})
	must(t, err)
	g2, err := users.Get(bg, lookups.Q{"name": "Ann"})
	must(t, err)
	if g1 == g2 || g1 == u {
		t.Error("two calls without a scope shared an object")
	}
	if mongo.ScopeOf(bg) != nil || users.Cache() != nil || users.CacheIn(bg) != nil {
		t.Error("a context without a scope has one, or the manager a database cache it was not asked for")
	}

	// In a scope, one object per _id, and a read refreshes it.
	ctx := mongo.WithScope(bg)
	got, err := users.Get(ctx, lookups.Q{"name": "Ann"})
	must(t, err)
	again, err := users.Get(ctx, lookups.Q{"pk": u.ID})
	must(t, err)
	if got != again || mongo.ScopeOf(ctx).Len() != 1 || users.CacheIn(ctx) != mongo.ScopeOf(ctx) {
		t.Error("two Gets in one scope returned two objects")
	}
	raw, err := users.Collection().FindOne(ctx, bson.D{{Key: "_id", Value: u.ID}}).Raw()
	must(t, err)
	r1, err := users.Restore(ctx, raw)
	must(t, err)
	if r1 != got {
		t.Error("Restore of a held _id returned a new object")
	}
	// Another program changes the document: the next read shows it.
	_, err = users.Collection().UpdateOne(bg, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 41}}}})
	must(t, err)
	fresh, err := users.Get(ctx, lookups.Q{"name": "Ann"})
	must(t, err)
	if fresh != got || got.Age != 41 {
		t.Errorf("a read of a held object left it stale: age %d, want 41", got.Age)
	}
	// A field changed and not saved keeps the program's value; the others
	// are refreshed.
	got.Name = "Anne"
	_, err = users.Collection().UpdateOne(bg, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 42}, {Key: "name", Value: "Annie"}}}})
	must(t, err)
	_, err = users.Find(ctx, lookups.Q{"pk": u.ID})
	must(t, err)
	if got.Name != "Anne" || got.Age != 42 {
		t.Errorf("after a read: name %q age %d, want the unsaved Anne and the stored 42", got.Name, got.Age)
	}
	// Still changed, so Save writes it.
	must(t, users.Save(ctx, got))
	var stored mgUser
	must(t, users.Collection().FindOne(bg, bson.D{{Key: "_id", Value: u.ID}}).Decode(&stored))
	if stored.Name != "Anne" || stored.Age != 42 {
		t.Errorf("stored %q/%d, want Anne/42", stored.Name, stored.Age)
	}
	// ForceRestore refreshes changed fields too.
	got.Name = "unsaved"
	_, err = users.Find(ctx, lookups.Q{"pk": u.ID}, mongo.ForceRestore())
	must(t, err)
	if got.Name != "Anne" {
		t.Errorf("ForceRestore kept the unsaved name %q", got.Name)
	}
	// Restore of a document refreshes too (a missing field reads as zero).
	r2, err := users.Restore(ctx, bson.M{"_id": u.ID, "name": "changed"})
	must(t, err)
	if r2 != got || got.Name != "changed" || got.Age != 0 {
		t.Errorf("Restore of a held object: %+v", got)
	}

	// Load of a loaded object reads nothing; Refresh reads.
	_, err = users.Collection().UpdateOne(bg, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 50}}}})
	must(t, err)
	must(t, users.Load(ctx, got))
	if got.Age != 0 {
		t.Error("Load of a loaded object read the database")
	}
	got.Age = 7
	must(t, users.Refresh(ctx, got))
	if got.Age != 50 || got.Name != "Anne" {
		t.Errorf("Refresh: %+v, want every field from the database", got)
	}
	// A new scope is a new unit of work.
	other, err := users.Get(mongo.WithScope(bg), lookups.Q{"pk": u.ID})
	must(t, err)
	if other == got {
		t.Error("two scopes shared an object")
	}
}

func TestMongoCacheIsWeak(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db, mongo.WithDatabaseCache())
	for _, name := range []string{"a", "b", "c"} {
		must(t, users.Save(ctx, &mgUser{Name: name}))
	}
	if users.Cache() == nil || users.Cache() != mongo.Objects[mgPage](db, mongo.WithDatabaseCache()).Cache() {
		t.Fatal("WithDatabaseCache: no cache, or one per manager")
	}
	users.Cache().Clear()
	objs, err := users.Find(ctx, nil)
	must(t, err)
	if n := users.Cache().Len(); n != 3 {
		t.Fatalf("cache holds %d objects, want 3", n)
	}
	keep := objs[0]
	objs = nil
	deadline := time.Now().Add(10 * time.Second)
	for users.Cache().Len() > 1 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := users.Cache().Len(); n != 1 {
		t.Fatalf("after GC the cache holds %d objects, want only the 1 still referenced", n)
	}
	again, err := users.Get(ctx, lookups.Q{"pk": keep.ID})
	must(t, err)
	if again != keep {
		t.Error("the object still referenced left the cache")
	}
	runtime.KeepAlive(objs)
}

func TestMongoDeleteRemovesOnlyOne(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	a, b := &mgUser{Name: "a", Age: 1}, &mgUser{Name: "b", Age: 1}
	must(t, users.Save(ctx, a))
	must(t, users.Save(ctx, b))
	must(t, users.Delete(ctx, a))
	if n, err := users.Count(ctx, nil); err != nil || n != 1 {
		t.Fatalf("Count after delete = %d, %v; want 1", n, err)
	}
	if _, err := users.Get(ctx, lookups.Q{"name": "a"}); !errors.Is(err, mongo.ErrDoesNotExist) || !errors.Is(err, mongodriver.ErrNoDocuments) {
		t.Errorf("Get of the deleted: %v, want ErrDoesNotExist (and mongo.ErrNoDocuments)", err)
	}
	if a.IsLoaded() {
		t.Error("a deleted object is still loaded")
	}
	if err := users.Load(ctx, a); !errors.Is(err, mongo.ErrDoesNotExist) {
		t.Errorf("Load of the deleted: %v, want ErrDoesNotExist", err)
	}
	got, err := users.Get(ctx, lookups.Q{"name": "b"})
	must(t, err)
	if got != b {
		t.Error("the other object is not the cached one")
	}
	// An unsaved object: a no-op.
	must(t, users.Delete(ctx, &mgUser{Name: "new"}))
	if n, _ := users.Count(ctx, nil); n != 1 {
		t.Errorf("deleting an unsaved object changed the count to %d", n)
	}
	// Save after Delete inserts again, with the same _id.
	must(t, users.Save(ctx, a))
	if n, _ := users.Count(ctx, lookups.Q{"pk": a.ID}); n != 1 {
		t.Error("saving a deleted object did not insert it again")
	}
}

func TestMongoReferencesSavedAndEmbedded(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	pages := mongo.Objects[mgPage](db)

	saved := &mgUser{Name: "saved", Age: 30}
	must(t, users.Save(ctx, saved))
	unsaved := &mgUser{Name: "unsaved", Age: 20}
	p1 := &mgPage{Title: "with saved author", Author: saved}
	p2 := &mgPage{Title: "with unsaved author", Author: unsaved}
	must(t, pages.Save(ctx, p1))
	must(t, pages.Save(ctx, p2))
	if !unsaved.ID.IsZero() {
		t.Error("saving a page saved its unsaved author (Save does not cascade)")
	}

	var raw1, raw2 bson.D
	must(t, db.Collection("pages").FindOne(ctx, bson.D{{Key: "_id", Value: p1.ID}}).Decode(&raw1))
	must(t, db.Collection("pages").FindOne(ctx, bson.D{{Key: "_id", Value: p2.ID}}).Decode(&raw2))
	author1 := mapOf(raw1)["author"].(bson.D)
	if len(author1) != 2 || mapOf(author1)["_id"] != saved.ID || mapOf(author1)["__model__"] != "tests.mgUser" {
		t.Errorf("the saved author is stored as %v, want {_id, __model__: tests.mgUser}", author1)
	}
	author2 := mapOf(mapOf(raw2)["author"].(bson.D))
	if author2["name"] != "unsaved" || author2["_id"] != nil {
		t.Errorf("the unsaved author is stored as %v, want the whole object without _id", author2)
	}
	if n := rawCount(t, db, "users", bson.D{}); n != 1 {
		t.Errorf("%d users, want 1", n)
	}

	// Queries on the reference's _id, both spellings, and by object.
	for _, cond := range []any{
		lookups.Q{"author___id": saved.ID},
		lookups.Q{"author": saved},
		bson.D{{Key: "author._id", Value: saved.ID}},
	} {
		got, err := pages.Find(ctx, cond)
		must(t, err)
		if len(got) != 1 || got[0] != p1 {
			t.Errorf("Find(%v) = %v, want [p1]", cond, got)
		}
	}
	if n, err := pages.Count(ctx, lookups.Q{"author__isnull": false}); err != nil || n != 2 {
		t.Errorf("Count(author__isnull=false) = %d, %v; want 2", n, err)
	}

	ctx = mongo.WithScope(context.Background()) // a new unit of work
	got1, err := pages.Get(ctx, lookups.Q{"title": "with saved author"})
	must(t, err)
	if got1.Author == nil || got1.Author.Name != "saved" || got1.Author.ID != saved.ID || !got1.Author.IsLoaded() {
		t.Fatalf("the referenced author was not restored: %+v", got1.Author)
	}
	u, err := users.Get(ctx, lookups.Q{"pk": saved.ID})
	must(t, err)
	if u != got1.Author {
		t.Error("the restored reference is not the cached user")
	}
	got2, err := pages.Get(ctx, lookups.Q{"title": "with unsaved author"})
	must(t, err)
	if got2.Author == nil || got2.Author.Name != "unsaved" || got2.Author.Age != 20 || !got2.Author.ID.IsZero() {
		t.Errorf("the embedded author was not restored: %+v", got2.Author)
	}

	// A reference to a deleted document stays an unloaded object with its _id.
	gone := &mgUser{Name: "gone"}
	must(t, users.Save(ctx, gone))
	p3 := &mgPage{Title: "dangling", Author: gone}
	must(t, pages.Save(ctx, p3))
	must(t, users.Delete(ctx, gone))
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	got3, err := pages.Get(ctx, lookups.Q{"title": "dangling"})
	must(t, err)
	if got3.Author == nil || got3.Author.ID != gone.ID || got3.Author.IsLoaded() || got3.Author.Name != "" {
		t.Errorf("a dangling reference restored as %+v, want an unloaded stub with the _id", got3.Author)
	}
	if err := users.Load(ctx, got3.Author); !errors.Is(err, mongo.ErrDoesNotExist) {
		t.Errorf("Load of a dangling reference: %v", err)
	}
}

func mapOf(d bson.D) map[string]any {
	m := map[string]any{}
	for _, e := range d {
		m[e.Key] = e.Value
	}
	return m
}

func TestMongoSelfReference(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	pages := mongo.Objects[mgPage](db)
	root := &mgPage{Title: "root"}
	must(t, pages.Save(ctx, root))
	reply := &mgPage{Title: "reply", ReplyTo: root}
	must(t, pages.Save(ctx, reply))
	replyToReply := &mgPage{Title: "reply to reply", ReplyTo: reply}
	must(t, pages.Save(ctx, replyToReply))

	n, err := pages.Count(ctx, lookups.Q{"reply_to": nil})
	must(t, err)
	if n != 1 {
		t.Errorf("%d pages reply to nothing, want 1", n)
	}
	got, err := pages.Find(ctx, lookups.Q{"reply_to__isnull": false}, mongo.Sort("title"))
	must(t, err)
	if len(got) != 2 || got[0] != reply || got[1] != replyToReply {
		t.Errorf("pages with a reply_to: %v", got)
	}

	ctx = mongo.WithScope(context.Background()) // a new unit of work
	leaf, err := pages.Get(ctx, lookups.Q{"title": "reply to reply"})
	must(t, err)
	if leaf.ReplyTo == nil || leaf.ReplyTo.Title != "reply" || leaf.ReplyTo.ReplyTo == nil || leaf.ReplyTo.ReplyTo.Title != "root" {
		t.Fatalf("the chain was not restored: %+v", leaf)
	}
	if leaf.ReplyTo.ReplyTo.ReplyTo != nil {
		t.Error("root replies to something")
	}
	r, err := pages.Get(ctx, lookups.Q{"title": "root"})
	must(t, err)
	if r != leaf.ReplyTo.ReplyTo {
		t.Error("root restored twice")
	}
	// A page that replies to itself.
	self := &mgPage{Title: "self"}
	self.ReplyTo = self
	must(t, pages.Save(ctx, self))
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	s, err := pages.Get(ctx, lookups.Q{"title": "self"})
	must(t, err)
	if s.ReplyTo != s {
		t.Error("a self reference did not come back as the object itself")
	}
}

func TestMongoCircularLists(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	pages := mongo.Objects[mgPage](db)

	// Two saved pages that list each other.
	a, b := &mgPage{Title: "a"}, &mgPage{Title: "b"}
	a.Related = []*mgPage{b}
	b.Related = []*mgPage{a}
	must(t, pages.Save(ctx, a))                 // b is unsaved: embedded, with a reference back to a
	must(t, pages.Save(ctx, b))                 // a is saved: a reference
	must(t, pages.Save(ctx, a))                 // b is saved now: a reference
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	p, err := pages.Get(ctx, lookups.Q{"title": "a"})
	must(t, err)
	if len(p.Related) != 1 || p.Related[0].Title != "b" || len(p.Related[0].Related) != 1 {
		t.Fatalf("a.Related = %+v", p.Related)
	}
	if p.Related[0].Related[0] != p {
		t.Error("p.Related[0].Related[0] != p: the cycle lost its identity")
	}
	q, err := pages.Get(ctx, lookups.Q{"title": "b"})
	must(t, err)
	if q != p.Related[0] {
		t.Error("b restored twice")
	}
	all, err := pages.Find(ctx, lookups.Q{"related___id__in": []bson.ObjectID{a.ID, b.ID}}, mongo.Sort("title"))
	must(t, err)
	if len(all) != 2 || all[0] != p || all[1] != q {
		t.Errorf("Find through the list's _id: %v", all)
	}

	// Unsaved objects in a cycle are embedded once and then referred to
	// within the document.
	c := &mgPage{Title: "c"}
	x, y := &mgPage{Title: "x"}, &mgPage{Title: "y"}
	x.Related = []*mgPage{y}
	y.Related = []*mgPage{x, y}
	c.Related = []*mgPage{x, y}
	must(t, pages.Save(ctx, c))
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	gc, err := pages.Get(ctx, lookups.Q{"title": "c"})
	must(t, err)
	gx, gy := gc.Related[0], gc.Related[1]
	if gx.Title != "x" || gy.Title != "y" || gx.Related[0] != gy || gy.Related[0] != gx || gy.Related[1] != gy {
		t.Errorf("the unsaved cycle came back as %+v / %+v", gx, gy)
	}
	if n := rawCount(t, db, "pages", bson.D{}); n != 3 {
		t.Errorf("%d pages stored, want 3 (a, b, c)", n)
	}
}

func TestMongoLoadNoOpWhenLoaded(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	counter := &findCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)
	u := &mgUser{Name: "x", Age: 5}
	must(t, users.Save(ctx, u))

	before := counter.finds.Load()
	must(t, users.Load(ctx, u))
	if counter.finds.Load() != before {
		t.Error("Load of a loaded object queried the database")
	}

	stub := &mgUser{ID: u.ID}
	must(t, users.Load(ctx, stub))
	if counter.finds.Load() != before+1 {
		t.Errorf("Load of an unloaded object made %d finds, want 1", counter.finds.Load()-before)
	}
	if stub.Name != "x" || stub.Age != 5 || !stub.IsLoaded() {
		t.Errorf("Load filled %+v", stub)
	}
	must(t, users.Load(ctx, stub))
	if counter.finds.Load() != before+1 {
		t.Error("a second Load queried again")
	}
	if err := users.Load(ctx, &mgUser{}); !errors.Is(err, mongo.ErrNotSaved) {
		t.Errorf("Load of an unsaved object: %v, want ErrNotSaved", err)
	}
}

func TestMongoReferencesResolvedInOneQueryPerModel(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	counter := &findCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)
	sites := mongo.Objects[mgSite](db)
	pages := mongo.Objects[mgPage](db)

	const n, m = 30, 4
	var authors []*mgUser
	for i := range m {
		u := &mgUser{Name: "author" + string(rune('a'+i))}
		must(t, users.Save(ctx, u))
		authors = append(authors, u)
	}
	site := &mgSite{ID: "main", Host: "example.org"}
	must(t, sites.Save(ctx, site))
	var all []*mgPage
	for i := range n {
		p := &mgPage{Title: "page" + string(rune('A'+i)), Author: authors[i%m], Site: site}
		if i > 0 {
			p.Related = []*mgPage{all[i-1]} // pages of the same batch
		}
		must(t, pages.Save(ctx, p))
		all = append(all, p)
	}
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	before := counter.finds.Load()
	got, err := pages.Find(ctx, nil, mongo.Sort("title"))
	must(t, err)
	if finds := counter.finds.Load() - before; finds != 1+2 {
		t.Errorf("restoring %d pages referencing %d users and 1 site made %d finds, want 1 + 2", n, m, finds)
	}
	if len(got) != n {
		t.Fatalf("%d pages, want %d", len(got), n)
	}
	distinct := map[*mgUser]bool{}
	for i, p := range got {
		if p.Author == nil || !p.Author.IsLoaded() || p.Author.Name != authors[i%m].Name {
			t.Fatalf("page %d author %+v", i, p.Author)
		}
		distinct[p.Author] = true
		if p.Site == nil || p.Site.Host != "example.org" || p.Site != got[0].Site {
			t.Fatalf("page %d site %+v", i, p.Site)
		}
		if i > 0 && p.Related[0] != got[i-1] {
			t.Fatalf("page %d: Related[0] is not the previous page object", i)
		}
	}
	if len(distinct) != m {
		t.Errorf("%d distinct author objects, want %d", len(distinct), m)
	}

	// Iterate resolves per batch: with one batch, the same count.
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	before = counter.finds.Load()
	count := 0
	for p, err := range pages.Iterate(ctx, lookups.Q{"title__startswith": "page"}) {
		must(t, err)
		if p.Author == nil || !p.Author.IsLoaded() {
			t.Fatal("Iterate did not resolve the author")
		}
		count++
	}
	if count != n {
		t.Errorf("Iterate yielded %d pages", count)
	}
	if finds := counter.finds.Load() - before; finds != 3 {
		t.Errorf("Iterate made %d finds, want 3", finds)
	}

	// With what they reference in memory: one find.
	before = counter.finds.Load()
	_, err = pages.Find(ctx, nil)
	must(t, err)
	if finds := counter.finds.Load() - before; finds != 1 {
		t.Errorf("with everything cached Find made %d finds, want 1", finds)
	}

	// RestoreAll of raw documents: one find per referenced model.
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	cur, err := pages.Collection().Find(ctx, bson.D{})
	must(t, err)
	var raws []bson.Raw
	must(t, cur.All(ctx, &raws))
	docs := make([]any, len(raws))
	for i := range raws {
		docs[i] = raws[i]
	}
	before = counter.finds.Load()
	restored, err := pages.RestoreAll(ctx, docs)
	must(t, err)
	if finds := counter.finds.Load() - before; finds != 2 || len(restored) != n {
		t.Errorf("RestoreAll of %d docs made %d finds, want 2", len(restored), finds)
	}
}

func TestMongoLookups(t *testing.T) {
	t.Parallel()
	ctx := mongo.WithScope(context.Background())
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	pages := mongo.Objects[mgPage](db)
	ann := &mgUser{Name: "Ann", Email: "ann@example.org", Age: 31}
	bob := &mgUser{Name: "bob", Age: 25}
	cid := &mgUser{Name: "Cid.x", Email: "cid@example.org", Age: 47}
	dee := &mgUser{Name: "dee%_", Age: 25}
	for _, u := range []*mgUser{ann, bob, cid, dee} {
		must(t, users.Save(ctx, u))
	}
	three, five := 3, 5
	for _, p := range []*mgPage{
		{Title: "Go", Author: ann, Tags: []string{"go", "db"}, Rating: &five},
		{Title: "Mongo", Author: bob, Tags: []string{"db"}, Rating: &three},
		{Title: "Notes", Author: ann},
	} {
		must(t, pages.Save(ctx, p))
	}

	names := func(cond any) []string {
		t.Helper()
		got, err := users.Find(ctx, cond, mongo.Sort("name"))
		if err != nil {
			t.Fatalf("Find(%v): %v", cond, err)
		}
		var out []string
		for _, u := range got {
			out = append(out, u.Name)
		}
		return out
	}
	titles := func(cond any) []string {
		t.Helper()
		got, err := pages.Find(ctx, cond, mongo.Sort("title"))
		if err != nil {
			t.Fatalf("Find(%v): %v", cond, err)
		}
		var out []string
		for _, p := range got {
			out = append(out, p.Title)
		}
		return out
	}
	tests := []struct {
		name string
		got  func() []string
		want []string
	}{
		{"exact", func() []string { return names(lookups.Q{"name": "Ann"}) }, []string{"Ann"}},
		{"iexact", func() []string { return names(lookups.Q{"name__iexact": "BOB"}) }, []string{"bob"}},
		{"iexact is anchored", func() []string { return names(lookups.Q{"name__iexact": "bo"}) }, nil},
		{"ne", func() []string { return names(lookups.Q{"age__ne": 25}) }, []string{"Ann", "Cid.x"}},
		{"not", func() []string { return names(lookups.Q{"age__not": 25}) }, []string{"Ann", "Cid.x"}},
		{"gt", func() []string { return names(lookups.Q{"age__gt": 31}) }, []string{"Cid.x"}},
		{"gte", func() []string { return names(lookups.Q{"age__gte": 31}) }, []string{"Ann", "Cid.x"}},
		{"lt", func() []string { return names(lookups.Q{"age__lt": 31}) }, []string{"bob", "dee%_"}},
		{"lte", func() []string { return names(lookups.Q{"age__lte": 31}) }, []string{"Ann", "bob", "dee%_"}},
		{"in", func() []string { return names(lookups.Q{"name__in": []string{"Ann", "bob", "zed"}}) }, []string{"Ann", "bob"}},
		{"in empty", func() []string { return names(lookups.Q{"name__in": []string{}}) }, nil},
		{"notin", func() []string { return names(lookups.Q{"name__notin": []string{"Ann", "bob"}}) }, []string{"Cid.x", "dee%_"}},
		{"range", func() []string { return names(lookups.Q{"age__range": []int{25, 31}}) }, []string{"Ann", "bob", "dee%_"}},
		{"isnull true (missing)", func() []string { return names(lookups.Q{"email__isnull": true}) }, []string{"bob", "dee%_"}},
		{"isnull false", func() []string { return names(lookups.Q{"email__isnull": false}) }, []string{"Ann", "Cid.x"}},
		{"exact nil matches missing", func() []string { return names(lookups.Q{"email": nil}) }, []string{"bob", "dee%_"}},
		{"contains is literal", func() []string { return names(lookups.Q{"name__contains": "."}) }, []string{"Cid.x"}},
		{"contains % literally", func() []string { return names(lookups.Q{"name__contains": "%_"}) }, []string{"dee%_"}},
		{"contains is case-sensitive", func() []string { return names(lookups.Q{"name__contains": "B"}) }, nil},
		{"icontains", func() []string { return names(lookups.Q{"name__icontains": "B"}) }, []string{"bob"}},
		{"startswith", func() []string { return names(lookups.Q{"name__startswith": "Ci"}) }, []string{"Cid.x"}},
		{"istartswith", func() []string { return names(lookups.Q{"name__istartswith": "a"}) }, []string{"Ann"}},
		{"endswith", func() []string { return names(lookups.Q{"email__endswith": ".org"}) }, []string{"Ann", "Cid.x"}},
		{"iendswith", func() []string { return names(lookups.Q{"name__iendswith": "X"}) }, []string{"Cid.x"}},
		{"like", func() []string { return names(lookups.Q{"name__like": "_nn"}) }, []string{"Ann"}},
		{"like escaped", func() []string { return names(lookups.Q{"name__like": `dee\%\_`}) }, []string{"dee%_"}},
		{"ilike", func() []string { return names(lookups.Q{"name__ilike": "B%"}) }, []string{"bob"}},
		{"regex", func() []string { return names(lookups.Q{"name__regex": "^[A-C]"}) }, []string{"Ann", "Cid.x"}},
		{"iregex", func() []string { return names(lookups.Q{"name__iregex": "^[a-b]"}) }, []string{"Ann", "bob"}},
		{"pk", func() []string { return names(lookups.Q{"pk": bob.ID}) }, []string{"bob"}},
		{"pk hex", func() []string { return names(lookups.Q{"_id": bob.ID.Hex()}) }, []string{"bob"}},
		{"and", func() []string { return names(lookups.Q{"age": 25, "name__startswith": "d"}) }, []string{"dee%_"}},
		{"and same field", func() []string {
			return names(lookups.And(lookups.Q{"age__gt": 20}, lookups.Q{"age__lt": 30}))
		}, []string{"bob", "dee%_"}},
		{"or", func() []string {
			return names(lookups.Or(lookups.Q{"age__lt": 26}, lookups.Q{"name": "Ann"}))
		}, []string{"Ann", "bob", "dee%_"}},
		{"empty or", func() []string { return names(lookups.Or()) }, nil},
		{"not", func() []string { return names(lookups.Not(lookups.Q{"age": 25})) }, []string{"Ann", "Cid.x"}},
		{"not keeps missing (exclude semantics)", func() []string {
			return names(lookups.Not(lookups.Q{"email__endswith": "example.org"}))
		}, []string{"bob", "dee%_"}},
		{"raw bson.M", func() []string { return names(bson.M{"age": bson.M{"$gt": 40}}) }, []string{"Cid.x"}},
		{"array element", func() []string { return titles(lookups.Q{"tags": "go"}) }, []string{"Go"}},
		{"array in", func() []string { return titles(lookups.Q{"tags__in": []string{"db"}}) }, []string{"Go", "Mongo"}},
		{"pointer value", func() []string { return titles(lookups.Q{"rating__gte": 4}) }, []string{"Go"}},
		{"null pointer", func() []string { return titles(lookups.Q{"rating": nil}) }, []string{"Notes"}},
		{"ne skips null", func() []string { return titles(lookups.Q{"rating__ne": 3}) }, []string{"Go"}},
		{"exclude keeps null", func() []string { return titles(lookups.Not(lookups.Q{"rating": 3})) }, []string{"Go", "Notes"}},
		{"author._id", func() []string { return titles(lookups.Q{"author___id": ann.ID}) }, []string{"Go", "Notes"}},
		{"author object", func() []string { return titles(lookups.Q{"author": bob}) }, []string{"Mongo"}},
		{"author in", func() []string { return titles(lookups.Q{"author__in": []*mgUser{bob, cid}}) }, []string{"Mongo"}},
		{"author dotted raw", func() []string { return titles(bson.D{{Key: "author._id", Value: ann.ID}}) }, []string{"Go", "Notes"}},
	}
	for _, tt := range tests {
		if got := tt.got(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}

	// Sort, limit, skip, projection, count, FindOne, Get.
	got, err := users.Find(ctx, nil, mongo.Sort("-age", "name"), mongo.Skip(1), mongo.Limit(2))
	must(t, err)
	if len(got) != 2 || got[0].Name != "Ann" || got[1].Name != "bob" {
		t.Errorf("sort -age,name skip 1 limit 2: %v", got)
	}
	ctx = mongo.WithScope(context.Background()) // a new unit of work
	proj, err := users.Find(ctx, lookups.Q{"name": "Ann"}, mongo.Project("name"))
	must(t, err)
	if len(proj) != 1 || proj[0].Name != "Ann" || proj[0].Age != 0 || proj[0].ID != ann.ID || proj[0].IsLoaded() {
		t.Errorf("projection: %+v", proj)
	}
	if mongo.ScopeOf(ctx).Len() != 0 {
		t.Error("a projected object entered the cache")
	}
	if n, err := users.Count(ctx, lookups.Q{"age": 25}); err != nil || n != 2 {
		t.Errorf("Count = %d, %v", n, err)
	}
	none, err := users.FindOne(ctx, lookups.Q{"name": "nobody"})
	if err != nil || none != nil {
		t.Errorf("FindOne of nothing = %v, %v; want nil, nil", none, err)
	}
	if _, err := users.Get(ctx, lookups.Q{"age": 25}); !errors.Is(err, mongo.ErrMultipleObjectsReturned) {
		t.Errorf("Get of two: %v", err)
	}
}

func TestMongoBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)

	// No database: every call says so.
	nodb := mongo.Objects[mgUser](nil)
	for name, err := range map[string]error{
		"Save":   nodb.Save(ctx, &mgUser{}),
		"Delete": nodb.Delete(ctx, &mgUser{}),
		"Load":   nodb.Load(ctx, &mgUser{}),
		"Find":   func() error { _, err := nodb.Find(ctx, nil); return err }(),
		"Get":    func() error { _, err := nodb.Get(ctx, nil); return err }(),
		"Count":  func() error { _, err := nodb.Count(ctx, nil); return err }(),
		"Iterate": func() error {
			for _, err := range nodb.Iterate(ctx, nil) {
				return err
			}
			return nil
		}(),
		"Restore":       func() error { _, err := nodb.Restore(ctx, bson.M{"_id": 1}); return err }(),
		"EnsureIndexes": nodb.EnsureIndexes(ctx),
	} {
		if !errors.Is(err, mongo.ErrNoDatabase) {
			t.Errorf("%s without a database: %v, want ErrNoDatabase", name, err)
		}
	}

	// Lookups errors name the model and key.
	_, err := users.Find(ctx, lookups.Q{"nmae": "x"})
	var le *lookups.Error
	if !errors.Is(err, lookups.ErrUnknownField) || !errors.As(err, &le) || le.Model != "tests.mgUser" || le.Key != "nmae" {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := users.Find(ctx, lookups.Q{"name__foo__bar": "x"}); !errors.Is(err, lookups.ErrUnknownLookup) {
		t.Errorf("path past a string: %v", err)
	}
	if _, err := users.Count(ctx, lookups.Q{"age__year": 2020}); !errors.Is(err, mongo.ErrUnsupported) || !strings.Contains(err.Error(), "age__year") {
		t.Errorf("transform: %v", err)
	}
	if _, err := users.Find(ctx, map[string]any{"name": "x"}); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("ambiguous map: %v", err)
	}
	if _, err := users.Find(ctx, nil, mongo.Sort("nope")); !errors.Is(err, lookups.ErrUnknownField) {
		t.Errorf("sort on an unknown field: %v", err)
	}
	if _, err := users.Find(ctx, nil, mongo.Limit(-1)); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("negative limit: %v", err)
	}
	if _, err := users.Find(ctx, lookups.Q{"age": make(chan int)}); err == nil {
		t.Error("a channel value was accepted")
	}

	// A reference to an unregistered model.
	type mgOrphan struct {
		ID   bson.ObjectID `bson:"_id"`
		Name string
	}
	type mgHolder struct {
		ID     bson.ObjectID `bson:"_id"`
		Orphan *mgOrphan     `bson:"orphan"`
	}
	holders := mongo.Objects[mgHolder](db)
	err = holders.Save(ctx, &mgHolder{Orphan: &mgOrphan{ID: bson.NewObjectID()}})
	if !errors.Is(err, mongo.ErrUnknownModel) || !strings.Contains(err.Error(), "mgHolder.orphan") || !strings.Contains(err.Error(), "mgOrphan") {
		t.Errorf("saving a reference to an unregistered model: %v", err)
	}
	// Unsaved, it is embedded: no registration needed.
	must(t, holders.Save(ctx, &mgHolder{Orphan: &mgOrphan{Name: "embedded"}}))
	// A stored reference to it cannot be restored.
	_, err = holders.Restore(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "orphan", Value: bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "__model__", Value: "tests.mgOrphan"}}}})
	if !errors.Is(err, mongo.ErrUnknownModel) || !strings.Contains(err.Error(), "orphan") {
		t.Errorf("restoring a reference to an unregistered model: %v", err)
	}
	// A __model__ nobody registered.
	type mgAnyHolder struct {
		ID    bson.ObjectID `bson:"_id"`
		Thing any           `bson:"thing"`
	}
	_, err = mongo.Objects[mgAnyHolder](db).Restore(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "thing", Value: bson.D{{Key: "_id", Value: 2}, {Key: "__model__", Value: "nowhere.Thing"}}}})
	if !errors.Is(err, mongo.ErrUnknownModel) || !strings.Contains(err.Error(), "nowhere.Thing") {
		t.Errorf("restoring an unknown __model__: %v", err)
	}

	// Bad models.
	type mgNoID struct{ Name string }
	if err := mongo.Objects[mgNoID](db).Save(ctx, &mgNoID{}); !errors.Is(err, mongo.ErrBadModel) || !strings.Contains(err.Error(), "_id") {
		t.Errorf("a model without _id: %v", err)
	}
	type mgBadTag struct {
		ID   bson.ObjectID `bson:"_id"`
		Name string        `mongo:"uniq"`
	}
	if err := mongo.Register[mgBadTag](); !errors.Is(err, mongo.ErrBadModel) || !strings.Contains(err.Error(), "mgBadTag.Name") || !strings.Contains(err.Error(), "uniq") {
		t.Errorf("a bad tag: %v", err)
	}
	type mgIntID struct {
		ID   int64 `bson:"_id"`
		Name string
	}
	ints := mongo.Objects[mgIntID](db)
	if err := ints.Save(ctx, &mgIntID{}); !errors.Is(err, mongo.ErrNoID) {
		t.Errorf("a zero int _id: %v", err)
	}
	must(t, ints.Save(ctx, &mgIntID{ID: 7, Name: "seven"}))
	seven, err := ints.Get(ctx, lookups.Q{"pk": 7})
	must(t, err)
	if seven.Name != "seven" {
		t.Errorf("int _id: %+v", seven)
	}

	// A document that does not fit the struct names the field.
	_, err = users.Restore(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "age", Value: "old"}})
	if !errors.Is(err, mongo.ErrDecode) || !strings.Contains(err.Error(), "mgUser.age") {
		t.Errorf("a string for an int: %v", err)
	}
	if _, err := users.Restore(ctx, bson.D{{Key: "name", Value: "no id"}}); !errors.Is(err, mongo.ErrDecode) {
		t.Errorf("a document without _id: %v", err)
	}

	// Unique index.
	must(t, users.EnsureIndexes(ctx))
	must(t, users.Save(ctx, &mgUser{Name: "taken"}))
	dup := &mgUser{Name: "taken"}
	if err := users.Save(ctx, dup); !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Errorf("a duplicate unique name: %v, want ErrDuplicateKey", err)
	}
	if !dup.ID.IsZero() {
		t.Error("a failed Save left its generated _id on the object")
	}
}

func TestMongoIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mongoDB(t, nil)
	pages := mongo.Objects[mgPage](db)
	must(t, pages.EnsureIndexes(ctx))
	must(t, pages.EnsureIndexes(ctx)) // again: nothing to do
	cur, err := db.Collection("pages").Indexes().List(ctx)
	must(t, err)
	var specs []bson.M
	must(t, cur.All(ctx, &specs))
	byName := map[string]bson.M{}
	for _, s := range specs {
		byName[s["name"].(string)] = s
	}
	if _, ok := byName["title_1"]; !ok {
		t.Errorf("no title_1 index in %v", specs)
	}
	st, ok := byName["site_title"]
	if !ok {
		t.Fatalf("no site_title index in %v", specs)
	}
	if st["unique"] != true {
		t.Errorf("site_title is not unique: %v", st)
	}
	keys, _ := bson.Marshal(st["key"])
	var kd bson.D
	must(t, bson.Unmarshal(keys, &kd))
	if len(kd) != 2 || kd[0].Key != "site._id" || kd[1].Key != "title" {
		t.Errorf("site_title keys %v", kd)
	}
	site := &mgSite{ID: "s", Host: "h"}
	must(t, mongo.Objects[mgSite](db).Save(ctx, site))
	must(t, pages.Save(ctx, &mgPage{Title: "t", Site: site}))
	if err := pages.Save(ctx, &mgPage{Title: "t", Site: site}); !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Errorf("compound unique index: %v", err)
	}
	// Sparse: pages without a site do not collide.
	must(t, pages.Save(ctx, &mgPage{Title: "t"}))
	must(t, pages.Save(ctx, &mgPage{Title: "t"}))
}

func TestMongoConcurrentRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	pages := mongo.Objects[mgPage](db)
	u := &mgUser{Name: "shared"}
	must(t, users.Save(ctx, u))
	for i := range 10 {
		must(t, pages.Save(ctx, &mgPage{Title: "p" + string(rune('a'+i)), Author: u}))
	}
	var wg sync.WaitGroup
	results := make([][]*mgPage, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := pages.Find(ctx, nil, mongo.Sort("title"))
			if err != nil {
				t.Error(err)
				return
			}
			for _, p := range got {
				_ = p.Author.Name // read what another goroutine may have filled
			}
			results[g] = got
		}()
	}
	wg.Wait()
	seen := map[*mgUser]bool{}
	for _, r := range results {
		if len(r) != 10 {
			t.Fatalf("%d pages", len(r))
		}
		// Each call is its own scope: no goroutine holds another's objects.
		if seen[r[0].Author] {
			t.Error("two goroutines got the same author object without sharing a scope")
		}
		seen[r[0].Author] = true
		for _, p := range r {
			if p.Author == nil || p.Author.Name != "shared" {
				t.Fatalf("author %+v", p.Author)
			}
		}
	}
}
