package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The MongoDB benchmarks: atomdb's mongo/ mapper against hand-written
// mongo-driver code, on the server of ATOMDB_TEST_MONGO (default: the
// FerretDB scripts/test.sh starts).
const (
	envMongo     = "ATOMDB_TEST_MONGO"
	defaultMongo = "mongodb://127.0.0.1:27017/"
	mongoName    = "mongo"
	mbUsers      = 100
	mbPages      = 1000
	mbBulk       = 10_000
)

// mbUser and mbPage are the fixture of BenchmarkMongoFind1kRefs: 1,000 pages
// each referencing one of 100 users.
type mbUser struct {
	mongo.Model `mongo:"collection=bench_users"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name"`
	Age         int           `bson:"age"`
}

type mbPage struct {
	mongo.Model `mongo:"collection=bench_pages"`
	ID          bson.ObjectID `bson:"_id"`
	Title       string        `bson:"title"`
	Author      *mbUser       `bson:"author"`
	Score       float64       `bson:"score"`
	Tags        []string      `bson:"tags"`
}

// Pages reference users: the users' model must be known to restore them.
func init() { mongo.MustRegister[mbUser]() }

// mbDoc is what BenchmarkMongoBulkSave10k writes.
type mbDoc struct {
	mongo.Model `mongo:"collection=bench_bulk"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name"`
	N           int64         `bson:"n"`
	Score       float64       `bson:"score"`
	Created     time.Time     `bson:"created"`
}

// fixedID is the fixture's ObjectID number n of kind k: the same in every
// run, so the fixture is reused.
func fixedID(k byte, n int) bson.ObjectID {
	var id bson.ObjectID
	id[0] = k
	binary.BigEndian.PutUint32(id[8:], uint32(n))
	return id
}

func wantUser(i int) mbUser {
	return mbUser{ID: fixedID(1, i), Name: fmt.Sprintf("user %03d", i), Age: 20 + i%50}
}

func wantPage(i int) (mbPage, int) {
	return mbPage{ID: fixedID(2, i), Title: fmt.Sprintf("page %04d, a title of typical length", i), Score: float64(i) * 0.5, Tags: []string{"go", "db"}}, i % mbUsers
}

var mongoBackend = struct {
	once   sync.Once
	db     *mongodriver.Database // the fixture's database
	bulkDB *mongodriver.Database // this process's, for BulkSave, dropped at the end
	skip   string
	err    error
}{}

// getMongo connects once and builds (or checks) the fixture.
func getMongo(b *testing.B) (*mongodriver.Database, *mongodriver.Database) {
	b.Helper()
	o := &mongoBackend
	o.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		uri := os.Getenv(envMongo)
		if uri == "" {
			uri = defaultMongo
		}
		client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			o.err = err
			return
		}
		if err := client.Ping(ctx, nil); err != nil {
			o.skip = fmt.Sprintf("cannot reach %s (%s): %v", uri, envMongo, err)
			return
		}
		o.db = client.Database(fixtureName)
		o.bulkDB = client.Database(fmt.Sprintf("%s_bulk_%d", fixtureName, os.Getpid()))
		cleanups = append(cleanups, func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = o.bulkDB.Drop(ctx)
			_ = client.Disconnect(ctx)
		})
		o.err = mongoFixture(ctx, o.db)
	})
	switch {
	case o.err != nil:
		b.Fatalf("mongo: %v", o.err)
	case o.skip != "":
		if required(mongoName) {
			b.Fatalf("mongo is required (%s) but unavailable: %s", envRequire, o.skip)
		}
		b.Skipf("skipping mongo: %s", o.skip)
	}
	return o.db, o.bulkDB
}

// cleanups run at the end of the process (TestMain).
var cleanups []func()

// mongoFixture makes bench_users and bench_pages, unless they hold the
// fixture already.
func mongoFixture(ctx context.Context, db *mongodriver.Database) error {
	users, pages := db.Collection("bench_users"), db.Collection("bench_pages")
	nu, err := users.CountDocuments(ctx, bson.D{})
	if err != nil {
		return err
	}
	np, err := pages.CountDocuments(ctx, bson.D{})
	if err != nil {
		return err
	}
	if nu == mbUsers && np == mbPages {
		return nil
	}
	if err := users.Drop(ctx); err != nil {
		return err
	}
	if err := pages.Drop(ctx); err != nil {
		return err
	}
	us := make([]any, mbUsers)
	for i := range us {
		u := wantUser(i)
		us[i] = bson.D{{Key: "_id", Value: u.ID}, {Key: "name", Value: u.Name}, {Key: "age", Value: u.Age}}
	}
	if _, err := users.InsertMany(ctx, us); err != nil {
		return err
	}
	ps := make([]any, mbPages)
	for i := range ps {
		p, a := wantPage(i)
		ps[i] = bson.D{
			{Key: "_id", Value: p.ID}, {Key: "title", Value: p.Title},
			{Key: "author", Value: bson.D{{Key: "_id", Value: fixedID(1, a)}, {Key: "__model__", Value: "bench.mbUser"}}},
			{Key: "score", Value: p.Score}, {Key: "tags", Value: p.Tags},
		}
	}
	_, err = pages.InsertMany(ctx, ps)
	return err
}

// Hand-written reading: the page with its author's _id, then the users by
// $in, joined in a map.
type handUser struct {
	ID   bson.ObjectID `bson:"_id"`
	Name string        `bson:"name"`
	Age  int           `bson:"age"`
}

