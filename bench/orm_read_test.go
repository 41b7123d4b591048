package bench

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ormRow is bench_rows as an orm model, declared the way README.md's models
// are (an embedded orm.Model, so with dirty tracking).
type ormRow struct {
	orm.Model `orm:"table=bench_rows"`
	ID        int64     `db:"id"`
	Name      string    `db:"name" orm:"size=100"`
	Score     float64   `db:"score"`
	Active    bool      `db:"active"`
	Created   time.Time `db:"created"`
}

func (o *ormRow) row() benchRow { return benchRow{o.ID, o.Name, o.Score, o.Active, o.Created} }

// eachBackend runs fn as the sub-benchmark of every backend (opened by get:
// getBackend, or one that adds fixtures), with the name of that backend's
// hand-written baseline: pgx's native pool on PostgreSQL, database/sql
// elsewhere.
func eachBackend(b *testing.B, get func(*testing.B, string) *backend, fn func(b *testing.B, be *backend, raw string)) {
	for _, name := range []string{postgresName, mysqlName, sqliteName} {
		b.Run(name, func(b *testing.B) {
			be := get(b, name)
			raw := "database-sql-raw"
			if name == postgresName {
				raw = "pgx-raw"
			}
			fn(b, be, raw)
		})
	}
}

// BenchmarkORMGetByPK reads one row of bench_rows by primary key per
// operation, cycling through the 10,000 ids:
//
//	*/pgx-raw, */database-sql-raw  QueryRow(SELECT ... WHERE id = $1).Scan into a struct
//	*/orm-Get-cached               orm.Objects[ormRow](db).Get(ctx, lookups.Q{"pk": id}) in the
//	                               database-wide identity map, which holds all 10,000 objects
//	                               (orm.WithDatabaseScope, loaded and kept alive before timing):
//	                               the query still runs and the row is still scanned, then the
//	                               cached object is refreshed from it and returned
//	*/orm-Get-fresh-scope          the same Get with a plain context: the default scope of one
//	                               call, so the object read is the one returned
//
// Before timing, every variant reads every 97th id and the last one and
// checks the values; each timed operation must return the row asked for (and
// orm-Get-cached the very object cached for it).
func BenchmarkORMGetByPK(b *testing.B) {
	eachBackend(b, getBackend, func(b *testing.B, be *backend, raw string) {
		b.Run(raw, func(b *testing.B) { runGet(b, rawGet(be)) })
		b.Run("orm-Get-cached", func(b *testing.B) {
			// Fill the identity map and keep its objects alive.
			keep, err := orm.Objects[ormRow](be.core).OrderBy("id").All(orm.WithDatabaseScope(context.Background()))
			if err != nil {
				b.Fatal(err)
			}
			if len(keep) != numRows {
				b.Fatalf("read %d objects, want %d", len(keep), numRows)
			}
			runGet(b, ormGet(be.core, keep))
			runtime.KeepAlive(keep)
		})
		b.Run("orm-Get-fresh-scope", func(b *testing.B) { runGet(b, ormGet(be.core, nil)) })
	})
}

// getter reads the row with the given id.
type getter func(ctx context.Context, id int64) (benchRow, error)

func runGet(b *testing.B, get getter) {
	ctx := context.Background()
	ids := []int64{numRows}
	for id := int64(1); id < numRows; id += 97 {
		ids = append(ids, id)
	}
	for _, id := range ids {
		r, err := get(ctx, id)
		if err != nil {
			b.Fatalf("verification pass: %v", err)
		}
		if want := wantRow(id); !r.equal(want) {
			b.Fatalf("verification pass: row %d is %+v, want %+v", id, r, want)
		}
	}
	b.ReportAllocs()
	var id int64
	for b.Loop() {
		id = id%numRows + 1
		r, err := get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if r.ID != id {
			b.Fatalf("asked for row %d, got row %d", id, r.ID)
		}
	}
}

