package tests

// Integration tests of the mongo/ mapper's writes and state rules: partial
// saves from dirty tracking, Replace, BulkSave, query-wide updates,
// optimistic locking, hooks, the identity scope, transactions. Written to
// MongoDB's documented semantics; run on FerretDB here.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// mgAccount has a version field and hooks.
type mgAccount struct {
	mongo.Model `mongo:"collection=accounts"`
	ID          bson.ObjectID `bson:"_id"`
	Owner       string        `bson:"owner"`
	Balance     int64         `bson:"balance"`
	Note        string        `bson:"note,omitempty"`
	Tags        []string      `bson:"tags"`
	Version     int           `bson:"version" mongo:"version"`

	events []string // the hooks called, in order (not stored)
}

var errNoOwner = errors.New("an account needs an owner")

func (a *mgAccount) BeforeSave(context.Context) error {
	a.events = append(a.events, "BeforeSave")
	if strings.TrimSpace(a.Owner) == "" {
		return errNoOwner
	}
	a.Owner = strings.TrimSpace(a.Owner)
	return nil
}

func (a *mgAccount) AfterSave(context.Context) error {
	a.events = append(a.events, "AfterSave")
	return nil
}

func (a *mgAccount) AfterLoad(context.Context) error {
	a.events = append(a.events, "AfterLoad")
	if a.Owner == "poison" {
		return errors.New("poisoned")
	}
	return nil
}

func (a *mgAccount) BeforeDelete(context.Context) error {
	if a.Balance != 0 {
		return fmt.Errorf("account %s still holds %d", a.Owner, a.Balance)
	}
	return nil
}

// cmdCounter counts the commands of each name sent to one database.
type cmdCounter struct {
	db   atomic.Value // string
	mu   sync.Mutex
	n    map[string]int
	last map[string]bson.Raw
}

func (c *cmdCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if name, _ := c.db.Load().(string); name != e.DatabaseName {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.n == nil {
			c.n, c.last = map[string]int{}, map[string]bson.Raw{}
		}
		c.n[e.CommandName]++
		c.last[e.CommandName] = append(bson.Raw(nil), e.Command...)
	}}
}

func (c *cmdCounter) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

func (c *cmdCounter) lastCmd(name string) bson.Raw {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last[name]
}

func storedUser(t *testing.T, db *mongodriver.Database, id bson.ObjectID) bson.M {
	t.Helper()
	var m bson.M
	must(t, db.Collection("users").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&m))
	return m
}

func TestMongoPartialSaveKeepsBothChanges(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	counter := &cmdCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)
	u := &mgUser{Name: "Ann", Email: "ann@example.org", Age: 30}
	must(t, users.Save(bg, u))
	if counter.count("insert") != 1 || counter.count("update") != 0 {
		t.Errorf("saving a new object: %d inserts, %d updates; want one insert", counter.count("insert"), counter.count("update"))
	}

	// Two services load the document, each changes another field.
	a, err := users.Get(mongo.WithScope(bg), lookups.Q{"pk": u.ID})
	must(t, err)
	b, err := users.Get(mongo.WithScope(bg), lookups.Q{"pk": u.ID})
	must(t, err)
	if a == b {
		t.Fatal("two scopes share an object")
	}
	a.Name = "Anne"
	b.Age = 31
	must(t, users.Save(bg, a))
	must(t, users.Save(bg, b))
	got := storedUser(t, db, u.ID)
	if got["name"] != "Anne" || fmt.Sprint(got["age"]) != "31" || got["email"] != "ann@example.org" {
		t.Errorf("after two partial saves: %v, want name Anne (a) and age 31 (b)", got)
	}
	upd := counter.lastCmd("update")
	if s := upd.String(); !strings.Contains(s, `"$set": {"age"`) || strings.Contains(s, `"name"`) {
		t.Errorf("b's save sent %s, want a $set of age alone", s)
	}

	// Nothing changed: nothing sent.
	before := counter.count("update")
	must(t, users.Save(bg, b))
	if counter.count("update") != before {
		t.Error("saving an unchanged object sent an update")
	}
	// An omitempty field made empty is $unset.
	a.Email = ""
	must(t, users.Save(bg, a))
	if _, ok := storedUser(t, db, u.ID)["email"]; ok {
		t.Error("emptying an omitempty field did not remove it")
	}
	if !strings.Contains(counter.lastCmd("update").String(), `"$unset"`) {
		t.Errorf("no $unset in %s", counter.lastCmd("update"))
	}

	// Save with field names writes those fields and leaves the other
	// changes dirty (issue 8, item 4, on MongoDB).
	b.Name, b.Age = "B", 2
	must(t, users.Save(bg, b, "name"))
	got = storedUser(t, db, u.ID)
	if got["name"] != "B" || fmt.Sprint(got["age"]) != "31" {
		t.Errorf("Save(name): %v, want B/31", got)
	}
	must(t, users.Save(bg, b))
	got = storedUser(t, db, u.ID)
	if got["name"] != "B" || fmt.Sprint(got["age"]) != "2" {
		t.Errorf("Save after Save(name): %v, want B/2 (the age change was not forgotten)", got)
	}
	if err := users.Save(bg, b, "nope"); !errors.Is(err, lookups.ErrUnknownField) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Save of an unknown field: %v", err)
	}
	if err := users.Save(bg, &mgUser{Name: "new"}, "name"); !errors.Is(err, mongo.ErrNotSaved) {
		t.Errorf("Save(fields) of a new object: %v, want ErrNotSaved", err)
	}

	// A new object with an _id of the program's choosing is inserted: a
	// taken _id is a duplicate, not an overwrite.
	clash := &mgUser{ID: u.ID, Name: "impostor"}
	if err := users.Save(bg, clash); !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Errorf("Save of a new object with a taken _id: %v, want ErrDuplicateKey", err)
	}
	if clash.IsLoaded() || storedUser(t, db, u.ID)["name"] != "B" {
		t.Error("the failed insert changed the object's state or the document")
	}
	// Replace writes the whole document (upsert for an object not loaded).
	must(t, users.Replace(bg, clash))
	got = storedUser(t, db, u.ID)
	if got["name"] != "impostor" || fmt.Sprint(got["age"]) != "0" || !clash.IsLoaded() {
		t.Errorf("Replace: %v", got)
	}
	fresh := &mgUser{ID: bson.NewObjectID(), Name: "upserted"}
	must(t, users.Replace(bg, fresh))
	if storedUser(t, db, fresh.ID)["name"] != "upserted" {
		t.Error("Replace of a new object did not insert it")
	}

	// A loaded object whose document is gone: ErrDoesNotExist, not a
	// partial document.
	_, err = users.Collection().DeleteOne(bg, bson.D{{Key: "_id", Value: u.ID}})
	must(t, err)
	b.Age = 3
	if err := users.Save(bg, b); !errors.Is(err, mongo.ErrDoesNotExist) {
		t.Errorf("Save of a loaded object whose document was deleted: %v", err)
	}
	if n := rawCount(t, db, "users", bson.D{{Key: "_id", Value: u.ID}}); n != 0 {
		t.Error("Save recreated a deleted document from a partial update")
	}
}

