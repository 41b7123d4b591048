package core

import (
	"context"
	"fmt"
)

// Rows is an open result for scanning into typed destinations, the way the
// orm reads models: the driver converts each value straight into the
// destination (pgx's binary decoding on PostgreSQL, database/sql's
// conversions elsewhere), with no Row in between. Close it when done; the
// for-Next loop closes it on its last call.
//
//	rows, err := db.Query(ctx, goqu.From("notes").Select("id", "text"))
//	if err != nil { ... }
//	defer rows.Close()
//	for rows.Next() {
//		var id int64; var text string
//		if err := rows.Scan(&id, &text); err != nil { ... }
//	}
//	err = rows.Err()
type Rows struct {
	cur    Cursor
	done   func()
	sql    string
	err    error
	closed bool
	db     *Database
	ctx    context.Context // the hooks' context, for after
	ev     *QueryEvent
	n      int64 // rows read, for the hooks
}

// Query runs a query and returns its open result; see Rows. It takes the
// same queries and arguments as FetchAll.
func (db *Database) Query(ctx context.Context, query any, args ...any) (*Rows, error) {
	st, err := render(db.dialect, query, args)
	if err != nil {
		return nil, err
	}
	rd, err := db.openRead(ctx, &st)
	if err != nil {
		return nil, err
	}
	return &Rows{cur: rd.cur, done: rd.done, sql: st.sql, db: db, ctx: rd.ctx, ev: rd.ev}, nil
}

// Columns returns the result's column names, in order.
func (r *Rows) Columns() []string { return r.cur.Columns() }

// Next advances to the next row. It returns false at the end of the result
// or on an error (see Err), and closes the result then.
func (r *Rows) Next() bool {
	if r.closed {
		return false
	}
	if r.cur.Next() {
		r.n++
		return true
	}
	r.Close()
	return false
}

// Scan copies the current row's columns into dest, one destination per
// column: pointers to Go values, pointers to pointers for NULLs, or
// sql.Scanner implementations.
func (r *Rows) Scan(dest ...any) error {
	if r.closed {
		return fmt.Errorf("%w: Scan on closed Rows", ErrBadQuery)
	}
	if err := r.cur.ScanTyped(dest); err != nil {
		return wrapError(err, r.sql)
	}
	return nil
}

// Values returns the current row's values normalised as in Row.
func (r *Rows) Values() ([]any, error) {
	vals := make([]any, len(r.cur.Columns()))
	if err := r.cur.Scan(vals); err != nil {
		return nil, wrapError(err, r.sql)
	}
	return vals, nil
}

// Err returns the error that ended the iteration, if any.
func (r *Rows) Err() error { return r.err }

// Close closes the result; it is safe to call more than once.
func (r *Rows) Close() error {
	if r.closed {
		return r.err
	}
	r.closed = true
	err := r.cur.Close()
	if err == nil {
		err = r.cur.Err()
	}
	r.err = wrapError(err, r.sql)
	r.db.after(r.ctx, r.ev, r.n, r.err)
	r.done()
	return r.err
}
