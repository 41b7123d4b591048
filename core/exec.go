package core

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/doug-martin/goqu/v9"
)

var now = time.Now

// Execute runs a statement that returns no rows (INSERT, UPDATE, DELETE,
// DDL) and reports the rows it affected and, for an INSERT, the new key where
// the dialect can say (see Result). The query is a goqu dataset or raw SQL
// with :name parameters and one Params argument:
//
//	db.Execute(ctx, goqu.Insert("notes").Rows(goqu.Record{"text": "hi"}))
//	db.Execute(ctx, "UPDATE notes SET completed = :done WHERE id = :id", core.Params{"done": true, "id": 1})
func (db *Database) Execute(ctx context.Context, query any, args ...any) (Result, error) {
	st, err := render(db.dialect, query, args)
	if err != nil {
		return Result{}, err
	}
	return db.exec(ctx, st)
}

func (db *Database) exec(ctx context.Context, st statement) (Result, error) {
	r, done, err := db.runnerFor(ctx)
	if err != nil {
		return Result{}, err
	}
	defer done()
	ctx, ev := db.before(ctx, ExecStatement, st, nil)
	res, err := r.Exec(ctx, st.sql, st.args)
	err = wrapError(err, st.sql)
	db.after(ctx, ev, res.RowsAffected, err)
	if err == nil {
		db.wrote(ctx)
	}
	return res, err
}