func TestMongoVersionAndHooks(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	accounts := mongo.Objects[mgAccount](db)

	// BeforeSave refuses: nothing written, no _id, not loaded.
	bad := &mgAccount{Owner: "  "}
	if err := accounts.Save(bg, bad); !errors.Is(err, errNoOwner) || !errors.Is(err, mongo.ErrHook) {
		t.Errorf("BeforeSave error: %v", err)
	}
	if !bad.ID.IsZero() || bad.IsLoaded() || rawCount(t, db, "accounts", bson.D{}) != 0 {
		t.Error("a save refused by BeforeSave wrote something")
	}
	acc := &mgAccount{Owner: " ann ", Balance: 100}
	must(t, accounts.Save(bg, acc))
	if acc.Owner != "ann" || acc.Version != 1 || !slices.Equal(acc.events, []string{"BeforeSave", "AfterSave"}) {
		t.Errorf("after insert: owner %q version %d events %v", acc.Owner, acc.Version, acc.events)
	}

	// Two copies: the first save wins, the second is stale.
	c1, err := accounts.Get(bg, lookups.Q{"pk": acc.ID})
	must(t, err)
	c2, err := accounts.Get(bg, lookups.Q{"pk": acc.ID})
	must(t, err)
	if !slices.Equal(c1.events, []string{"AfterLoad"}) {
		t.Errorf("AfterLoad: events %v", c1.events)
	}
	c1.Balance = 90
	must(t, accounts.Save(bg, c1))
	if c1.Version != 2 {
		t.Errorf("version after update = %d, want 2", c1.Version)
	}
	c2.Note = "late"
	err = accounts.Save(bg, c2)
	var me *mongo.Error
	if !errors.Is(err, mongo.ErrStale) || !errors.As(err, &me) || me.Field != "Version" || me.Model != "tests.mgAccount" {
		t.Errorf("stale save: %v, want ErrStale naming tests.mgAccount.Version", err)
	}
	if c2.Version != 1 {
		t.Errorf("a failed save changed the version to %d", c2.Version)
	}
	// A read in c2's scope would refresh it; Refresh does too. Then the
	// change can be made again.
	must(t, accounts.Refresh(bg, c2))
	if c2.Version != 2 || c2.Balance != 90 || c2.Note != "" {
		t.Errorf("after Refresh: %+v", c2)
	}
	c2.Note = "on time"
	must(t, accounts.Save(bg, c2))
	var stored mgAccount
	must(t, accounts.Collection().FindOne(bg, bson.D{{Key: "_id", Value: acc.ID}}).Decode(&stored))
	if stored.Balance != 90 || stored.Note != "on time" || stored.Version != 3 {
		t.Errorf("stored %+v", stored)
	}
	// A read keeps the version of an object with unsaved changes, so that
	// saving them is still checked.
	ctx := mongo.WithScope(bg)
	held, err := accounts.Get(ctx, lookups.Q{"pk": acc.ID})
	must(t, err)
	held.Balance = 0
	_, err = accounts.Filter(lookups.Q{"pk": acc.ID}).Update(bg, mongo.Set("note", "elsewhere"))
	must(t, err)
	_, err = accounts.Get(ctx, lookups.Q{"pk": acc.ID})
	must(t, err)
	if held.Note != "elsewhere" || held.Version != 3 || held.Balance != 0 {
		t.Errorf("read of a changed object: %+v, want the new note, the old version and the unsaved balance", held)
	}
	if err := accounts.Save(ctx, held); !errors.Is(err, mongo.ErrStale) {
		t.Errorf("saving over a query-wide update: %v, want ErrStale (Update raises the version)", err)
	}

	// Delete: hooks and the version.
	c2.Balance = 0
	if err := accounts.Delete(bg, c1); err == nil || !errors.Is(err, mongo.ErrHook) {
		t.Errorf("BeforeDelete refusal: %v", err)
	}
	c1.Balance = 0
	if err := accounts.Delete(bg, c1); !errors.Is(err, mongo.ErrStale) {
		t.Errorf("Delete of a stale object: %v", err)
	}
	must(t, accounts.Refresh(bg, c1))
	c1.Balance = 0
	must(t, accounts.Save(bg, c1))
	must(t, accounts.Delete(bg, c1))
	if rawCount(t, db, "accounts", bson.D{}) != 0 || c1.IsLoaded() {
		t.Error("Delete left the document or the object loaded")
	}
	// An AfterLoad error is the read's error.
	_, err = accounts.Collection().InsertOne(bg, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "owner", Value: "poison"}, {Key: "version", Value: 1}})
	must(t, err)
	if _, err := accounts.Find(bg, nil); !errors.Is(err, mongo.ErrHook) || !strings.Contains(err.Error(), "poisoned") {
		t.Errorf("AfterLoad error: %v", err)
	}
	// A bad version tag.
	type mgBadVersion struct {
		ID bson.ObjectID `bson:"_id"`
		V  string        `mongo:"version"`
	}
	if err := mongo.Register[mgBadVersion](); !errors.Is(err, mongo.ErrBadModel) || !strings.Contains(err.Error(), "mgBadVersion.V") {
		t.Errorf("a string version: %v", err)
	}
}

