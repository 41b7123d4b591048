// A MongoDB-only service: the mongo mapper and its lookups. It must build
// with CGO_ENABLED=0 and link no SQL driver (go-sqlite3, pgx or the MySQL
// driver).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type Note struct {
	ID   bson.ObjectID `bson:"_id"`
	Text string        `bson:"text"`
}

func main() {
	ctx := context.Background()
	client, err := mongodriver.Connect(options.Client().ApplyURI(os.Getenv("MONGODB_URL")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	n, err := mongo.Objects[Note](client.Database("app")).Count(ctx, lookups.Q{"text__icontains": "go"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
}
