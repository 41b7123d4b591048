// Command mongo is a tour of atomdb's MongoDB mapper: models with
// references, save (partial updates), BulkSave, queries with lookups,
// query-wide updates, aggregation, units of work, restore from a raw
// driver query, delete.
//
// It needs a MongoDB-protocol server: ATOMDB_TEST_MONGO (default
// mongodb://127.0.0.1:27017/, where scripts/test.sh starts FerretDB). It
// works in a database of its own, dropped at the end.
//
//	go run ./examples/mongo
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type User struct {
	mongo.Model `mongo:"collection=users"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name" mongo:"unique"`
	Age         int           `bson:"age"`
}

type Page struct {
	mongo.Model `mongo:"collection=pages"`
	ID          bson.ObjectID `bson:"_id"`
	Title       string        `bson:"title" mongo:"index"`
	Author      *User         `bson:"author"`
	Related     []*Page       `bson:"related"`
	ReplyTo     *Page         `bson:"reply_to"`
	Published   time.Time     `bson:"published"`
	Views       int64         `bson:"views"`
	Version     int           `bson:"version" mongo:"version"`
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	uri := os.Getenv("ATOMDB_TEST_MONGO")
	if uri == "" {
		uri = "mongodb://127.0.0.1:27017/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	defer client.Disconnect(ctx)
	if err := client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("no MongoDB server at %s (set ATOMDB_TEST_MONGO): %w", uri, err)
	}
	db := client.Database(fmt.Sprintf("atomdb_example_%d", time.Now().UnixNano()))
	defer db.Drop(ctx)
	fmt.Println("database", db.Name(), "on", uri)

	users := mongo.Objects[User](db)
	pages := mongo.Objects[Page](db)
	if err := users.EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := pages.EnsureIndexes(ctx); err != nil {
		return err
	}

	// Save: an ObjectID is assigned; saving again replaces the document.
	ann := &User{Name: "Ann", Age: 31}
	if err := users.Save(ctx, ann); err != nil {
		return err
	}
	fmt.Println("saved user", ann.Name, "with _id", ann.ID.Hex())

	home := &Page{Title: "Home", Author: ann, Published: time.Now()}
	about := &Page{Title: "About", Author: ann, ReplyTo: home}
	for _, p := range []*Page{home, about} {
		if err := pages.Save(ctx, p); err != nil {
			return err
		}
	}
	home.Related = []*Page{about} // two pages that list each other
	about.Related = []*Page{home}
	for _, p := range []*Page{home, about} {
		if err := pages.Save(ctx, p); err != nil {
			return err
		}
	}
	var raw bson.M
	if err := pages.Collection().FindOne(ctx, bson.M{"_id": about.ID}).Decode(&raw); err != nil {
		return err
	}
	fmt.Println("about's author is stored as a reference:", raw["author"])

	// Queries: lookups or raw BSON. Each call is a unit of work of its
	// own unless the context carries one: in a scope, one _id is one object.
	ctx = mongo.WithScope(ctx)
	f, _ := pages.Filter(lookups.Q{"title__istartswith": "ho", "author___id": ann.ID}).BSON()
	fmt.Println("filter:", f)
	found, err := pages.Find(ctx, lookups.Q{"title__istartswith": "ho", "author___id": ann.ID})
	if err != nil {
		return err
	}
	again, err := pages.Get(ctx, lookups.Q{"pk": found[0].ID})
	if err != nil {
		return err
	}
	fmt.Printf("found %d page: %s (one object per _id in the scope: %v)\n", len(found), found[0].Title, found[0] == again)
	n, err := pages.Count(ctx, lookups.Or(lookups.Q{"reply_to": nil}, lookups.Q{"title": "About"}))
	if err != nil {
		return err
	}
	fmt.Println("count of pages that reply to nothing or are About:", n)

	// Partial updates: Save sends the changed fields only, checked against
	// the version the object was read with.
	again.Views = 10
	if err := pages.Save(ctx, again); err != nil {
		return err
	}
	fmt.Println("saved the views alone; version now", again.Version)

	// Many objects at once, and updates of every matching document.
	var drafts []*Page
	for i := range 3 {
		drafts = append(drafts, &Page{Title: fmt.Sprintf("Draft %d", i), Author: ann})
	}
	if err := pages.BulkSave(ctx, drafts); err != nil {
		return err
	}
	updated, err := pages.Filter(lookups.Q{"title__startswith": "Draft"}).Update(ctx, mongo.Inc("views", 1))
	if err != nil {
		return err
	}
	fmt.Println("bulk-saved", len(drafts), "drafts, then added a view to", updated)
	var views []struct {
		Author bson.ObjectID `bson:"_id"`
		Views  int64         `bson:"views"`
	}
	if err := pages.AggregateTo(ctx, mongo.Pipeline{mongo.Group("author___id", mongo.Sum("views", "views"))}, &views); err != nil {
		return err
	}
	fmt.Println("views of Ann's pages, by aggregation:", views[0].Views)

	// Restore in a new unit of work: new objects, references resolved.
	ctx = mongo.WithScope(ctx) // a new scope in place of the one ctx carried
	p, err := pages.Get(ctx, lookups.Q{"title": "Home"})
	if err != nil {
		return err
	}
	fmt.Println("restored", p.Title, "by", p.Author.Name, "| related:", p.Related[0].Title,
		"| cycle keeps identity:", p.Related[0].Related[0] == p,
		"| about replies to home:", p.Related[0].ReplyTo == p)

	// Restore from any driver query.
	cur, err := pages.Collection().Find(ctx, bson.M{"title": "About"})
	if err != nil {
		return err
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	a, err := pages.Restore(ctx, docs[0])
	if err != nil {
		return err
	}
	fmt.Printf("restored from a raw query: %s (the scope's object: %v)\n", a.Title, a == p.Related[0])

	// Delete removes one document.
	if err := pages.Delete(ctx, a); err != nil {
		return err
	}
	left, err := pages.Count(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Println("after deleting About,", left, "pages left")
	return nil
}