// ExecuteMany runs one statement once per set of values, all in one
// transaction (a savepoint when ctx already carries one): either every
// execution succeeds or none leaves a trace. The query is raw SQL with :name
// parameters, or a goqu insert dataset into which each set becomes one row:
// its keys are the column names (quoted by Dialect.QuoteIdent, so any name
// stays a name), its values bound parameters. It returns the total rows
// affected.
//
//	db.ExecuteMany(ctx, "INSERT INTO notes(text) VALUES (:text)", []core.Params{{"text": "a"}, {"text": "b"}})
func (db *Database) ExecuteMany(ctx context.Context, query any, values []Params) (int64, error) {
	var stmts []statement
	switch q := query.(type) {
	case string:
		c, err := compileRaw(db.dialect, q)
		if err != nil {
			return 0, err
		}
		for i, p := range values {
			args, err := c.bind(p)
			if err != nil {
				return 0, fmt.Errorf("ExecuteMany: values[%d]: %w", i, err)
			}
			stmts = append(stmts, statement{sql: c.sql, args: args})
		}
	case *goqu.InsertDataset:
		for i, p := range values {
			ins, err := insertParams(db.dialect, q, p)
			var st statement
			if err == nil {
				st, err = render(db.dialect, ins, nil)
			}
			if err != nil {
				return 0, fmt.Errorf("ExecuteMany: values[%d]: %w", i, err)
			}
			stmts = append(stmts, st)
		}
	default:
		return 0, fmt.Errorf("%w: ExecuteMany takes raw SQL or a *goqu.InsertDataset, not %T", ErrBadQuery, query)
	}
	var total int64
	err := db.Transaction(ctx, func(ctx context.Context) error {
		for _, st := range stmts {
			res, err := db.exec(ctx, st)
			if err != nil {
				return err
			}
			total += res.RowsAffected
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// FetchAll runs a query and returns all its rows.
func (db *Database) FetchAll(ctx context.Context, query any, args ...any) ([]*Row, error) {
	st, err := render(db.dialect, query, args)
	if err != nil {
		return nil, err
	}
	rows := make([]*Row, 0, 64)
	var block rowBlock
	for row, err := range db.iterate(ctx, st, block.next) {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// rowBlockSize is how many rows FetchAll allocates at once.
const rowBlockSize = 128

// rowBlock hands out rows and their value slices from blocks, so that
// FetchAll makes two allocations per block rather than two per row. (Rows
// that Iterate yields are allocated one by one: a row kept from a loop must
// not keep a whole block alive.)
type rowBlock struct {
	rows []Row
	vals []any
}

func (b *rowBlock) next(cols *columns) *Row {
	n := len(cols.names)
	if len(b.rows) == 0 {
		b.rows = make([]Row, rowBlockSize)
		b.vals = make([]any, rowBlockSize*n)
	}
	r := &b.rows[0]
	b.rows = b.rows[1:]
	r.cols, r.values = cols, b.vals[:n:n]
	b.vals = b.vals[n:]
	return r
}

func newRow(cols *columns) *Row {
	return &Row{cols: cols, values: make([]any, len(cols.names))}
}

// FetchOne runs a query and returns its first row, or nil (and no error)
// when it returns none. The remaining rows are not read.
func (db *Database) FetchOne(ctx context.Context, query any, args ...any) (*Row, error) {
	for row, err := range db.Iterate(ctx, query, args...) {
		return row, err
	}
	return nil, nil
}

// FetchVal runs a query and returns one value of its first row: the first
// column, or the one a ColumnAt / ColumnNamed argument selects. It returns
// nil when the query returns no row (and for a NULL).
//
//	n, err := db.FetchVal(ctx, goqu.From("notes").Select(goqu.COUNT("*")))
//	text, err := db.FetchVal(ctx, "SELECT id, text FROM notes WHERE id = :id", core.Params{"id": 1}, core.ColumnNamed("text"))
func (db *Database) FetchVal(ctx context.Context, query any, args ...any) (any, error) {
	st, err := render(db.dialect, query, args)
	if err != nil {
		return nil, err
	}
	for row, err := range db.iterate(ctx, st, newRow) {
		if err != nil {
			return nil, err
		}
		return row.pick(st.column)
	}
	return nil, nil
}

// Iterate runs a query and yields its rows one at a time as the database
// sends them, without holding the result in memory. Breaking out of the loop
// closes the result. An error ends the sequence with (nil, err).
//
//	for row, err := range db.Iterate(ctx, goqu.From("notes").Order(goqu.C("id").Asc())) {
//		if err != nil { return err }
//		fmt.Println(row.Get("text"))
//	}
//
// While the loop runs, its connection is busy: on PostgreSQL and MySQL a
// statement made inside the loop with the same transaction context fails;
// with WithForceRollback or an in-memory SQLite database, which have a single
// connection, it would wait for the loop to end, so collect what you need
// first (FetchAll) in those cases.
func (db *Database) Iterate(ctx context.Context, query any, args ...any) iter.Seq2[*Row, error] {
	st, err := render(db.dialect, query, args)
	if err != nil {
		return func(yield func(*Row, error) bool) { yield(nil, err) }
	}
	return db.iterate(ctx, st, newRow)
}

func (db *Database) iterate(ctx context.Context, st statement, alloc func(*columns) *Row) iter.Seq2[*Row, error] {
	return func(yield func(*Row, error) bool) {
		rd, err := db.openRead(ctx, &st)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rd.done()
		cur := rd.cur
		var n int64
		var ferr error // the error that ended the result, for the hooks
		defer func() { db.after(rd.ctx, rd.ev, n, ferr) }()
		fail := func(err error) {
			ferr = wrapError(err, st.sql)
			yield(nil, ferr)
		}
		closed := false
		defer func() {
			if !closed {
				_ = cur.Close()
			}
		}()
		cols := newColumns(cur.Columns())
		for cur.Next() {
			row := alloc(cols)
			if err := cur.Scan(row.values); err != nil {
				fail(err)
				return
			}
			n++
			if !yield(row, nil) {
				return
			}
		}
		closed = true
		if err := cur.Close(); err != nil {
			fail(err)
			return
		}
		if err := cur.Err(); err != nil {
			fail(err)
		}
	}
}

// insertParams makes the insert of one row of p into q's table: the keys,
// sorted, are the columns, written by QuoteIdent; the values are bound.
func insertParams(d *Dialect, q *goqu.InsertDataset, p Params) (*goqu.InsertDataset, error) {
	keys := make([]string, 0, len(p))
	for k := range p {
		switch {
		case k == "":
			return nil, fmt.Errorf("%w: %w: empty column name", ErrBadQuery, ErrBadIdentifier)
		case !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0:
			return nil, fmt.Errorf("%w: %w", ErrBadQuery, identErr("column", k, "is not UTF-8 text without NUL"))
		case d.caps.MaxIdentLength > 0 && len(k) > d.caps.MaxIdentLength:
			return nil, fmt.Errorf("%w: %w", ErrBadQuery, identErr("column", k, "is longer than %d bytes", d.caps.MaxIdentLength))
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return q.Rows(goqu.Record{}), nil // DEFAULT VALUES
	}
	sort.Strings(keys)
	cols := make([]any, len(keys))
	vals := make([]any, len(keys))
	for i, k := range keys {
		cols[i] = goqu.L(d.QuoteIdent(k))
		vals[i] = p[k]
	}
	return q.ClearRows().ClearVals().Cols(cols...).Vals(vals), nil
}
