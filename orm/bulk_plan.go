package orm

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// bulkPlan is what inserting rows of one model in one dialect needs, for
// one column list: every stored field, or every one but the generated key.
// It is built once and shared.
type bulkPlan struct {
	info      *modelInfo
	d         *core.Dialect
	generated bool
	cols      []bulkCol
	// defaultKey: the model has no column but its generated key, which
	// each row gives as DEFAULT (NULL on SQLite).
	defaultKey bool
	colNames   []any // for goqu
	returning  bool  // PostgreSQL's generated keys: RETURNING pk
	// The VALUES statement around its rows: "INSERT INTO t (a, b) VALUES "
	// and " RETURNING id" (or "").
	insertInto, returningSQL string
	batch                    int // rows per statement
	valuesBatch              int // rows per multi-row VALUES statement
	// PostgreSQL: the unnest INSERT and the names of its parameters; ""
	// when a column is of a type it does not send as an array.
	pgSQL   string
	pgNames []string
}

// bulkCol is one inserted column.
type bulkCol struct {
	f *field
	// PostgreSQL: the kind of array the column's values go in, and how
	// they are read straight from field values (fastNone: through toDB).
	arr  uint8
	fast uint8
}

// The PostgreSQL arrays: Go slices that pgx sends in its binary format.
const (
	arrNone   uint8 = iota
	arrBool         // []bool
	arrInt          // []int64
	arrFloat        // []float64
	arrText         // []string
	arrNumber       // []string, numbers as text (numeric)
	arrBytes        // [][]byte
	arrTime         // []time.Time
)

const (
	fastNone uint8 = iota
	fastInt
	fastUint
	fastFloat
	fastString
	fastBool
	fastTime
	fastBytes
)

type bulkPlanKey struct {
	info      *modelInfo
	d         *core.Dialect
	generated bool
}

var bulkPlans sync.Map // bulkPlanKey -> *bulkPlan

func bulkPlanFor(info *modelInfo, d *core.Dialect, generated bool) *bulkPlan {
	key := bulkPlanKey{info, d, generated}
	if p, ok := bulkPlans.Load(key); ok {
		return p.(*bulkPlan)
	}
	p, _ := bulkPlans.LoadOrStore(key, newBulkPlan(info, d, generated))
	return p.(*bulkPlan)
}

func newBulkPlan(info *modelInfo, d *core.Dialect, generated bool) *bulkPlan {
	p := &bulkPlan{info: info, d: d, generated: generated}
	for _, f := range info.fields {
		if generated && f.pk {
			continue
		}
		p.cols = append(p.cols, bulkCol{f: f})
	}
	if len(p.cols) == 0 {
		// Nothing but a generated key: ask for it explicitly, since an
		// INSERT needs a column (SQLite generates a rowid for NULL).
		p.cols, p.defaultKey = []bulkCol{{f: info.pk}}, true
	}
	for _, c := range p.cols {
		p.colNames = append(p.colNames, c.f.column)
	}
	p.returning = generated && d == core.Postgres
	cols := make([]string, len(p.cols))
	for i, c := range p.cols {
		cols[i] = d.QuoteIdent(c.f.column)
	}
	p.insertInto = "INSERT INTO " + d.QuoteTable(info.table) + " (" + strings.Join(cols, ", ") + ") VALUES "
	if p.returning {
		p.returningSQL = " RETURNING " + d.QuoteIdent(info.pk.column)
	}
	p.valuesBatch = max(1, d.MaxParams()/len(p.cols))
	p.batch = p.valuesBatch
	if d == core.Postgres && !p.defaultKey {
		p.planUnnest()
	}
	return p
}

// bulkPGTypes is the array each column kind's values go in and the SQL
// that turns the parameter into the column's type. Integers go as bigint
// and floats as double precision, and lengths, precisions and scales are
// left out: the INSERT's assignment does the rest and checks it as it does
// for a bound value (a CAST to varchar(n) would cut a long string where
// the INSERT must fail). Decimals, UUIDs and JSON go as text, which the
// server parses.
var bulkPGTypes = map[core.TypeKind]struct {
	arr  uint8
	cast string // %s: the parameter
}{
	core.KindBoolean:   {arrBool, "CAST(%s AS boolean[])"},
	core.KindSmallInt:  {arrInt, "CAST(%s AS bigint[])"},
	core.KindInteger:   {arrInt, "CAST(%s AS bigint[])"},
	core.KindBigInt:    {arrInt, "CAST(%s AS bigint[])"},
	core.KindFloat:     {arrFloat, "CAST(%s AS double precision[])"},
	core.KindDouble:    {arrFloat, "CAST(%s AS double precision[])"},
	core.KindDecimal:   {arrNumber, "CAST(CAST(%s AS text[]) AS numeric[])"},
	core.KindString:    {arrText, "CAST(%s AS text[])"},
	core.KindText:      {arrText, "CAST(%s AS text[])"},
	core.KindBytes:     {arrBytes, "CAST(%s AS bytea[])"},
	core.KindDate:      {arrTime, "CAST(%s AS date[])"},
	core.KindTimestamp: {arrTime, "CAST(%s AS timestamptz[])"},
	core.KindJSON:      {arrText, "CAST(CAST(%s AS text[]) AS jsonb[])"},
	core.KindUUID:      {arrText, "CAST(CAST(%s AS text[]) AS uuid[])"},
}

// values returns the multi-row INSERT of objs: SQL with the dialect's
// placeholders and its arguments, sent as it is; or, when a value is one
// that goqu renders into the SQL (an expression), a goqu dataset.
func (p *bulkPlan) values(objs []reflect.Value) (any, error) {
	nc := len(p.cols)
	vals := make([]any, len(objs)*nc)
	plain := true
	for i, v := range objs {
		row := vals[i*nc : (i+1)*nc : (i+1)*nc]
		if p.defaultKey {
			row[0], plain = defaultKeyValue(p.d), false
			continue
		}
		for j := range p.cols {
			f := p.cols[j].f
			val, err := f.toStore(v.FieldByIndex(f.index), p.d)
			if err != nil {
				return nil, err
			}
			row[j] = val
		}
	}
	if plain {
		args := make([]any, len(vals))
		for i, v := range vals {
			pv, ok, err := plainValue(v)
			if err != nil {
				return nil, err
			}
			if !ok {
				plain = false
				break
			}
			args[i] = pv
		}
		if plain {
			return core.Stmt{SQL: p.valuesSQL(len(objs)), Args: args}, nil
		}
	}
	recs := make([][]any, len(objs))
	for i := range recs {
		recs[i] = vals[i*nc : (i+1)*nc : (i+1)*nc]
	}
	ins := goqu.Insert(core.TableIdent(p.info.table)).Cols(p.colNames...).Vals(recs...)
	if p.returning {
		ins = ins.Returning(goqu.C(p.info.pk.column))
	}
	return ins, nil
}

// valuesSQL is the multi-row INSERT of n rows.
func (p *bulkPlan) valuesSQL(n int) string {
	nc := len(p.cols)
	b := make([]byte, 0, len(p.insertInto)+len(p.returningSQL)+n*(nc*4+2))
	b = append(b, p.insertInto...)
	k := 0
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '(')
		for j := range nc {
			if j > 0 {
				b = append(b, ", "...)
			}
			k++
			if p.d == core.Postgres {
				b = append(b, '$')
				b = strconv.AppendInt(b, int64(k), 10)
			} else {
				b = append(b, '?')
			}
		}
		b = append(b, ')')
	}
	b = append(b, p.returningSQL...)
	return string(b)
}