func TestMongoNoGhostAfterFailedSave(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	must(t, users.EnsureIndexes(bg))
	ctx := mongo.WithScope(bg)
	real := &mgUser{Name: "taken"}
	must(t, users.Save(ctx, real))
	if mongo.ScopeOf(ctx).Len() != 1 {
		t.Fatalf("the scope holds %d objects after a save, want 1", mongo.ScopeOf(ctx).Len())
	}
	dup := &mgUser{Name: "taken"}
	if err := users.Save(ctx, dup); !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Fatalf("duplicate: %v", err)
	}
	chosen := bson.NewObjectID()
	dup2 := &mgUser{ID: chosen, Name: "taken"}
	if err := users.Save(ctx, dup2); !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Fatalf("duplicate: %v", err)
	}
	if !dup.ID.IsZero() || dup.IsLoaded() || dup2.IsLoaded() || mongo.ScopeOf(ctx).Len() != 1 {
		t.Errorf("a failed save left a ghost: id %v loaded %v/%v, scope %d", dup.ID, dup.IsLoaded(), dup2.IsLoaded(), mongo.ScopeOf(ctx).Len())
	}
	// The _id the failed save tried is free: a real document with it is
	// read as itself.
	_, err := users.Collection().InsertOne(bg, bson.D{{Key: "_id", Value: chosen}, {Key: "name", Value: "real"}})
	must(t, err)
	got, err := users.Get(ctx, lookups.Q{"pk": chosen})
	must(t, err)
	if got == dup2 || got.Name != "real" {
		t.Errorf("Get of the real document returned the ghost: %+v", got)
	}
}

func TestMongoScopesAcrossGoroutines(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	u := &mgUser{Name: "shared", Age: -1}
	must(t, users.Save(bg, u))
	var wg sync.WaitGroup
	var objs sync.Map
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := mongo.WithScope(bg)
			o, err := users.Get(ctx, lookups.Q{"pk": u.ID})
			if err != nil {
				errs <- err
				return
			}
			if _, dup := objs.LoadOrStore(o, i); dup {
				errs <- errors.New("two goroutines got one object")
			}
			o.Age = i
			o.Email = fmt.Sprintf("g%d@example.org", i)
			errs <- users.Save(ctx, o)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := storedUser(t, db, u.ID)
	if age := fmt.Sprint(got["age"]); age == "-1" || !strings.HasPrefix(got["email"].(string), "g") {
		t.Errorf("no save landed: %v", got)
	}
}

