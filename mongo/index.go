package mongo

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Index is an index of a model's collection, made by EnsureIndexes. Field
// tags declare single-field ones (mongo:"index", mongo:"unique", with
// "sparse" and "desc" modifiers); a model declares compound ones with an
// Indexes method:
//
//	func (Page) Indexes() []mongo.Index {
//	    return []mongo.Index{{Keys: []string{"site", "-published"}, Unique: true}}
//	}
type Index struct {
	// Keys are the indexed fields in order: BSON keys, dotted for fields of
	// nested documents ("author._id"), with a leading "-" for descending
	// order.
	Keys []string
	// Unique makes the index reject a second document with the same keys.
	Unique bool
	// Sparse leaves out the documents that lack the fields.
	Sparse bool
	// Name is the index's name; empty means MongoDB's default
	// ("site_1_published_-1").
	Name string
}

// Indexer is implemented by a model that declares indexes beyond its field
// tags. It is called once per type, on the zero value.
type Indexer interface {
	Indexes() []Index
}

var indexerType = reflect.TypeFor[Indexer]()

// indexesOf collects the indexes of a model: from field tags (nested
// structs included, with dotted keys), then from its Indexes method.
func indexesOf(info *modelInfo) ([]Index, error) {
	var out []Index
	var walk func(si *structInfo, prefix string, seen map[reflect.Type]bool) error
	walk = func(si *structInfo, prefix string, seen map[reflect.Type]bool) error {
		if seen[si.typ] {
			return nil
		}
		seen[si.typ] = true
		defer delete(seen, si.typ)
		for _, f := range si.fields {
			key := prefix + f.key
			if f.indexed && f.key != "_id" {
				k := key
				if f.desc {
					k = "-" + k
				}
				out = append(out, Index{Keys: []string{k}, Unique: f.unique, Sparse: f.sparse})
			}
			if f.conv != nil {
				continue
			}
			c := f.codec
			for c.kind == kPtr || c.kind == kList {
				c = c.elem
			}
			if c.kind == kStruct {
				nested, err := structInfoFor(c.typ)
				if err != nil {
					return err
				}
				if err := walk(nested, key+".", seen); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(info.structInfo, "", map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	var ix Indexer
	switch t := info.typ; {
	case t.Implements(indexerType):
		ix = reflect.New(t).Elem().Interface().(Indexer)
	case reflect.PointerTo(t).Implements(indexerType):
		ix = reflect.New(t).Interface().(Indexer)
	}
	if ix != nil {
		for _, idx := range ix.Indexes() {
			if len(idx.Keys) == 0 {
				return nil, newError(info.name, "", ErrBadModel, "an Index without Keys", nil)
			}
			for _, k := range idx.Keys {
				if strings.TrimPrefix(k, "-") == "" {
					return nil, newError(info.name, "", ErrBadModel, "an empty key in Index.Keys", nil)
				}
			}
			out = append(out, idx)
		}
	}
	return out, nil
}

func (idx Index) model() mongodriver.IndexModel {
	keys := make(bson.D, len(idx.Keys))
	for i, k := range idx.Keys {
		if rest, ok := strings.CutPrefix(k, "-"); ok {
			keys[i] = bson.E{Key: rest, Value: -1}
		} else {
			keys[i] = bson.E{Key: k, Value: 1}
		}
	}
	opts := options.Index()
	if idx.Unique {
		opts.SetUnique(true)
	}
	if idx.Sparse {
		opts.SetSparse(true)
	}
	if idx.Name != "" {
		opts.SetName(idx.Name)
	}
	return mongodriver.IndexModel{Keys: keys, Options: opts}
}

// Indexes returns the indexes EnsureIndexes makes: those of field tags,
// then those of the model's Indexes method.
func (m *Manager[T]) Indexes() ([]Index, error) {
	if m.info == nil {
		return nil, m.err
	}
	return append([]Index(nil), m.info.indexes...), nil
}

// EnsureIndexes creates the model's indexes (see Index) that do not exist
// yet. An index that exists with other options is an error from the
// server.
func (m *Manager[T]) EnsureIndexes(ctx context.Context) error {
	if err := m.ready(); err != nil {
		return err
	}
	if len(m.info.indexes) == 0 {
		return nil
	}
	// One createIndexes per index: FerretDB 1.24 drops the connection on a
	// createIndexes of several indexes that already exist, and one at a
	// time is as idempotent on MongoDB.
	for _, idx := range m.info.indexes {
		if _, err := m.coll.Indexes().CreateOne(ctx, idx.model()); err != nil {
			return newError(m.info.name, "", ErrBadModel, fmt.Sprintf("creating index %v", idx.Keys), err)
		}
	}
	return nil
}
