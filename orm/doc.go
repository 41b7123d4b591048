// Package orm maps plain Go structs to tables: Django-style models with
// managers, lazy immutable query sets and name__op lookups, on PostgreSQL,
// MySQL/MariaDB and SQLite through core.
//
// # Models
//
// Any struct is a model. Columns come from exported fields: `db:"name"`
// names the column (snake_case of the field name by default) and `orm:"..."`
// holds the rest: pk, autoincrement, noautoincrement, size=N, unique, index,
// null, default=..., type=..., precision=N, scale=N, round, json, auto_now,
// auto_now_add, renamed_from=old_column (for migrations), or "-" to leave the
// field out. Without a pk tag, an integer
// field ID is the auto-increment primary key. An embedded orm.Model carries
// table options in its tag (`orm:"table=albums,db=other"`; table=app.albums
// is table albums in schema app) and enables dirty tracking; a Meta method
// gives the rest (UniqueTogether, composite Indexes, check Constraints,
// Abstract bases, RenamedFrom). Embedded structs contribute their
// fields. A model that cannot be (an unknown option, two primary keys, a
// field type with no column type, a table or column name holding a quote
// character, NUL or too long: see core.CheckIdent) is an error naming the
// struct and field,
// from Register or from the first call of its manager; never a panic.
//
// # Types
//
// bool, every int and uint size, float32/64, string, []byte, time.Time
// (stored in UTC at microsecond precision, read back in UTC), pointers and
// sql.Null* for NULL, decimal.Decimal (exact, from shopspring/decimal),
// uuid.UUID (google/uuid), named string and integer types (enums), JSON for
// maps, slices and structs tagged json, any sql.Scanner + driver.Valuer, and
// anything else through a Converter the model declares. uint64 values above
// 2^63-1 fit on MySQL only; elsewhere they are an error naming the field.
//
// A value that does not fit its column is refused before anything is
// written, with the same error on every backend: ErrValueRange (and
// ErrBadValue) in a *ModelError naming the model and field. That covers
// strings longer than size= (counted in characters) or not valid UTF-8, NUL
// in text on PostgreSQL, integers outside a smallint or integer column,
// float32 overflow, decimals with more digits than the column's precision or
// scale (tag the field round to round half away from zero instead), NaN
// except on PostgreSQL, infinities on MySQL, and years outside 1..9999
// (-4712..294275 on PostgreSQL).
//
// # Managers and query sets
//
//	albums := orm.Objects[Album](db)                 // db: *core.Database or *core.Databases
//	a, err := albums.Create(ctx, &Album{Name: "Malibu"})
//	a, err = albums.Get(ctx, lookups.Q{"name__iexact": "malibu"})
//	n, err := albums.Filter(lookups.Q{"year__gte": 1970}).Exclude(lookups.Q{"name__contains": "%"}).Count(ctx)
//	for a, err := range albums.OrderBy("-year").Limit(10).Iterate(ctx) { ... }
//
// Query sets are immutable and lazy: builders return copies, terminals take
// the context. A bad lookup or field name is returned by the terminal.
// Errors wrap ErrDoesNotExist, ErrMultipleObjectsReturned, ErrInvalidModel,
// ErrBadValue, ErrValueRange, ErrNotSaved, the lookups errors (ErrUnknownField,
// ErrUnknownLookup, ...) or core's classified database errors, and name the
// model and field. Lookups come from lookups.DefaultRegistry, or from the
// registry UseLookups gave the database, so that lookups of your own work in
// every query.
//
// # Saving
//
// Save inserts an object without a key and updates one with a key: only the
// fields changed since it was read or saved when the model embeds Model
// (dirty tracking), or only the fields named, which leaves every other
// change unsaved. BulkCreate inserts in multi-row batches (on PostgreSQL,
// arrays through unnest), atomically, and sets every generated key. GetOrCreate and UpdateOrCreate
// are safe under concurrency given a unique constraint on the lookup fields.
//
// # Relations
//
// A field of pointer-to-model type tagged fk (on_delete=, on_update=, null)
// is a foreign key; fk,unique or o2o a one-to-one; a []*Model field tagged
// reverse=Field the other side of Field, a foreign key of that model; one
// tagged m2m a many-to-many through an automatic join table, or through a
// model of your own with m2m,through=Name (register that model before use,
// with Register, since Go cannot find a type by its name). A foreign key
// not loaded holds a stub with only its key. SelectRelated joins to-one
// relations into the query; PrefetchRelated and LoadRelated load any
// relation with one query per level; lookups cross relations
// ("album__artist__name") as IN subqueries, so no row comes back twice;
// OrderBy crosses to-one relations ("-album__artist__name") with a JOIN
// each, LEFT for a nullable key. Paths are resolved, and joins planned, by
// the relations package.
//
// Saving an object saves its changed relation lists, and a list knows
// whether it was loaded (the state lives in the embedded Model). A list
// filled by PrefetchRelated, LoadRelated or Load-ed relations, or saved
// whole with a new object, is synced: children that left it are deleted
// (unlinked when their foreign key is nullable), links that left it
// removed, and an empty list removes them all. A list never loaded only
// gains the objects put in it: Save inserts or links them and never deletes
// or unlinks. A nil list is always left alone. Loading a list the program
// appended to keeps the appended objects, to be saved with the rest.
//
// # The identity map
//
// The identity map belongs to a unit of work carried by the context, as
// SQLAlchemy's Session does; within one scope, one primary key of a model
// is one object (Get twice returns one pointer; SelectRelated,
// PrefetchRelated and Restore share it; a stub is the object a later read
// fills). The scope of a call is, in order:
//
//   - the transaction ctx carries (db.Transaction or db.Begin): objects read
//     inside it are shared inside it, and the scope ends with it. A rollback
//     (of a transaction or a savepoint) undoes what it did to objects: the
//     keys it read leave the scope, an object it inserted is new again (not
//     loaded, an auto-increment key zeroed, so a retry inserts it again),
//     one it updated has its changes unsaved again (its next Save writes
//     every field), one it deleted gets its key back. A transaction begun
//     inside WithScope shares that scope;
//   - the scope WithScope put in ctx, for a request's or job's unit of work;
//   - the database-wide map, held with weak pointers, when ctx comes from
//     WithDatabaseScope (atom-db's cache: for single-goroutine programs);
//   - otherwise a scope of the call's own: within its result one key is one
//     object (child.Parent == parent), and nothing is shared with any other
//     call or goroutine.
//
// Reads are never stale: what a query returns is what the database holds.
// A row read for an object the scope already holds refreshes every field
// that has no unsaved change (one the program changed and has not saved
// keeps its value and stays dirty, so the next Save writes it); ForUpdate
// and ForceRestore refresh every field. A model that does not embed Model
// has no dirty tracking: a read refreshes all its fields. Cache and CacheIn
// reach a model's part of a scope.
//
// # Core-style queries
//
// Table[T] and Columns[T] put a model into any goqu query, and Restore
// builds objects back from its rows, labelled columns first.
//
// # Sharing objects
//
// Managers and query sets are immutable and safe for concurrent use, and
// so are the identity maps. Objects are plain structs: by default each call
// returns objects of its own, so goroutines never share one. A scope
// (WithScope, a transaction) belongs to one goroutine at a time, like the
// transaction it may carry. With WithDatabaseScope every reader of a row
// gets the same object: changing it while another goroutine reads it is a
// data race, and one goroutine's unsaved edits are saved by another's Save.
package orm