type handPageDoc struct {
	ID     bson.ObjectID `bson:"_id"`
	Title  string        `bson:"title"`
	Author struct {
		ID bson.ObjectID `bson:"_id"`
	} `bson:"author"`
	Score float64  `bson:"score"`
	Tags  []string `bson:"tags"`
}

type handPage struct {
	ID     bson.ObjectID
	Title  string
	Author *handUser
	Score  float64
	Tags   []string
}

func handFind(ctx context.Context, db *mongodriver.Database) ([]*handPage, error) {
	cur, err := db.Collection("bench_pages").Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []handPageDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	seen := make(map[bson.ObjectID]bool)
	ids := bson.A{}
	for i := range docs {
		if id := docs[i].Author.ID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	ucur, err := db.Collection("bench_users").Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	var users []*handUser
	if err := ucur.All(ctx, &users); err != nil {
		return nil, err
	}
	byID := make(map[bson.ObjectID]*handUser, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	out := make([]*handPage, len(docs))
	for i, d := range docs {
		out[i] = &handPage{ID: d.ID, Title: d.Title, Author: byID[d.Author.ID], Score: d.Score, Tags: d.Tags}
	}
	return out, nil
}

// checkPages checks n pages read against the fixture.
func checkPages(n int, get func(i int) (id bson.ObjectID, title string, author bson.ObjectID, authorName string)) error {
	if n != mbPages {
		return fmt.Errorf("%d pages, want %d", n, mbPages)
	}
	for i := range n {
		id, title, author, name := get(i)
		num := int(binary.BigEndian.Uint32(id[8:]))
		p, a := wantPage(num)
		if id != p.ID || title != p.Title || author != fixedID(1, a) || name != wantUser(a).Name {
			return fmt.Errorf("page %d: %v %q by %v %q", i, id, title, author, name)
		}
	}
	return nil
}

// BenchmarkMongoFind1kRefs reads 1,000 pages and resolves the user each
// references (100 users): hand-written (find, then find $in, joined in a
// map) against mongo.Objects[mbPage](db).Find (the same two queries, in a
// scope of the call's own).
func BenchmarkMongoFind1kRefs(b *testing.B) {
	db, _ := getMongo(b)
	ctx := context.Background()
	b.Run("mongo-driver-raw", func(b *testing.B) {
		ps, err := handFind(ctx, db)
		if err == nil {
			err = checkPages(len(ps), func(i int) (bson.ObjectID, string, bson.ObjectID, string) {
				return ps[i].ID, ps[i].Title, ps[i].Author.ID, ps[i].Author.Name
			})
		}
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			ps, err := handFind(ctx, db)
			if err != nil || len(ps) != mbPages {
				b.Fatalf("%d pages, %v", len(ps), err)
			}
		}
	})
	b.Run("atomdb-Find", func(b *testing.B) {
		ps, err := mongo.Objects[mbPage](db).Find(ctx, nil)
		if err == nil {
			err = checkPages(len(ps), func(i int) (bson.ObjectID, string, bson.ObjectID, string) {
				if !ps[i].Author.IsLoaded() {
					return ps[i].ID, ps[i].Title, bson.ObjectID{}, ""
				}
				return ps[i].ID, ps[i].Title, ps[i].Author.ID, ps[i].Author.Name
			})
		}
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			ps, err := mongo.Objects[mbPage](db).Find(ctx, nil)
			if err != nil || len(ps) != mbPages || !ps[0].Author.IsLoaded() {
				b.Fatalf("%d pages, %v", len(ps), err)
			}
		}
	})
}

// BenchmarkMongoBulkSave10k writes 10,000 new documents into an empty
// collection: hand-written (structs with their _id set, one InsertMany,
// ordered) against mongo.Objects[mbDoc](db).BulkSave (ordered bulkWrites of
// 1,000). The collection is dropped between operations, and the objects
// made, with the timer stopped.
func BenchmarkMongoBulkSave10k(b *testing.B) {
	_, db := getMongo(b)
	ctx := context.Background()
	coll := db.Collection("bench_bulk")
	check := func(b *testing.B) {
		b.Helper()
		n, err := coll.CountDocuments(ctx, bson.D{})
		if err != nil || n != mbBulk {
			b.Fatalf("%d documents after the write, want %d (%v)", n, mbBulk, err)
		}
		if err := coll.Drop(ctx); err != nil {
			b.Fatal(err)
		}
	}
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	b.Run("mongo-driver-InsertMany", func(b *testing.B) {
		type doc struct {
			ID      bson.ObjectID `bson:"_id"`
			Name    string        `bson:"name"`
			N       int64         `bson:"n"`
			Score   float64       `bson:"score"`
			Created time.Time     `bson:"created"`
		}
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			docs := make([]any, mbBulk)
			for i := range docs {
				docs[i] = &doc{Name: fmt.Sprintf("doc %05d", i), N: int64(i), Score: float64(i) / 4, Created: created}
			}
			b.StartTimer()
			for _, d := range docs {
				d.(*doc).ID = bson.NewObjectID()
			}
			if _, err := coll.InsertMany(ctx, docs); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			check(b)
			b.StartTimer()
		}
	})
	b.Run("atomdb-BulkSave", func(b *testing.B) {
		docs := mongo.Objects[mbDoc](db)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			objs := make([]*mbDoc, mbBulk)
			for i := range objs {
				objs[i] = &mbDoc{Name: fmt.Sprintf("doc %05d", i), N: int64(i), Score: float64(i) / 4, Created: created}
			}
			b.StartTimer()
			if err := docs.BulkSave(ctx, objs); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if !objs[mbBulk-1].IsLoaded() {
				b.Fatal("BulkSave left an object unloaded")
			}
			check(b)
			b.StartTimer()
		}
	})
}
