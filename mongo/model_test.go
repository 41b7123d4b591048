package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type BlogPost struct {
	ID      bson.ObjectID `bson:"_id"`
	Slug    string        `bson:"slug" mongo:"unique,sparse"`
	Created int64         `mongo:"index,desc"`
	Meta    struct {
		Lang string `bson:"lang" mongo:"index"`
	} `bson:"meta"`
}

func (BlogPost) Indexes() []mongo.Index {
	return []mongo.Index{{Keys: []string{"meta.lang", "-created"}, Name: "lang_created"}}
}

type untaggedID struct {
	ID   string
	Name string
}

func TestMongoModelMetadata(t *testing.T) {
	m := mongo.Objects[BlogPost](nil)
	if got := m.CollectionName(); got != "blog_post" {
		t.Errorf("default collection = %q, want blog_post", got)
	}
	if got := m.ModelName(); got != "mongo_test.BlogPost" {
		t.Errorf("model name = %q", got)
	}
	if err := m.Save(context.Background(), &BlogPost{}); !errors.Is(err, mongo.ErrNoDatabase) || !strings.Contains(err.Error(), "BlogPost") {
		t.Errorf("Save without a database: %v", err)
	}
	if m.Collection() != nil || m.Cache() != nil {
		t.Error("a manager without a database has a collection or cache")
	}
	// Filters need no database.
	if _, err := m.Filter(lookups.Q{"slug": "x"}).BSON(); err != nil {
		t.Errorf("Filter without a database: %v", err)
	}
	idx, err := m.Indexes()
	if err != nil {
		t.Fatal(err)
	}
	want := []mongo.Index{
		{Keys: []string{"slug"}, Unique: true, Sparse: true},
		{Keys: []string{"-created"}},
		{Keys: []string{"meta.lang"}},
		{Keys: []string{"meta.lang", "-created"}, Name: "lang_created"},
	}
	if len(idx) != len(want) {
		t.Fatalf("indexes %+v, want %+v", idx, want)
	}
	for i := range want {
		if strings.Join(idx[i].Keys, ",") != strings.Join(want[i].Keys, ",") || idx[i].Unique != want[i].Unique || idx[i].Sparse != want[i].Sparse || idx[i].Name != want[i].Name {
			t.Errorf("index %d = %+v, want %+v", i, idx[i], want[i])
		}
	}
	// An untagged ID field is the _id.
	f, err := mongo.Filter[untaggedID](lookups.Q{"id": "x", "name": "y"})
	if err != nil || f[0].Key != "_id" {
		t.Errorf("untagged ID: %v, %v", f, err)
	}
}

type badOption struct {
	mongo.Model `mongo:"collection=x,shard=y"`
	ID          int `bson:"_id"`
}

type badBSONOption struct {
	ID   int    `bson:"_id"`
	Name string `bson:"name,omitemtpy"`
}

type dupKey struct {
	ID int    `bson:"_id"`
	A  string `bson:"k"`
	B  string `bson:"k"`
}

type dollarKey struct {
	ID int    `bson:"_id"`
	A  string `bson:"$a"`
}

type badText struct {
	ID int `bson:"_id"`
	N  int `mongo:"text"`
}

type sparseAlone struct {
	ID int    `bson:"_id"`
	N  string `mongo:"sparse"`
}

type noID struct{ Name string }

type badConverter struct {
	ID int    `bson:"_id"`
	N  string `bson:"n"`
}

func (badConverter) Converters() map[string]mongo.Converter {
	return map[string]mongo.Converter{"N": mongo.Convert(func(int) (string, error) { return "", nil }, func(string) (int, error) { return 0, nil })}
}

type converterNoField struct {
	ID int `bson:"_id"`
}

func (converterNoField) Converters() map[string]mongo.Converter {
	return map[string]mongo.Converter{"Missing": mongo.Convert(func(int) (string, error) { return "", nil }, func(string) (int, error) { return 0, nil })}
}

type nestedBad struct {
	ID    int `bson:"_id"`
	Inner struct {
		X int `mongo:"what"`
	}
}

type badIndexes struct {
	ID int `bson:"_id"`
}

func (badIndexes) Indexes() []mongo.Index { return []mongo.Index{{}} }

type mapIntKeys struct {
	ID int            `bson:"_id"`
	M  map[int]*noID2 `bson:"m"`
}

type noID2 struct{ X struct{ Y int } }

func TestMongoModelErrors(t *testing.T) {
	tests := []struct {
		name string
		reg  func() error
		want []string
	}{
		{"model tag option", mongo.Register[badOption], []string{"badOption", "shard=y"}},
		{"bson tag option", mongo.Register[badBSONOption], []string{"badBSONOption.Name", "omitemtpy"}},
		{"duplicate key", mongo.Register[dupKey], []string{"dupKey.B", `"k"`, "field A"}},
		{"dollar key", mongo.Register[dollarKey], []string{"dollarKey.A", "$a"}},
		{"text on an int", mongo.Register[badText], []string{"badText.N", "TextMarshaler"}},
		{"sparse without index", mongo.Register[sparseAlone], []string{"sparseAlone.N", "sparse"}},
		{"no _id", mongo.Register[noID], []string{"noID", "no _id field"}},
		{"pointer model", mongo.Register[*noID], []string{"must be a struct"}},
		{"converter type", mongo.Register[badConverter], []string{"badConverter.N", "takes int", "is string"}},
		{"converter field", mongo.Register[converterNoField], []string{"converterNoField.Missing"}},
		{"nested tag", mongo.Register[nestedBad], []string{"what"}},
		{"empty index", mongo.Register[badIndexes], []string{"badIndexes", "without Keys"}},
		{"map keys", mongo.Register[mapIntKeys], []string{"mapIntKeys.M", "keys must be strings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.reg()
			if !errors.Is(err, mongo.ErrBadModel) {
				t.Fatalf("err = %v, want ErrBadModel", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
			// The error is kept: asking again gives it again.
			if err2 := tt.reg(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second registration: %v", err2)
			}
		})
	}
}

func TestMongoRegisterNameCollision(t *testing.T) {
	type Same struct {
		mongo.Model `mongo:"name=collide.Same"`
		ID          int `bson:"_id"`
	}
	if err := mongo.Register[Same](); err != nil {
		t.Fatal(err)
	}
	if err := mongo.Register[Same](); err != nil {
		t.Fatalf("registering twice: %v", err)
	}
	err := func() error {
		type Same struct {
			mongo.Model `mongo:"name=collide.Same"`
			ID          string `bson:"_id"`
		}
		return mongo.Register[Same]()
	}()
	if !errors.Is(err, mongo.ErrBadModel) || !strings.Contains(err.Error(), "collide.Same") {
		t.Errorf("two types under one name: %v", err)
	}
}