func TestMongoBulkSave(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	counter := &cmdCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)

	// Ordered: a duplicate _id at index 3 stops there.
	id := bson.NewObjectID()
	objs := []*mgUser{
		{Name: "u0"}, {ID: id, Name: "u1"}, {Name: "u2"},
		{ID: id, Name: "dup"}, {Name: "u4"}, {Name: "u5"},
	}
	err := users.BulkSave(bg, objs)
	var be *mongo.BulkError
	if !errors.As(err, &be) || !errors.Is(err, mongo.ErrDuplicateKey) {
		t.Fatalf("BulkSave with a duplicate _id: %v, want a *BulkError wrapping ErrDuplicateKey", err)
	}
	if len(be.Failures) != 1 || be.Failures[0].Index != 3 || be.Failures[0].ID != id || be.Unwritten != 2 {
		t.Errorf("failures %+v, unwritten %d; want document 3 and 2 unwritten", be.Failures, be.Unwritten)
	}
	if !strings.Contains(err.Error(), "document 3") {
		t.Errorf("the error does not name the document: %v", err)
	}
	if n := rawCount(t, db, "users", bson.D{}); n != 3 {
		t.Errorf("%d documents written, want the 3 before the duplicate", n)
	}
	for i, o := range objs {
		written := i < 3
		if o.IsLoaded() != written {
			t.Errorf("object %d: loaded %v, want %v", i, o.IsLoaded(), written)
		}
	}
	if !objs[4].ID.IsZero() || !objs[5].ID.IsZero() || objs[3].ID != id {
		t.Error("unwritten objects kept generated _ids (or lost their own)")
	}
	if counter.count("insert") != 1 {
		t.Errorf("%d insert commands, want 1 bulk write", counter.count("insert"))
	}

	// Changed objects are updated, unchanged ones not sent, new ones
	// inserted, in one call.
	objs[0].Age = 10
	objs[2].Name = "u2 renamed"
	objs = append(objs[:3], &mgUser{Name: "u6"})
	must(t, users.BulkSave(bg, objs))
	if n := rawCount(t, db, "users", bson.D{}); n != 4 {
		t.Errorf("%d documents, want 4", n)
	}
	if storedUser(t, db, objs[0].ID)["age"] != int64(10) && fmt.Sprint(storedUser(t, db, objs[0].ID)["age"]) != "10" {
		t.Error("the changed age was not written")
	}
	if storedUser(t, db, objs[2].ID)["name"] != "u2 renamed" || storedUser(t, db, objs[1].ID)["name"] != "u1" {
		t.Error("the rename was not written, or the unchanged object was")
	}
	if s := counter.lastCmd("update").String(); strings.Count(s, `"q"`) != 2 {
		t.Errorf("the bulk update sent %s, want 2 updates", s)
	}
	must(t, users.BulkSave(bg, nil))

	// Versions: a stale object in a bulk is reported, the others written.
	accounts := mongo.Objects[mgAccount](db)
	accs := []*mgAccount{{Owner: "a"}, {Owner: "b"}, {Owner: "c"}}
	must(t, accounts.BulkSave(bg, accs))
	for _, a := range accs {
		if a.Version != 1 || !a.IsLoaded() {
			t.Fatalf("after bulk insert: %+v", a)
		}
	}
	_, err = accounts.Filter(lookups.Q{"owner": "b"}).Update(bg, mongo.Inc("balance", 5))
	must(t, err)
	for _, a := range accs {
		a.Note = "bulk"
	}
	err = accounts.BulkSave(bg, accs)
	if !errors.As(err, &be) || !errors.Is(err, mongo.ErrStale) || len(be.Failures) != 1 || be.Failures[0].Index != 1 {
		t.Fatalf("bulk with a stale object: %v", err)
	}
	if accs[0].Version != 2 || accs[1].Version != 1 || accs[2].Version != 2 {
		t.Errorf("versions after a bulk with a stale object: %d %d %d, want 2 1 2", accs[0].Version, accs[1].Version, accs[2].Version)
	}
	for i, a := range accs {
		last := a.events[len(a.events)-1]
		if (i != 1) != (last == "AfterSave") {
			t.Errorf("account %d: last hook %s after a bulk in which only 1 failed", i, last)
		}
	}
	if n := rawCount(t, db, "accounts", bson.D{{Key: "note", Value: "bulk"}}); n != 2 {
		t.Errorf("%d accounts noted, want 2", n)
	}

	// 2,500 new objects: three batches.
	before := counter.count("insert")
	many := make([]*mgUser, 2500)
	for i := range many {
		many[i] = &mgUser{Name: fmt.Sprintf("many%04d", i)}
	}
	must(t, users.BulkSave(bg, many))
	if n := rawCount(t, db, "users", bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^many"}}}}); n != 2500 {
		t.Errorf("%d of 2500 written", n)
	}
	if got := counter.count("insert") - before; got != 3 {
		t.Errorf("%d insert commands for 2500 objects, want 3", got)
	}
	if err := users.BulkSave(bg, []*mgUser{{Name: "x"}, nil}); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("a nil object: %v", err)
	}
}

