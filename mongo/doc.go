// Package mongo saves plain Go structs to MongoDB documents and restores
// them, with references between documents, partial updates, bulk and
// query-wide writes, aggregation, an identity map per unit of work, and the
// same name__op lookups as atomdb's SQL side (package lookups). It is atom-db's
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
//	err := pages.Save(ctx, p)        // new: insertOne; loaded: $set/$unset of the changed fields
//	err = pages.Save(ctx, p, "title") // those fields only
//	err = pages.Replace(ctx, p)       // the whole document
//	err = pages.BulkSave(ctx, ps)     // ordered bulkWrites; *BulkError names the failed documents
//	err = pages.Delete(ctx, p)        // that document only
//	p, err = pages.Get(ctx, lookups.Q{"title__iexact": "home"})
//	ps, err := pages.Find(ctx, lookups.Q{"author___id": u.ID}, mongo.Sort("-title"), mongo.Limit(10))
//	for p, err := range pages.Iterate(ctx, nil) { ... }
//	p, err = pages.Restore(ctx, rawDocument) // from any query made with pages.Collection()
//
// Filter gives an immutable Query: All, First, Get, Count, Distinct,
// Iterate, and the query-wide Update (Set, Unset, Inc, Push, Pull,
// AddToSet, F) and Delete. Aggregate and AggregateTo run a pipeline of raw
// stages and Match / Group stages.
//
// # Saving
//
// A loaded object of a model that embeds Model keeps the document it was
// read as; Save sends only the fields whose stored form differs, so two
// programs that change different fields of one document keep both
// changes. A field tagged mongo:"version" makes saves optimistic
// (ErrStale). Hooks (BeforeSave, AfterSave, AfterLoad, BeforeDelete,
// AfterDelete) are methods the model may implement.
//
// # References
//
// A field holding another model object (a pointer, a slice or a map of
// pointers, or an interface) is stored as {_id, __model__} when that object
// has an _id, and as the object itself when it has not. Save does not
// cascade. Restoring resolves references with one $in query per referenced
// model (and level of references), never one query per reference and never
// $lookup, through the call's identity map: cycles and self references come
// back as the same objects (p.Related[0].Related[0] == p). A model a
// reference points to must be registered (Objects or Register) so that it
// can be restored.
//
// # Units of work
//
// The identity map belongs to a unit of work carried by the context:
// WithScope opens one (per request), Transaction opens one for its
// function, and without one each call is its own. Within a scope an _id is
// one object; a document read for an object the scope holds refreshes its
// fields that have no unsaved change (ForceRestore and Refresh: all). A
// failed save leaves no trace in the scope or the object. WithDatabaseCache
// is atom-db's database-wide weak cache, for single-goroutine programs.
//
// # Lookups
//
// Find, FindOne, Get, Count, Iterate and Filter take a lookups condition
// (lookups.Q, lookups.And/Or/Not) or a raw filter (bson.D, bson.M,
// bson.Raw). The package-level Filter and Query.BSON show the translation; lookups that MongoDB cannot run
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
// in UTC. Reading is strict: a value of another BSON type than the field's
// (an integer for a time, a number for a bool, a malformed reference) is
// ErrDecode naming the model and field. Exact decimals are strings (or a converter to strings): FerretDB,
// the server the tests run on, has no Decimal128.
package mongo
