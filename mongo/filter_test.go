package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"github.com/doug-martin/goqu/v9"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type fUser struct {
	mongo.Model `mongo:"collection=users"`
	ID          bson.ObjectID `bson:"_id"`
	Name        string        `bson:"name"`
	Age         int           `bson:"age"`
}

type fAddress struct {
	City string `bson:"city"`
	Date string `bson:"date"`
}

type fCents int64

type fPage struct {
	mongo.Model `mongo:"collection=pages"`
	ID          bson.ObjectID     `bson:"_id"`
	Title       string            `bson:"title"`
	Author      *fUser            `bson:"author"`
	Related     []*fPage          `bson:"related"`
	Tags        []string          `bson:"tags"`
	Address     fAddress          `bson:"address"`
	Meta        map[string]string `bson:"meta"`
	Extra       any               `bson:"extra"`
	Created     time.Time         `bson:"created"`
	Price       fCents            `bson:"price"`
	Plain       int               // key "plain"
}

func (fPage) Converters() map[string]mongo.Converter {
	return map[string]mongo.Converter{
		"Price": mongo.Convert(
			func(c fCents) (string, error) { return "c" + time.Duration(c).String(), nil },
			func(s string) (fCents, error) { return 0, nil },
		),
	}
}

func d(pairs ...any) bson.D {
	out := bson.D{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, bson.E{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return out
}

func TestMongoFilterTranslation(t *testing.T) {
	oid := bson.NewObjectID()
	author := &fUser{ID: oid}
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name string
		cond any
		want bson.D
	}{
		{"nil", nil, bson.D{}},
		{"empty Q", lookups.Q{}, bson.D{}},
		{"exact", lookups.Q{"title": "a"}, d("title", d("$eq", "a"))},
		{"exact nil", lookups.Q{"title": nil}, d("title", d("$eq", nil))},
		{"exact Go name", lookups.Q{"Title": "a"}, d("title", d("$eq", "a"))},
		{"default key", lookups.Q{"plain": 3}, d("plain", d("$eq", 3))},
		{"pk", lookups.Q{"pk": oid}, d("_id", d("$eq", oid))},
		{"id by Go name", lookups.Q{"id": oid}, d("_id", d("$eq", oid))},
		{"_id hex string", lookups.Q{"_id": oid.Hex()}, d("_id", d("$eq", oid))},
		{"ne", lookups.Q{"title__ne": "a"}, d("title", d("$nin", bson.A{"a", nil}))},
		{"not", lookups.Q{"title__not": "a"}, d("title", d("$nin", bson.A{"a", nil}))},
		{"ne nil", lookups.Q{"title__ne": nil}, d("title", d("$ne", nil))},
		{"gt", lookups.Q{"plain__gt": 1}, d("plain", d("$gt", 1))},
		{"gte", lookups.Q{"plain__gte": 1}, d("plain", d("$gte", 1))},
		{"lt", lookups.Q{"plain__lt": 1}, d("plain", d("$lt", 1))},
		{"lte time", lookups.Q{"created__lte": when}, d("created", d("$lte", when))},
		{"in", lookups.Q{"title__in": []string{"a", "b"}}, d("title", d("$in", bson.A{"a", "b"}))},
		{"in empty", lookups.Q{"title__in": []string{}}, d("title", d("$in", bson.A{}))},
		{"notin", lookups.Q{"title__notin": []string{"a"}}, d("title", d("$nin", bson.A{"a", nil}))},
		{"range", lookups.Q{"plain__range": []int{1, 5}}, d("plain", d("$gte", 1, "$lte", 5))},
		{"isnull true", lookups.Q{"title__isnull": true}, d("title", d("$eq", nil))},
		{"isnull false", lookups.Q{"title__isnull": false}, d("title", d("$ne", nil))},
		{"is", lookups.Q{"title__is": nil}, d("title", d("$eq", nil))},
		{"isnot", lookups.Q{"title__isnot": nil}, d("title", d("$ne", nil))},
		{"contains quoted", lookups.Q{"title__contains": "a.b*"}, d("title", d("$regex", `a\.b\*`))},
		{"icontains", lookups.Q{"title__icontains": "Ab"}, d("title", d("$regex", "Ab", "$options", "i"))},
		{"startswith", lookups.Q{"title__startswith": "(x"}, d("title", d("$regex", `^\(x`))},
		{"istartswith", lookups.Q{"title__istartswith": "x"}, d("title", d("$regex", `^x`, "$options", "i"))},
		{"endswith", lookups.Q{"title__endswith": "$"}, d("title", d("$regex", `\$\z`))},
		{"iendswith", lookups.Q{"title__iendswith": "x"}, d("title", d("$regex", `x\z`, "$options", "i"))},
		{"iexact", lookups.Q{"title__iexact": "a+b"}, d("title", d("$regex", `^a\+b\z`, "$options", "i"))},
		{"iexact nil", lookups.Q{"title__iexact": nil}, d("title", d("$eq", nil))},
		{"like", lookups.Q{"title__like": `a%b_c\%`}, d("title", d("$regex", `^a(?s:.*)b(?s:.)c%\z`))},
		{"ilike", lookups.Q{"title__ilike": `a.%`}, d("title", d("$regex", `^a\.(?s:.*)\z`, "$options", "i"))},
		{"regex", lookups.Q{"title__regex": "^a[bc]+$"}, d("title", d("$regex", "^a[bc]+$"))},
		{"iregex", lookups.Q{"title__iregex": "x"}, d("title", d("$regex", "x", "$options", "i"))},
		{"nested", lookups.Q{"address__city": "Paris"}, d("address.city", d("$eq", "Paris"))},
		{"field named like a transform", lookups.Q{"address__date": "x"}, d("address.date", d("$eq", "x"))},
		{"map", lookups.Q{"meta__color__startswith": "r"}, d("meta.color", d("$regex", "^r"))},
		{"any", lookups.Q{"extra__a__b": 1}, d("extra.a.b", d("$eq", 1))},
		{"array element", lookups.Q{"tags": "go"}, d("tags", d("$eq", "go"))},
		{"ref _id", lookups.Q{"author___id": oid}, d("author._id", d("$eq", oid))},
		{"ref pk", lookups.Q{"author__pk": oid}, d("author._id", d("$eq", oid))},
		{"ref object", lookups.Q{"author": author}, d("author._id", d("$eq", oid))},
		{"ref id value", lookups.Q{"author": oid}, d("author._id", d("$eq", oid))},
		{"ref hex", lookups.Q{"author": oid.Hex()}, d("author._id", d("$eq", oid))},
		{"ref nil", lookups.Q{"author": nil}, d("author", d("$eq", nil))},
		{"ref isnull", lookups.Q{"author__isnull": true}, d("author", d("$eq", nil))},
		{"ref in objects", lookups.Q{"author__in": []*fUser{author}}, d("author._id", d("$in", bson.A{oid}))},
		{"list of refs", lookups.Q{"related___id": oid}, d("related._id", d("$eq", oid))},
		{"converter", lookups.Q{"price": fCents(5)}, d("price", d("$eq", "c5ns"))},
		{"merged and", lookups.Q{"title": "a", "plain__gt": 1}, d("plain", d("$gt", 1), "title", d("$eq", "a"))},
		{"and with repeated key", lookups.And(lookups.Q{"plain__gt": 1}, lookups.Q{"plain__lt": 5}),
			d("$and", bson.A{d("plain", d("$gt", 1)), d("plain", d("$lt", 5))})},
		{"or", lookups.Or(lookups.Q{"title": "a"}, lookups.Q{"plain": 2}),
			d("$or", bson.A{d("title", d("$eq", "a")), d("plain", d("$eq", 2))})},
		{"empty or", lookups.Or(), d("$nor", bson.A{bson.D{}})},
		{"not", lookups.Not(lookups.Q{"title": "a"}), d("$nor", bson.A{d("title", d("$eq", "a"))})},
		{"nested not or", lookups.And(lookups.Q{"plain": 1}, lookups.Not(lookups.Or(lookups.Q{"title": "a"}, lookups.Q{"title": "b"}))),
			d("plain", d("$eq", 1), "$nor", bson.A{d("$or", bson.A{d("title", d("$eq", "a")), d("title", d("$eq", "b"))})})},
		{"raw bson.D", bson.D{{Key: "x", Value: 1}}, d("x", 1)},
		{"raw bson.M", bson.M{"b": 1, "a": 2}, d("a", 2, "b", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mongo.Filter[fPage](tt.cond)
			if err != nil {
				t.Fatal(err)
			}
			if !equalD(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// equalD compares two filters through their BSON bytes.
func equalD(a, b bson.D) bool {
	x, err1 := bson.Marshal(a)
	y, err2 := bson.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func TestMongoFilterErrors(t *testing.T) {
	tests := []struct {
		name    string
		cond    any
		wantIs  []error
		wantMsg string
	}{
		{"unknown field", lookups.Q{"nope": 1}, []error{lookups.ErrUnknownField}, `fPage: unknown field "nope"`},
		{"unknown nested field", lookups.Q{"address__zip": 1}, []error{lookups.ErrUnknownField}, `"zip" in "address__zip"`},
		{"path past a scalar", lookups.Q{"title__foo": 1}, []error{lookups.ErrUnknownLookup}, `unknown lookup "foo" in "title__foo"`},
		{"transform", lookups.Q{"created__year": 2020}, []error{lookups.ErrUnknownLookup, mongo.ErrUnsupported}, `"year" in "created__year": transforms are not supported on MongoDB`},
		{"transform with lookup", lookups.Q{"created__year__gte": 2020}, []error{mongo.ErrUnsupported}, `created__year__gte`},
		{"join through a reference", lookups.Q{"author__name": "x"}, []error{lookups.ErrUnknownField, mongo.ErrUnsupported}, `only author___id can be queried`},
		{"goqu expression", goqu.C("x").Eq(1), []error{mongo.ErrBadFilter}, ""},
		{"goqu in lookups", lookups.And(goqu.C("x").Eq(1)), []error{lookups.ErrBadValue, mongo.ErrUnsupported}, "goqu expression"},
		{"ambiguous map", map[string]any{"x": 1}, []error{mongo.ErrBadFilter}, "use bson.M for a raw filter, lookups.Q for lookups"},
		{"bad type", 42, []error{mongo.ErrBadFilter}, "int"},
		{"isnull not bool", lookups.Q{"title__isnull": "yes"}, []error{lookups.ErrBadValue}, "isnull"},
		{"contains not string", lookups.Q{"title__contains": 3}, []error{lookups.ErrBadValue}, ""},
		{"in not a list", lookups.Q{"title__in": 3}, []error{lookups.ErrBadValue}, ""},
		{"bad regex", lookups.Q{"title__regex": "("}, []error{lookups.ErrBadValue}, "bad regular expression"},
		{"bad hex", lookups.Q{"_id": "zz"}, []error{lookups.ErrBadValue}, "not an ObjectID"},
		{"unsaved object", lookups.Q{"author": &fUser{}}, []error{lookups.ErrBadValue}, "unsaved"},
		{"wrong model", lookups.Q{"author": &fPage{ID: bson.NewObjectID()}}, []error{lookups.ErrBadValue}, "compared with references to"},
		{"empty part", lookups.Q{"title__": 1}, []error{lookups.ErrEmptyLookup}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mongo.Filter[fPage](tt.cond)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			if tt.wantMsg != "" && !contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
