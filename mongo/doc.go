// Package mongo saves plain Go structs to MongoDB documents and restores
// them, with references between documents, an identity cache, and the same
// name__op lookups as atomdb's SQL side (package lookups). It is atom-db's
// MongoDB mapper carried over to Go, on the official driver
// (go.mongodb.org/mongo-driver/v2); the raw driver is always one call away.
//
// # Models
//
// A model is a struct with bson tags (or none: the key is then the
// lower-cased field name, as the driver does) and an _id field. The
// embedded Model names the collection and gives each object a load state:
//
//	type Page struct {
//	    mongo.Model `mongo:"collection=pages"`
//	    ID      bson.ObjectID `bson:"_id"`
//	    Title   string        `bson:"title" mongo:"index"`
//	    Author  *User         `bson:"author"`
//	    Related []*Page       `bson:"related"`
//	}
//
// Metadata is built once per type. Bad tags are errors (ErrBadModel) naming
// the struct and field, never panics. Field tag options (mongo:"..."):
// unique, index (with sparse, desc), text (store a TextMarshaler as its
// text) and - (not stored). A compound index comes from an Indexes method;
// EnsureIndexes creates them all.
//
// # Managers
//
//	pages := mongo.Objects[Page](db) // db is a *mongo.Database of the driver
//	err := pages.Save(ctx, p)        // insert or replace by _id; a new ObjectID when zero
//	err = pages.Delete(ctx, p)       // that document only
//	p, err = pages.Get(ctx, lookups.Q{"title__iexact": "home"})
//	ps, err := pages.Find(ctx, lookups.Q{"author___id": u.ID}, mongo.Sort("-title"), mongo.Limit(10))
//	for p, err := range pages.Iterate(ctx, nil) { ... }
//	p, err = pages.Restore(ctx, rawDocument) // from any query made with pages.Collection()
//
// # References
//
// A field holding another model object (a pointer, a slice or a map of
// pointers, or an interface) is stored as {_id, __model__} when that object
// has an _id, and as the object itself when it has not. Save does not
// cascade. Restoring resolves references with one $in query per referenced
// model (and level of references), never one query per reference and never
// $lookup, through the identity cache: cycles and self references come back
// as the same objects (p.Related[0].Related[0] == p). A model a reference
// points to must be registered (Objects or Register) so that it can be
// restored.
//
// # Identity cache
//
// Each database (client and name) has a Cache shared by its managers: an
// _id restored twice is one object. Objects are held weakly, so those
// nothing else refers to leave after a garbage collection. A loaded object
// found in the cache is returned as it is; Refresh reads it again.
//
// # Lookups
//
// Find, FindOne, Get, Count and Iterate take a lookups condition
// (lookups.Q, lookups.And/Or/Not) or a raw filter (bson.D, bson.M,
// bson.Raw). Filter shows the translation; lookups that MongoDB cannot run
// (transforms such as year, goqu expressions) are errors wrapping
// ErrUnsupported.
//
// # Values
//
// Values are stored by the driver's rules, with these additions: structs
// field by field with this package's rules (so nested structs may hold
// references and converters), structs with no exported fields that
// implement encoding.TextMarshaler (big.Int, big.Float, big.Rat,
// netip.Addr, decimal types) as their text, and any field through a
// Converter (Convertible). time.Time is a BSON date: milliseconds, read back
// in UTC. Exact decimals are strings (or a converter to strings): FerretDB,
// the server the tests run on, has no Decimal128.
package mongo
