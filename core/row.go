package core

import (
	"fmt"
	"strings"
)

// Row is one row of a result: its columns in the order the query selected
// them, duplicate names kept (SELECT 1 AS id, 2 AS id has two columns "id").
//
// Values have the same Go types on every backend: int64 for integers, float64
// for floating point, bool for booleans (BOOLEAN on PostgreSQL and SQLite,
// BIT(1) on MySQL), string for text, decimals, UUIDs and JSON, []byte for
// binary data, time.Time in UTC for dates and timestamps, and nil for NULL.
// Rows are independent of each other and of the connection: keep them as long
// as you like.
type Row struct {
	cols   *columns
	values []any
}

// columns is the column list shared by every row of one result.
type columns struct {
	names []string
	index map[string]int // first position of each name
}

func newColumns(names []string) *columns {
	c := &columns{names: names, index: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := c.index[n]; !dup {
			c.index[n] = i
		}
	}
	return c
}

// Columns returns the column names, in order. Do not modify the slice.
func (r *Row) Columns() []string { return r.cols.names }

// Values returns the values, in column order. Do not modify the slice.
func (r *Row) Values() []any { return r.values }

// Len is the number of columns.
func (r *Row) Len() int { return len(r.values) }

// At returns the value of the i-th column (0-based); it panics if i is out of
// range, like indexing a slice.
func (r *Row) At(i int) any { return r.values[i] }

// Get returns the value of the first column named name, or nil when there is
// none; use Lookup to tell a NULL from a missing column.
func (r *Row) Get(name string) any {
	v, _ := r.Lookup(name)
	return v
}

// Lookup returns the value of the first column named name and whether the row has it.
func (r *Row) Lookup(name string) (any, bool) {
	i, ok := r.cols.index[name]
	if !ok {
		return nil, false
	}
	return r.values[i], true
}

// Index returns the position of the first column named name, or -1.
func (r *Row) Index(name string) int {
	if i, ok := r.cols.index[name]; ok {
		return i
	}
	return -1
}

// Map returns the row as a map from column name to value; where names repeat,
// the first column wins.
func (r *Row) Map() map[string]any {
	m := make(map[string]any, len(r.values))
	for i := len(r.values) - 1; i >= 0; i-- {
		m[r.cols.names[i]] = r.values[i]
	}
	return m
}

// String renders the row as (name=value, ...), for logs and tests.
func (r *Row) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range r.values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%v", r.cols.names[i], v)
	}
	b.WriteByte(')')
	return b.String()
}

// pick returns the value of the column sel selects.
func (r *Row) pick(sel ColumnSelector) (any, error) {
	if sel.index < 0 {
		v, ok := r.Lookup(sel.name)
		if !ok {
			return nil, fmt.Errorf("%w: FetchVal: no column %q in the result (columns: %s)", ErrBadQuery, sel.name, strings.Join(r.cols.names, ", "))
		}
		return v, nil
	}
	if sel.index >= len(r.values) {
		return nil, fmt.Errorf("%w: FetchVal: column %d out of range (the result has %d)", ErrBadQuery, sel.index, len(r.values))
	}
	return r.values[sel.index], nil
}
