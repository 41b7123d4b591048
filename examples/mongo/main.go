// Command mongo is a tour of atomdb's MongoDB mapper: models with
// references, save, queries with lookups, the identity cache, restore from
// a raw driver query, delete.
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

	// Queries: lookups or raw BSON.
	f, _ := pages.Filter(lookups.Q{"title__istartswith": "ho", "author___id": ann.ID})
	fmt.Println("filter:", f)
	found, err := pages.Find(ctx, lookups.Q{"title__istartswith": "ho", "author___id": ann.ID})
	if err != nil {
		return err
	}
	fmt.Printf("found %d page: %s (the object saved: %v)\n", len(found), found[0].Title, found[0] == home)
	n, err := pages.Count(ctx, lookups.Or(lookups.Q{"reply_to": nil}, lookups.Q{"title": "About"}))
	if err != nil {
		return err
	}
	fmt.Println("count of pages that reply to nothing or are About:", n)

	// Restore in a "new process": clear the identity cache, read again.
	pages.Cache().Clear()
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
	fmt.Printf("restored from a raw query: %s (the cached object: %v)\n", a.Title, a == p.Related[0])

	// Delete removes one document.
	if err := pages.Delete(ctx, a); err != nil {
		return err
	}
	left, err := pages.Count(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Println("after deleting About,", left, "page left")
	return nil
}
