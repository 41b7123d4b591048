package bench

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkRead10k reads all 10,000 rows of bench_rows (SELECT id, name,
// score, active, created ORDER BY id) per operation, through the raw driver
// with typed scan targets (the hand-written baseline) and through core's
// FetchAll and Iterate, on every backend:
//
//	BenchmarkRead10k/postgres/pgx-raw           pgxpool Query + Scan
//	BenchmarkRead10k/postgres/database-sql-raw  pgx's stdlib driver, database/sql Scan
//	BenchmarkRead10k/postgres/core-FetchAll     core.Database.FetchAll
//	BenchmarkRead10k/postgres/core-Iterate      core.Database.Iterate
//	BenchmarkRead10k/mysql/...                  database-sql-raw (go-sql-driver/mysql), core-*
//	BenchmarkRead10k/sqlite/...                 database-sql-raw (mattn/go-sqlite3), core-*
//
// Every variant first reads the table once untimed and checks each row's
// values (and, for core, their Go types); each timed operation must read
// exactly 10,000 rows.
func BenchmarkRead10k(b *testing.B) {
	b.Run(postgresName, func(b *testing.B) {
		be := getBackend(b, postgresName)
		b.Run("pgx-raw", func(b *testing.B) { runRead(b, pgxRaw(be.pool, be.selectAllSQL)) })
		b.Run("database-sql-raw", func(b *testing.B) { runRead(b, sqlRaw(be.sqlDB, be.selectAllSQL)) })
		runCore(b, be)
	})
	b.Run(mysqlName, func(b *testing.B) {
		be := getBackend(b, mysqlName)
		b.Run("database-sql-raw", func(b *testing.B) { runRead(b, mysqlRaw(be.sqlDB, be.selectAllSQL)) })
		runCore(b, be)
	})
	b.Run(sqliteName, func(b *testing.B) {
		be := getBackend(b, sqliteName)
		b.Run("database-sql-raw", func(b *testing.B) { runRead(b, sqlRaw(be.sqlDB, be.selectAllSQL)) })
		runCore(b, be)
	})
}

func runCore(b *testing.B, be *backend) {
	b.Run("core-FetchAll", func(b *testing.B) { runRead(b, coreFetchAll(be.core, be.selectAll)) })
	b.Run("core-Iterate", func(b *testing.B) { runRead(b, coreIterate(be.core, be.selectAll)) })
}

// reader reads the whole table once and returns how many rows it read. When
// visit is not nil it is called with every row (the untimed verification
// pass); the timed operations pass nil.
type reader func(ctx context.Context, visit func(benchRow) error) (int, error)

// sink keeps the compiler from discarding what the readers read.
var sink int64

func runRead(b *testing.B, read reader) {
	ctx := context.Background()
	var v verifier
	n, err := read(ctx, v.visit)
	if err != nil {
		b.Fatalf("verification pass: %v", err)
	}
	if n != numRows {
		b.Fatalf("verification pass read %d rows, want %d", n, numRows)
	}
	b.ReportAllocs()
	for b.Loop() {
		n, err := read(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n != numRows {
			b.Fatalf("read %d rows, want %d", n, numRows)
		}
	}
}

// pgxRaw is the hand-written baseline on PostgreSQL: pgx's native pool,
// scanning into typed locals.
func pgxRaw(pool *pgxpool.Pool, query string) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		rows, err := pool.Query(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		var (
			n       int
			sum     int64
			id      int64
			name    string
			score   float64
			active  bool
			created time.Time
		)
		for rows.Next() {
			if err := rows.Scan(&id, &name, &score, &active, &created); err != nil {
				return n, err
			}
			n++
			sum += id
			if visit != nil {
				if err := visit(benchRow{id, name, score, active, created}); err != nil {
					return n, err
				}
			}
		}
		sink = sum
		return n, rows.Err()
	}
}

// sqlRaw is the database/sql baseline (pgx's stdlib driver, go-sqlite3):
// Query, then Scan into typed locals.
func sqlRaw(db *sql.DB, query string) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		var (
			n       int
			sum     int64
			id      int64
			name    string
			score   float64
			active  bool
			created time.Time
		)
		for rows.Next() {
			if err := rows.Scan(&id, &name, &score, &active, &created); err != nil {
				return n, err
			}
			n++
			sum += id
			if visit != nil {
				if err := visit(benchRow{id, name, score, active, created}); err != nil {
					return n, err
				}
			}
		}
		sink = sum
		return n, rows.Err()
	}
}

// mysqlRaw is sqlRaw for go-sql-driver/mysql, which returns a BIT(1) as one
// byte that database/sql cannot scan into a bool: it is read as
// sql.RawBytes (no copy) and tested by hand.
func mysqlRaw(db *sql.DB, query string) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		var (
			n       int
			sum     int64
			id      int64
			name    string
			score   float64
			bit     sql.RawBytes
			created time.Time
		)
		for rows.Next() {
			if err := rows.Scan(&id, &name, &score, &bit, &created); err != nil {
				return n, err
			}
			active := len(bit) == 1 && bit[0] != 0
			n++
			sum += id
			if visit != nil {
				if err := visit(benchRow{id, name, score, active, created}); err != nil {
					return n, err
				}
			}
		}
		sink = sum
		return n, rows.Err()
	}
}

// coreFetchAll reads through core.Database.FetchAll and uses each row's id.
func coreFetchAll(db *core.Database, q *goqu.SelectDataset) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		rows, err := db.FetchAll(ctx, q)
		if err != nil {
			return 0, err
		}
		var sum int64
		for _, row := range rows {
			id, _ := row.At(0).(int64)
			sum += id
			if visit != nil {
				if err := visitCore(row, visit); err != nil {
					return 0, err
				}
			}
		}
		sink = sum
		return len(rows), nil
	}
}

// coreIterate reads through core.Database.Iterate and uses each row's id.
func coreIterate(db *core.Database, q *goqu.SelectDataset) reader {
	return func(ctx context.Context, visit func(benchRow) error) (int, error) {
		n := 0
		var sum int64
		for row, err := range db.Iterate(ctx, q) {
			if err != nil {
				return n, err
			}
			n++
			id, _ := row.At(0).(int64)
			sum += id
			if visit != nil {
				if err := visitCore(row, visit); err != nil {
					return n, err
				}
			}
		}
		sink = sum
		return n, nil
	}
}

// visitCore checks that a core row holds the Go types Row documents for
// these columns, then visits its values.
func visitCore(row *core.Row, visit func(benchRow) error) error {
	var r benchRow
	var ok [5]bool
	if row.Len() != 5 {
		return fmt.Errorf("core row has %d columns, want 5: %v", row.Len(), row)
	}
	r.ID, ok[0] = row.Get("id").(int64)
	r.Name, ok[1] = row.Get("name").(string)
	r.Score, ok[2] = row.Get("score").(float64)
	r.Active, ok[3] = row.Get("active").(bool)
	r.Created, ok[4] = row.Get("created").(time.Time)
	for i, good := range ok {
		if !good {
			return fmt.Errorf("core row column %s is a %T, not the documented type: %v", row.Columns()[i], row.At(i), row)
		}
	}
	return visit(r)
}