// rawGet is the hand-written read by primary key: pgx's QueryRow on
// PostgreSQL, database/sql's QueryRowContext elsewhere (MySQL's BIT(1) read
// as bytes).
func rawGet(be *backend) getter {
	const cols = "SELECT id, name, score, active, created FROM " + tableName + " WHERE id = "
	switch be.core.Dialect() {
	case core.Postgres:
		return func(ctx context.Context, id int64) (r benchRow, err error) {
			err = be.pool.QueryRow(ctx, cols+"$1", id).Scan(&r.ID, &r.Name, &r.Score, &r.Active, &r.Created)
			return r, err
		}
	case core.MySQL:
		return func(ctx context.Context, id int64) (r benchRow, err error) {
			var bit []byte
			err = be.sqlDB.QueryRowContext(ctx, cols+"?", id).Scan(&r.ID, &r.Name, &r.Score, &bit, &r.Created)
			r.Active = len(bit) == 1 && bit[0] != 0
			return r, err
		}
	}
	return func(ctx context.Context, id int64) (r benchRow, err error) {
		err = be.sqlDB.QueryRowContext(ctx, cols+"?", id).Scan(&r.ID, &r.Name, &r.Score, &r.Active, &r.Created)
		return r, err
	}
}

// ormGet reads through the orm. With cached (the objects of every row, in
// id order) it uses the database-wide identity map and checks that Get
// returns the cached object; with nil, a fresh scope per call.
func ormGet(db *core.Database, cached []*ormRow) getter {
	return func(ctx context.Context, id int64) (benchRow, error) {
		if cached != nil {
			ctx = orm.WithDatabaseScope(ctx)
		}
		obj, err := orm.Objects[ormRow](db).Get(ctx, lookups.Q{"pk": id})
		if err != nil {
			return benchRow{}, err
		}
		if cached != nil && obj != cached[id-1] {
			return benchRow{}, fmt.Errorf("Get(%d) did not return the cached object", id)
		}
		return obj.row(), nil
	}
}

// BenchmarkORMAll10k reads all 10,000 rows of bench_rows, ordered by id, into
// structs per operation:
//
//	*/pgx-raw, */database-sql-raw  Query + Scan of each row into a struct appended to a []benchRow
//	*/orm-All                      orm.Objects[ormRow](db).OrderBy("id").All(ctx):
//	                               a []*ormRow, each object new (the default scope of one call)
//
// Before timing, every variant's rows are checked value by value; each timed
// operation must return 10,000 rows.
func BenchmarkORMAll10k(b *testing.B) {
	eachBackend(b, getBackend, func(b *testing.B, be *backend, raw string) {
		b.Run(raw, func(b *testing.B) { runRead(b, rawList(be)) })
		b.Run("orm-All", func(b *testing.B) { runRead(b, ormAll(be.core)) })
	})
}

// rowsSink keeps the last slice read alive, as a caller would.
var rowsSink []benchRow

// rawList is the hand-written read of the table into a slice of structs.
func rawList(be *backend) reader {
	raw := rawOf(be)
	bit := be.core.Dialect() == core.MySQL
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		rows, err := raw.query(ctx, be.selectAllSQL)
		if err != nil {
			return 0, err
		}
		defer closeRows(rows)
		var out []benchRow
		var bitBytes sql.RawBytes
		for rows.Next() {
			var r benchRow
			active := any(&r.Active)
			if bit {
				active = &bitBytes
			}
			if err := rows.Scan(&r.ID, &r.Name, &r.Score, active, &r.Created); err != nil {
				return 0, err
			}
			if bit {
				r.Active = len(bitBytes) == 1 && bitBytes[0] != 0
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if visit != nil {
			for _, r := range out {
				if err := visit(r); err != nil {
					return 0, err
				}
			}
		}
		rowsSink = out
		return len(out), nil
	}
}

// objsSink keeps the last objects read alive, as a caller would.
var objsSink []*ormRow

func ormAll(db *core.Database) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		objs, err := orm.Objects[ormRow](db).OrderBy("id").All(ctx)
		if err != nil {
			return 0, err
		}
		if visit != nil {
			for _, o := range objs {
				if err := visit(o.row()); err != nil {
					return 0, err
				}
			}
		}
		objsSink = objs
		return len(objs), nil
	}
}

// rawDB runs the hand-written queries: pgx's native pool on PostgreSQL,
// database/sql on MySQL and SQLite.
type rawDB struct {
	pool *pgxpool.Pool
	db   *sql.DB
}

func rawOf(be *backend) rawDB {
	if be.core.Dialect() == core.Postgres {
		return rawDB{pool: be.pool}
	}
	return rawDB{db: be.sqlDB}
}

// rawRows is what the hand-written readers use of pgx.Rows and *sql.Rows.
type rawRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

func (r rawDB) query(ctx context.Context, query string, args ...any) (rawRows, error) {
	if r.pool != nil {
		return r.pool.Query(ctx, query, args...)
	}
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func closeRows(rows rawRows) {
	switch r := rows.(type) {
	case pgx.Rows:
		r.Close()
	case *sql.Rows:
		_ = r.Close()
	}
}
