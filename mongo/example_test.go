package mongo_test

import (
	"fmt"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type User struct {
	mongo.Model `mongo:"collection=users"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name" mongo:"unique"`
	Age         int           `bson:"age"`
}

type Post struct {
	mongo.Model `mongo:"collection=posts"`
	ID          bson.ObjectID `bson:"_id"`
	Title       string        `bson:"title"`
	Author      *User         `bson:"author"`
	Tags        []string      `bson:"tags"`
}

// The lookups a Find sends, as MongoDB filters: no server needed.
func ExampleFilter() {
	show := func(cond any) {
		f, err := mongo.Filter[Post](cond)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(bson.Raw(must(bson.Marshal(f))))
	}
	author := &User{ID: must(bson.ObjectIDFromHex("65a1b2c3d4e5f60718293a4b"))}
	show(lookups.Q{"title__istartswith": "go.", "tags__in": []string{"db", "go"}})
	show(lookups.Q{"author": author})
	show(lookups.Q{"author___id": author.ID})
	show(lookups.Or(lookups.Q{"title": nil}, lookups.Not(lookups.Q{"title__contains": "draft"})))
	show(lookups.Q{"title__ne": "x"})
	show(lookups.Q{"author__name": "Ann"})
	// Output:
	// {"tags": {"$in": ["db","go"]},"title": {"$regex": "^go\\.","$options": "i"}}
	// {"author._id": {"$eq": {"$oid":"65a1b2c3d4e5f60718293a4b"}}}
	// {"author._id": {"$eq": {"$oid":"65a1b2c3d4e5f60718293a4b"}}}
	// {"$or": [{"title": {"$eq": null}},{"$nor": [{"title": {"$regex": "draft"}}]}]}
	// {"title": {"$nin": ["x",null]}}
	// error: lookups: mongo_test.Post: unknown field "name" in "author__name": author holds references to mongo_test.User, which store only _id: MongoDB cannot join, so only author___id can be queried: not supported on MongoDB
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