func TestMongoQueryWrites(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	pages := mongo.Objects[mgPage](db)
	ann, bob := &mgUser{Name: "ann", Age: 30}, &mgUser{Name: "bob", Age: 40}
	must(t, users.BulkSave(bg, []*mgUser{ann, bob}))
	three := 3
	ps := []*mgPage{
		{Title: "a", Author: ann, Tags: []string{"go"}, Rating: &three},
		{Title: "b", Author: ann, Tags: []string{"db"}},
		{Title: "c", Author: bob, Tags: []string{"go", "db"}},
	}
	must(t, pages.BulkSave(bg, ps))

	n, err := pages.Filter(lookups.Q{"author": ann}).Update(bg, mongo.Set("title", "by ann"), mongo.Push("tags", "ann", "x"), mongo.Set("rating", 5))
	must(t, err)
	if n != 2 {
		t.Errorf("Update matched %d, want 2", n)
	}
	got, err := pages.Find(bg, lookups.Q{"title": "by ann"}, mongo.Sort("_id"))
	must(t, err)
	if len(got) != 2 || !slices.Equal(got[0].Tags, []string{"go", "ann", "x"}) || *got[1].Rating != 5 {
		t.Errorf("after Update: %+v", got)
	}
	// Two operators on one field in one update conflict, on MongoDB as on
	// FerretDB: two updates.
	_, err = pages.Filter(lookups.Q{"title": "by ann"}).Update(bg, mongo.Pull("tags", "x", "go"), mongo.Unset("rating"))
	must(t, err)
	_, err = pages.Filter(lookups.Q{"title": "by ann"}).Update(bg, mongo.AddToSet("tags", "ann", "new"))
	must(t, err)
	got, err = pages.Find(bg, lookups.Q{"title": "by ann"}, mongo.Sort("_id"))
	must(t, err)
	if !slices.Equal(got[0].Tags, []string{"ann", "new"}) || !slices.Equal(got[1].Tags, []string{"db", "ann", "new"}) || got[0].Rating != nil {
		t.Errorf("after Pull/AddToSet/Unset: %v %v %v", got[0].Tags, got[1].Tags, got[0].Rating)
	}
	// References: Set and Push store {_id, __model__}; Pull removes them.
	// Push needs an array: a nil slice is stored as null, which MongoDB
	// refuses to push to.
	if _, err := pages.Filter(lookups.Q{"title": "c"}).Update(bg, mongo.Push("related", ps[0])); err == nil {
		t.Error("Push onto a null field succeeded")
	}
	_, err = pages.Filter(lookups.Q{"title": "c"}).Update(bg, mongo.Set("related", []*mgPage{}))
	must(t, err)
	_, err = pages.Filter(lookups.Q{"title": "c"}).Update(bg, mongo.Set("author", ann), mongo.Push("related", ps[0], ps[1]))
	must(t, err)
	c, err := pages.Get(bg, lookups.Q{"title": "c"})
	must(t, err)
	if c.Author.ID != ann.ID || c.Author.Name != "ann" || len(c.Related) != 2 || c.Related[1].ID != ps[1].ID {
		t.Errorf("references set by Update: %+v", c)
	}
	_, err = pages.Filter(lookups.Q{"title": "c"}).Update(bg, mongo.Pull("related", ps[0]))
	must(t, err)
	c, err = pages.Get(bg, lookups.Q{"title": "c"})
	must(t, err)
	if len(c.Related) != 1 || c.Related[0].ID != ps[1].ID {
		t.Errorf("Pull of a reference: %+v", c.Related)
	}
	n, err = users.Filter(nil).Update(bg, mongo.Inc("age", -5))
	must(t, err)
	if n != 2 {
		t.Errorf("Inc matched %d", n)
	}
	if cnt, err := users.Filter(lookups.Q{"age__in": []int{25, 35}}).Count(bg); err != nil || cnt != 2 {
		t.Errorf("after Inc: count %d, %v", cnt, err)
	}

	// Bad updates name the model and field.
	for _, tt := range []struct {
		name string
		ops  []mongo.Update
		want error
	}{
		{"Inc on a string", []mongo.Update{mongo.Inc("name", 1)}, mongo.ErrBadUpdate},
		{"Inc by a string", []mongo.Update{mongo.Inc("age", "1")}, mongo.ErrBadUpdate},
		{"Set of another kind", []mongo.Update{mongo.Set("age", "old")}, mongo.ErrBadUpdate},
		{"Set _id", []mongo.Update{mongo.Set("pk", bson.NewObjectID())}, mongo.ErrBadUpdate},
		{"Push on a scalar", []mongo.Update{mongo.Push("name", "x")}, mongo.ErrBadUpdate},
		{"unknown field", []mongo.Update{mongo.Set("nope", 1)}, lookups.ErrUnknownField},
		{"Push with F", []mongo.Update{mongo.Set("name", mongo.F("email")), mongo.Push("name", "x")}, mongo.ErrBadUpdate},
		{"zero Update", []mongo.Update{{}}, mongo.ErrBadUpdate},
		{"an operator for a field", []mongo.Update{mongo.Set("$where", "x")}, mongo.ErrBadUpdate},
		{"F of an operator", []mongo.Update{mongo.Set("name", mongo.F("$$ROOT"))}, mongo.ErrBadUpdate},
		{"nothing", nil, mongo.ErrBadUpdate},
	} {
		_, err := users.Filter(nil).Update(bg, tt.ops...)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "mgUser") {
			t.Errorf("%s: %v, want %v naming the model", tt.name, err, tt.want)
		}
	}
	if _, err := users.Filter(nil).Limit(1).Update(bg, mongo.Set("age", 1)); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("Update after Limit: %v", err)
	}
	if _, err := users.Filter(nil).Sort("name").Delete(bg); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("Delete after Sort: %v", err)
	}
	// F makes an update pipeline, with literal values kept literal.
	upd, err := users.Filter(nil).UpdateBSON(mongo.Set("email", mongo.F("name")), mongo.Set("name", "$age"))
	must(t, err)
	if s := fmt.Sprint(upd); !strings.Contains(s, `{"$set":{"email":"$name"}}`) || !strings.Contains(s, `{"$literal":"$age"}`) {
		t.Errorf("pipeline update: %v", s)
	}
	_, err = users.Filter(lookups.Q{"name": "ann"}).Update(bg, mongo.Set("email", mongo.F("name")), mongo.Set("name", "$age"))
	if isFerretDB(t, db) {
		if !errors.Is(err, mongo.ErrUnsupported) {
			t.Errorf("an update pipeline on FerretDB v1: %v, want ErrUnsupported", err)
		}
	} else {
		must(t, err)
		got := storedUser(t, db, ann.ID)
		if got["email"] != "ann" || got["name"] != "$age" {
			t.Errorf("pipeline update stored %v", got)
		}
		_, err = users.Filter(lookups.Q{"pk": ann.ID}).Update(bg, mongo.Set("name", "ann"), mongo.Unset("email"))
		must(t, err)
	}

	// Exclude, Count, Distinct, Delete.
	if cnt, err := pages.Filter().Exclude(lookups.Q{"author": ann}).Count(bg); err != nil || cnt != 0 {
		t.Errorf("Exclude count %d, %v (all pages are ann's now)", cnt, err)
	}
	ages, err := users.Filter().Distinct(bg, "age")
	must(t, err)
	slices.SortFunc(ages, func(a, b any) int { return a.(int) - b.(int) })
	if !slices.Equal(ages, []any{25, 35}) {
		t.Errorf("Distinct(age) = %v", ages)
	}
	tags, err := pages.Filter().Distinct(bg, "tags")
	must(t, err)
	if len(tags) != 4 { // ann, new, db, go
		t.Errorf("Distinct(tags) = %v, want the 4 distinct elements", tags)
	}
	authors, err := pages.Filter().Distinct(bg, "author")
	must(t, err)
	if len(authors) != 1 || authors[0].(*mgUser).Name != "ann" {
		t.Errorf("Distinct(author) = %v, want the one author, resolved", authors)
	}
	n, err = pages.Filter(lookups.Q{"title": "by ann"}).Delete(bg)
	must(t, err)
	if n != 2 || rawCount(t, db, "pages", bson.D{}) != 1 {
		t.Errorf("Delete removed %d", n)
	}
}

