// Package orm maps plain Go structs to tables: Django-style models with
// managers, lazy immutable query sets and name__op lookups, on PostgreSQL,
// MySQL/MariaDB and SQLite through core.
//
// # Models
//
// Any struct is a model. Columns come from exported fields: `db:"name"`
// names the column (snake_case of the field name by default) and `orm:"..."`
// holds the rest: pk, autoincrement, noautoincrement, size=N, unique, index,
// null, default=..., type=..., precision=N, scale=N, json, auto_now,
// auto_now_add, or "-" to leave the field out. Without a pk tag, an integer
// field ID is the auto-increment primary key. An embedded orm.Model carries
// table options in its tag (`orm:"table=albums,db=other"`) and enables dirty
// tracking; a Meta method gives the rest (UniqueTogether, composite Indexes,
// check Constraints, Abstract bases). Embedded structs contribute their
// fields. A model that cannot be (an unknown option, two primary keys, a
// field type with no column type) is an error naming the struct and field,
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
// ErrBadValue, ErrNotSaved, the lookups errors (ErrUnknownField,
// ErrUnknownLookup, ...) or core's classified database errors, and name the
// model and field.
//
// # Saving
//
// Save inserts an object without a key and updates one with a key: only the
// fields changed since it was loaded when the model embeds Model, or the
// fields named. BulkCreate inserts in multi-row batches inside one
// transaction and sets every generated key. GetOrCreate and UpdateOrCreate
// are safe under concurrency given a unique constraint on the lookup fields.
//
// # Sharing objects
//
// An object is a plain struct: it is not safe to change one object from
// several goroutines at once. Query sets and managers are safe to share.
package orm