func TestMongoAggregate(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	counter := &cmdCounter{}
	db := mongoDB(t, counter.monitor())
	counter.db.Store(db.Name())
	users := mongo.Objects[mgUser](db)
	pages := mongo.Objects[mgPage](db)
	ann, bob := &mgUser{Name: "ann"}, &mgUser{Name: "bob"}
	must(t, users.BulkSave(bg, []*mgUser{ann, bob}))
	r := func(n int) *int { return &n }
	must(t, pages.BulkSave(bg, []*mgPage{
		{Title: "a1", Author: ann, Rating: r(2)},
		{Title: "a2", Author: ann, Rating: r(4)},
		{Title: "b1", Author: bob, Rating: r(5)},
		{Title: "draft", Author: bob},
	}))

	finds := counter.count("find")
	got, err := pages.Aggregate(bg, mongo.Pipeline{
		mongo.Match(lookups.Q{"title__regex": "^[ab]", "rating__gte": 3}),
		bson.D{{Key: "$sort", Value: bson.D{{Key: "title", Value: 1}}}},
	})
	must(t, err)
	if len(got) != 2 || got[0].Title != "a2" || got[1].Title != "b1" || got[0].Author.Name != "ann" || got[1].Author.Name != "bob" {
		t.Fatalf("Aggregate: %+v", got)
	}
	if n := counter.count("find") - finds; n != 1 {
		t.Errorf("resolving the authors of the aggregate made %d finds, want 1 ($in)", n)
	}
	if counter.count("aggregate") != 1 || strings.Contains(counter.lastCmd("aggregate").String(), "$lookup") {
		t.Error("Aggregate did not send one aggregate without $lookup")
	}

	type byAuthor struct {
		Author bson.ObjectID `bson:"_id"`
		Pages  int           `bson:"pages"`
		Total  int           `bson:"total"`
		Avg    *float64      `bson:"avg"`
		Best   int           `bson:"best"`
	}
	var groups []byAuthor
	must(t, pages.AggregateTo(bg, mongo.Pipeline{
		mongo.Group("author___id", mongo.Sum("total", "rating")),
		bson.D{{Key: "$sort", Value: bson.D{{Key: "total", Value: 1}}}},
	}, &groups))
	if len(groups) != 2 || groups[0].Author != bob.ID || groups[0].Total != 5 || groups[1].Author != ann.ID || groups[1].Total != 6 {
		t.Errorf("Group Sum: %+v", groups)
	}
	groups = nil
	must(t, pages.AggregateTo(bg, mongo.Pipeline{mongo.Match(lookups.Q{"author": ann}), mongo.Group("author___id", mongo.Count("pages"))}, &groups))
	if len(groups) != 1 || groups[0].Pages != 2 {
		t.Errorf("Group Count: %+v", groups)
	}
	// Several accumulators in one Group: FerretDB v1 would give 0 for all
	// but the first, so it is refused there.
	groups = nil
	err = pages.AggregateTo(bg, mongo.Pipeline{
		mongo.Group("author___id", mongo.Count("pages"), mongo.Sum("total", "rating")),
		bson.D{{Key: "$sort", Value: bson.D{{Key: "total", Value: 1}}}},
	}, &groups)
	if isFerretDB(t, db) {
		if !errors.Is(err, mongo.ErrUnsupported) {
			t.Errorf("a Group of two accumulators on FerretDB v1: %v, want ErrUnsupported", err)
		}
	} else {
		must(t, err)
		if len(groups) != 2 || groups[0].Pages != 2 || groups[0].Total != 5 || groups[1].Pages != 2 || groups[1].Total != 6 {
			t.Errorf("Group Count+Sum: %+v", groups)
		}
	}
	// $avg and $max: MongoDB's; FerretDB v1 has neither.
	groups = nil
	err = pages.AggregateTo(bg, mongo.Pipeline{
		mongo.Group("author___id", mongo.Avg("avg", "rating")),
		bson.D{{Key: "$sort", Value: bson.D{{Key: "avg", Value: 1}}}},
	}, &groups)
	if isFerretDB(t, db) {
		if !errors.Is(err, mongo.ErrUnsupported) {
			t.Errorf("$avg on FerretDB v1: %v, want ErrUnsupported", err)
		}
	} else {
		must(t, err)
		if len(groups) != 2 || groups[0].Avg == nil || *groups[0].Avg != 3 || *groups[1].Avg != 5 {
			t.Errorf("Avg: %+v", groups)
		}
	}
	var all []bson.M
	must(t, pages.AggregateTo(bg, []any{mongo.Group("", mongo.Count("n"))}, &all))
	if len(all) != 1 || fmt.Sprint(all[0]["n"]) != "4" {
		t.Errorf("Group of all: %v", all)
	}
	// Results holding references, decoded into any struct: resolved.
	type titled struct {
		Title  string  `bson:"title"`
		Author *mgUser `bson:"author"`
	}
	var ts []*titled
	must(t, pages.AggregateTo(bg, mongo.Pipeline{mongo.Match(lookups.Q{"author": bob}), bson.D{{Key: "$sort", Value: bson.D{{Key: "title", Value: 1}}}}}, &ts))
	if len(ts) != 2 || ts[0].Author == nil || ts[0].Author.Name != "bob" || ts[0].Author != ts[1].Author {
		t.Errorf("AggregateTo a struct with references: %+v", ts)
	}
	// Errors.
	if _, err := pages.Aggregate(bg, mongo.Pipeline{mongo.Match(lookups.Q{"nope": 1})}); !errors.Is(err, lookups.ErrUnknownField) {
		t.Errorf("Match on an unknown field: %v", err)
	}
	if _, err := pages.Aggregate(bg, mongo.Pipeline{42}); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("a stage of the wrong type: %v", err)
	}
	if err := pages.AggregateTo(bg, nil, groups); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("AggregateTo into a slice, not a pointer: %v", err)
	}
	if _, err := pages.Aggregate(bg, mongo.Pipeline{mongo.Group("author___id", mongo.Count("$bad"))}); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("a $ accumulator name: %v", err)
	}
	if _, err := pages.Aggregate(bg, mongo.Pipeline{mongo.Group("$$ROOT", mongo.Sum("n", "$$NOW"))}); !errors.Is(err, mongo.ErrBadFilter) {
		t.Errorf("a $ group field: %v", err)
	}
	if _, err := pages.Aggregate(bg, mongo.Pipeline{mongo.Group("", mongo.Count("n"))}); !errors.Is(err, mongo.ErrDecode) {
		t.Errorf("Aggregate of results that are not pages: %v", err)
	}
}

func TestMongoTransaction(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	users := mongo.Objects[mgUser](db)
	called := false
	err := mongo.Transaction(bg, db.Client(), func(ctx context.Context) error {
		called = true
		return nil
	})
	if errors.Is(err, mongo.ErrUnsupported) {
		if called {
			t.Error("Transaction called fn on a server without transactions")
		}
		t.Skipf("the server has no transactions (FerretDB v1, standalone mongod): %v", err)
	}
	must(t, err)
	// The collection must exist before a transaction writes to it on
	// MongoDB < 4.4.
	must(t, users.Save(bg, &mgUser{Name: "before"}))

	// Rollback: nothing written, the objects as they were.
	a, b := &mgUser{Name: "a"}, &mgUser{Name: "b"}
	boom := errors.New("boom")
	err = mongo.Transaction(bg, db.Client(), func(ctx context.Context) error {
		if mongo.ScopeOf(ctx) == nil {
			t.Error("no scope in the transaction")
		}
		must(t, users.Save(ctx, a))
		must(t, users.Save(ctx, b))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transaction: %v, want fn's error", err)
	}
	if n := rawCount(t, db, "users", bson.D{}); n != 1 {
		t.Errorf("%d users after a rollback, want 1", n)
	}
	if a.IsLoaded() || !a.ID.IsZero() || b.IsLoaded() {
		t.Error("a rolled-back save left its object loaded or with a generated _id")
	}
	// A nested failure aborts the whole transaction.
	err = mongo.Transaction(bg, db.Client(), func(ctx context.Context) error {
		must(t, users.Save(ctx, a))
		_ = mongo.Transaction(ctx, db.Client(), func(ctx context.Context) error { return boom })
		return nil
	})
	if !errors.Is(err, boom) || rawCount(t, db, "users", bson.D{}) != 1 {
		t.Errorf("nested failure: %v", err)
	}
	// Commit.
	must(t, mongo.Transaction(bg, db.Client(), func(ctx context.Context) error {
		if err := users.Save(ctx, a); err != nil {
			return err
		}
		return users.Save(ctx, b)
	}))
	if n := rawCount(t, db, "users", bson.D{}); n != 3 || !a.IsLoaded() {
		t.Errorf("%d users after a commit, want 3", n)
	}
}

// isFerretDB reports whether the test server is FerretDB (its buildInfo
// says so), for the few MongoDB features FerretDB v1 lacks.
func isFerretDB(t *testing.T, db *mongodriver.Database) bool {
	t.Helper()
	raw, err := db.Client().Database("admin").RunCommand(context.Background(), bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	must(t, err)
	_, err = raw.LookupErr("ferretdbVersion")
	return err == nil
}

// mgRefHolder holds the fields the malformed documents below aim at.
type mgRefHolder struct {
	ID    bson.ObjectID `bson:"_id"`
	When  time.Time     `bson:"when"`
	Ref   *mgUser       `bson:"ref"`
	Count int           `bson:"count"`
	Flag  bool          `bson:"flag"`
}

func TestMongoMalformedDocuments(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	db := mongoDB(t, nil)
	holders := mongo.Objects[mgRefHolder](db)
	mongo.MustRegister[mgUser]()
	for _, tt := range []struct {
		name  string
		field string
		value any
	}{
		{"an integer for a time", "when", int64(5)},
		{"a string for a time", "when", "2024-01-01"},
		{"__model__ not a string", "ref", bson.D{{Key: "__model__", Value: 5}}},
		{"__ref__ a string", "ref", bson.D{{Key: "__ref__", Value: "x"}}},
		{"__ref__ a string, with __model__", "ref", bson.D{{Key: "__model__", Value: "tests.mgUser"}, {Key: "__ref__", Value: "x"}}},
		{"__ref__ a float", "ref", bson.D{{Key: "__model__", Value: "tests.mgUser"}, {Key: "__ref__", Value: 1.5}}},
		{"__ref__ negative", "ref", bson.D{{Key: "__model__", Value: "tests.mgUser"}, {Key: "__ref__", Value: -1}}},
		{"an empty reference", "ref", bson.D{}},
		{"fields but no _id or __ref__", "ref", bson.D{{Key: "name", Value: "x"}}},
		{"a null _id", "ref", bson.D{{Key: "_id", Value: nil}, {Key: "__model__", Value: "tests.mgUser"}}},
		{"a string _id for an ObjectID", "ref", bson.D{{Key: "_id", Value: "abc"}, {Key: "__model__", Value: "tests.mgUser"}}},
		{"a number for a reference", "ref", int32(5)},
		{"a bool for an int", "count", true},
		{"an int for a bool", "flag", int32(1)},
	} {
		doc := bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: tt.field, Value: tt.value}}
		obj, err := holders.Restore(bg, doc)
		var me *mongo.Error
		if !errors.Is(err, mongo.ErrDecode) || !errors.As(err, &me) || me.Model != "tests.mgRefHolder" || me.Field != tt.field {
			t.Errorf("%s: %v (object %+v), want ErrDecode naming tests.mgRefHolder.%s", tt.name, err, obj, tt.field)
		}
	}
	// What is well-formed still reads.
	ok, err := holders.Restore(bg, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "when", Value: time.UnixMilli(5)}, {Key: "count", Value: 2.0}, {Key: "flag", Value: true}})
	must(t, err)
	if ok.When.UnixMilli() != 5 || ok.Count != 2 || !ok.Flag {
		t.Errorf("a well-formed document: %+v", ok)
	}
}
