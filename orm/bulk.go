package orm

import (
	"context"
	"database/sql/driver"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// BulkCreate inserts objs with one multi-row INSERT per batch and sets the
// generated primary key of every object, on every backend. Defaults and
// auto timestamps are applied first, as Create does, and the objects are
// in the identity map afterwards. Either every object is inserted or none
// is: several statements run in one transaction (a savepoint inside the
// caller's), and a single statement, atomic by itself, runs without one
// (in a savepoint inside the caller's transaction, which a failure then
// leaves usable). A failed BulkCreate sets no key.
//
// On PostgreSQL a batch is one INSERT ... SELECT FROM unnest(...) with one
// array parameter per column: 10,000 rows, however many columns. Elsewhere,
// and for a model with a column of a Custom type or a batch holding a value
// no array takes (such as a goqu expression from a Converter), a batch is
// a VALUES list under the dialect's bound-parameter limit.
func (m *Manager[T]) BulkCreate(ctx context.Context, objs []*T) error {
	if m.err != nil {
		return m.err
	}
	vals := make([]reflect.Value, len(objs))
	for i, obj := range objs {
		if obj == nil {
			return m.errorf(ErrBadValue, "BulkCreate: objs[%d] is nil", i)
		}
		vals[i] = reflect.ValueOf(obj).Elem()
	}
	return m.w().bulkCreate(ctx, vals)
}

// pgUnnestRows is how many rows one PostgreSQL unnest INSERT carries.
const pgUnnestRows = 10_000

// bulkGroup is the objects of one BulkCreate that share a column list: those
// whose key the database generates, or those that carry their own.
type bulkGroup struct {
	plan *bulkPlan
	objs []reflect.Value
}

// bulkStmt is one statement of a BulkCreate and the objects it inserts:
// raw SQL with its Params, or a goqu dataset.
type bulkStmt struct {
	plan   *bulkPlan
	objs   []reflect.Value
	query  any
	params core.Params
	keys   []int64 // the keys generated for objs, once sent
}

func (w *writer) bulkCreate(ctx context.Context, objs []reflect.Value) error {
	d := w.db.Dialect()
	at := now()
	groups := [2]bulkGroup{
		{plan: bulkPlanFor(w.info, d, false)}, // keys given
		{plan: bulkPlanFor(w.info, d, true)},  // keys generated
	}
	for _, v := range objs {
		generated, err := w.bulkDefaults(v, at)
		if err != nil {
			return err
		}
		g := &groups[0]
		if generated {
			g = &groups[1]
		}
		if g.objs == nil {
			g.objs = make([]reflect.Value, 0, len(objs))
		}
		g.objs = append(g.objs, v)
	}
	// Every statement is made before the first is sent: a value that does
	// not fit its field is an error that sends nothing.
	var stmts []bulkStmt
	for i := range groups {
		g := &groups[i]
		p := g.plan
		for start := 0; start < len(g.objs); start += p.batch {
			part := g.objs[start:min(start+p.batch, len(g.objs))]
			st := bulkStmt{plan: p, objs: part}
			if p.pgSQL != "" {
				params, ok, err := p.pgArrays(part)
				if err != nil {
					return err
				}
				if ok {
					st.query, st.params = p.pgSQL, params
					stmts = append(stmts, st)
					continue
				}
			}
			for from := 0; from < len(part); from += p.valuesBatch {
				sub := part[from:min(from+p.valuesBatch, len(part))]
				q, err := p.values(sub)
				if err != nil {
					return err
				}
				stmts = append(stmts, bulkStmt{plan: p, objs: sub, query: q})
			}
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	// The generated keys are set once every statement has succeeded, and
	// zeroed again when the transaction then fails: a failed BulkCreate
	// leaves no object with the key of a row that does not exist.
	pk := w.info.pk
	run := func(ctx context.Context) error {
		var step int64 // MySQL's auto_increment_increment, read once
		if d == core.MySQL && len(groups[1].objs) > 0 {
			// Read before anything is inserted: without a transaction, a
			// failure after the INSERT would leave its rows behind. The
			// primary's setting: the one that numbers the rows.
			v, err := w.db.FetchVal(core.UsePrimary(ctx), "SELECT @@auto_increment_increment")
			if err != nil {
				return err
			}
			step, _ = v.(int64)
			if step < 1 {
				return w.errorf(ErrBadValue, "BulkCreate: auto_increment_increment is %v", v)
			}
		}
		for i := range stmts {
			if err := w.insertBatch(ctx, &stmts[i], step); err != nil {
				return err
			}
		}
		for _, st := range stmts {
			for i, key := range st.keys {
				if err := pk.assign(st.objs[i].FieldByIndex(pk.index), key); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// One statement is atomic: it needs no transaction of its own, unless
	// a key that comes back may not fit the key field (and the row must
	// not stay). Inside the caller's transaction, a savepoint keeps that
	// transaction usable after a failure.
	var err error
	if k := pk.typ.Kind(); len(stmts) == 1 && !w.db.InTransaction(ctx) &&
		(k == reflect.Int || k == reflect.Int64 || k == reflect.Uint || k == reflect.Uint64) {
		err = run(ctx)
	} else {
		err = w.db.Transaction(ctx, run)
	}
	if err != nil {
		for _, v := range groups[1].objs {
			v.FieldByIndex(pk.index).SetZero()
		}
		return w.wrap(err)
	}
	for _, g := range groups {
		for _, v := range g.objs {
			w.remember(ctx, v)
		}
	}
	return nil
}

// bulkDefaults applies defaults and timestamps to object value v, as
// prepareInsert does, and reports whether the database generates its key.
func (w *writer) bulkDefaults(v reflect.Value, at time.Time) (bool, error) {
	generated := false
	for _, f := range w.info.fields {
		if !f.autoNow && !f.autoAdd && f.def == nil && !f.pk {
			continue
		}
		fv := v.FieldByIndex(f.index)
		switch {
		case f.autoNow || f.autoAdd:
			fv.Set(reflect.ValueOf(storedTime(at)))
		case f.def != nil && fv.IsZero():
			if err := f.assign(fv, f.def); err != nil {
				return false, err
			}
		}
		if f.pk && fv.IsZero() {
			if !f.auto {
				return false, w.errorfField(f, ErrNotSaved, "the primary key is not generated: set it before creating the object")
			}
			generated = true
		}
	}
	return generated, nil
}

// defaultKeyValue is the value that asks for a generated key.
func defaultKeyValue(d *core.Dialect) any {
	if d == core.SQLite {
		return nil
	}
	return goqu.L("DEFAULT")
}

// insertBatch sends one statement and, for keys the database generates,
// records them in st.keys. step is MySQL's auto_increment_increment.
func (w *writer) insertBatch(ctx context.Context, st *bulkStmt, step int64) error {
	var args []any
	if st.params != nil {
		args = []any{st.params}
	}
	if !st.plan.generated {
		_, err := w.db.Execute(ctx, st.query, args...)
		return err
	}
	objs := st.objs
	keys := make([]int64, 0, len(objs))
	d := w.db.Dialect()
	switch {
	case d == core.Postgres:
		// PostgreSQL returns the keys in the order of the rows. An INSERT
		// ... RETURNING read through Query: the primary's, not a replica's.
		rows, err := w.db.Query(core.UsePrimary(ctx), st.query, args...)
		if err != nil {
			return err
		}
		var id int64
		dest := []any{&id}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
	case d == core.MySQL:
		// LAST_INSERT_ID() is the first row's key; a multi-row INSERT gets
		// consecutive keys, auto_increment_increment apart.
		res, err := w.db.Execute(ctx, st.query, args...)
		if err != nil {
			return err
		}
		for i := range objs {
			keys = append(keys, res.LastInsertID+int64(i)*step)
		}
	default:
		// SQLite's last_insert_rowid() is the last row's key; a single
		// writer gives a statement consecutive keys.
		res, err := w.db.Execute(ctx, st.query, args...)
		if err != nil {
			return err
		}
		for i := range objs {
			keys = append(keys, res.LastInsertID-int64(len(objs)-1-i))
		}
	}
	if len(keys) != len(objs) {
		return w.errorf(ErrBadValue, "BulkCreate: %d keys came back for %d rows", len(keys), len(objs))
	}
	st.keys = keys
	return nil
}

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

// planUnnest makes the PostgreSQL statement that inserts a batch with one
// array parameter per column:
//
//	INSERT INTO t (a, b) SELECT u.c0, u.c1
//	FROM unnest(CAST($1 AS bigint[]), CAST($2 AS text[])) WITH ORDINALITY AS u(c0, c1, n)
//	ORDER BY u.n RETURNING id
//
// The rows are inserted, and their keys returned, in the order of the
// arrays' elements.
func (p *bulkPlan) planUnnest() {
	cols := make([]string, len(p.cols))
	alias := make([]string, len(p.cols))
	for i, c := range p.cols {
		cols[i] = p.d.QuoteIdent(c.f.column)
		alias[i] = "c" + strconv.Itoa(i)
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + p.d.QuoteTable(p.info.table) + " (" + strings.Join(cols, ", ") + ") SELECT u." +
		strings.Join(alias, ", u.") + " FROM unnest(")
	for i := range p.cols {
		c := &p.cols[i]
		ct := c.f.ctype
		if c.f.rel != nil {
			ct = c.f.rel.target.pk.ctype
		}
		pt, ok := bulkPGTypes[ct.Kind]
		if !ok {
			return
		}
		c.arr, c.fast = pt.arr, fastKind(c.f, pt.arr)
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(strings.Replace(pt.cast, "%s", ":"+alias[i], 1))
	}
	q.WriteString(") WITH ORDINALITY AS u(" + strings.Join(alias, ", ") + ", n) ORDER BY u.n")
	if p.returning {
		q.WriteString(" RETURNING " + p.d.QuoteIdent(p.info.pk.column))
	}
	p.pgSQL, p.pgNames = q.String(), alias
	p.batch = pgUnnestRows
}

// fastKind says how values of field f, whose values go in arrays of kind
// arr, are read straight from the field: for the fields whose value toDB
// passes through as it is, when it is of the array's type.
func fastKind(f *field, arr uint8) uint8 {
	if f.rel != nil || f.conv != nil {
		return fastNone
	}
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch f.kind {
	case kindTime:
		if t == timeType && arr == arrTime {
			return fastTime
		}
	case kindBool:
		if t.Kind() == reflect.Bool && arr == arrBool {
			return fastBool
		}
	case kindUnsigned:
		if arr == arrInt {
			return fastUint
		}
	case kindPlain:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if arr == arrInt {
				return fastInt
			}
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			if arr == arrInt {
				return fastUint
			}
		case reflect.Float32, reflect.Float64:
			if arr == arrFloat {
				return fastFloat
			}
		case reflect.String:
			if arr == arrText {
				return fastString
			}
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 && f.typ.Kind() != reflect.Pointer && arr == arrBytes {
				return fastBytes
			}
		}
	}
	return fastNone
}

// pgArrays makes each column of objs one array parameter. ok is false when
// a value is of a type its column's array does not take: the objects then
// go as a VALUES list.
func (p *bulkPlan) pgArrays(objs []reflect.Value) (params core.Params, ok bool, err error) {
	params = make(core.Params, len(p.cols))
	for j := range p.cols {
		c := &p.cols[j]
		var arr any
		switch c.arr {
		case arrBool:
			arr, ok, err = pgArray(c, objs, p.d, pgBool)
		case arrInt:
			arr, ok, err = pgArray(c, objs, p.d, pgInt)
		case arrFloat:
			arr, ok, err = pgArray(c, objs, p.d, pgFloat)
		case arrText:
			arr, ok, err = pgArray(c, objs, p.d, pgText)
		case arrNumber:
			arr, ok, err = pgArray(c, objs, p.d, pgNumber)
		case arrBytes:
			arr, ok, err = pgArray(c, objs, p.d, pgBytes)
		case arrTime:
			arr, ok, err = pgArray(c, objs, p.d, pgTime)
		}
		if !ok || err != nil {
			return nil, false, err
		}
		params[p.pgNames[j]] = arr
	}
	return params, true, nil
}

// pgArray makes column c of objs a []T, or a []*T when an element is NULL
// (a [][]byte holds NULL as nil). elem reads a value that is not read
// straight from the field.
func pgArray[T any](c *bulkCol, objs []reflect.Value, d *core.Dialect, elem func(v any) (T, bool)) (any, bool, error) {
	vals := make([]T, len(objs))
	var nulls []bool
	for i, o := range objs {
		fv := o.FieldByIndex(c.f.index)
		null, ok := false, true
		if c.fast != fastNone {
			if fv.Kind() == reflect.Pointer {
				if null = fv.IsNil(); !null {
					fv = fv.Elem()
				}
			}
			if !null {
				if ok = c.read(fv, &vals[i]); ok && c.f.fit.kind != fitNone {
					if err := c.f.checkPtr(&vals[i], d); err != nil {
						return nil, false, err
					}
				}
			}
		}
		if c.fast == fastNone || !ok {
			val, err := c.f.toStore(fv, d)
			if err != nil {
				return nil, false, err
			}
			if val, ok, err = plainValue(val); !ok || err != nil {
				return nil, false, err
			}
			if null = val == nil; !null {
				if vals[i], ok = elem(val); !ok {
					return nil, false, nil
				}
			}
		}
		if null {
			if nulls == nil {
				nulls = make([]bool, len(objs))
			}
			nulls[i] = true
		}
	}
	if nulls == nil || c.arr == arrBytes {
		return vals, true, nil
	}
	ptrs := make([]*T, len(vals))
	for i := range vals {
		if !nulls[i] {
			ptrs[i] = &vals[i]
		}
	}
	return ptrs, true, nil
}

// read stores field value fv (not a pointer) in *dst, a *T of pgArray, for
// a column with a fast kind. It reports false for a value toDB must see.
func (c *bulkCol) read(fv reflect.Value, dst any) bool {
	switch c.fast {
	case fastInt:
		*dst.(*int64) = fv.Int()
	case fastUint:
		u := fv.Uint()
		if u > math.MaxInt64 {
			return false // toDB says why it does not fit
		}
		*dst.(*int64) = int64(u)
	case fastFloat:
		*dst.(*float64) = fv.Float()
	case fastString:
		*dst.(*string) = fv.String()
	case fastBool:
		*dst.(*bool) = fv.Bool()
	case fastTime:
		*dst.(*time.Time) = storedTime(*fv.Addr().Interface().(*time.Time))
	case fastBytes:
		if fv.IsNil() {
			return false // NULL or empty, as toDB says
		}
		*dst.(*[]byte) = fv.Bytes()
	}
	return true
}

// The elem functions of pgArray: the values plainValue gives that each
// array takes.

func pgBool(v any) (bool, bool) { b, ok := v.(bool); return b, ok }

func pgInt(v any) (int64, bool) { n, ok := v.(int64); return n, ok }

func pgFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		if f := float64(x); int64(f) == x {
			return f, true
		}
	}
	return 0, false
}

func pgText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

func pgNumber(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return strconv.FormatFloat(x, 'f', -1, 64), true
		}
	}
	return "", false
}

func pgBytes(v any) ([]byte, bool) { b, ok := v.([]byte); return b, ok }

func pgTime(v any) (time.Time, bool) { t, ok := v.(time.Time); return t, ok }

// plainValue turns a value as toDB returns it into what goqu would bind for
// it: nil, int64, float64, string, bool, time.Time or []byte, a Valuer's
// value, a named type's underlying value. ok is false for anything goqu
// would render otherwise (an expression, a slice it spreads into a list).
func plainValue(v any) (any, bool, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, bool, time.Time:
		return v, true, nil
	case []byte:
		if x == nil {
			return nil, true, nil // the drivers send a nil []byte as NULL
		}
		return v, true, nil
	case int:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case float32:
		return float64(x), true, nil
	case *time.Time:
		if x == nil {
			return nil, true, nil
		}
		return *x, true, nil
	case exp.Expression:
		return nil, false, nil
	case driver.Valuer:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, true, nil
		}
		dv, err := x.Value()
		if err != nil {
			return nil, false, err
		}
		return plainValue(dv)
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(rv.Uint()), true, nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true, nil
	case reflect.String:
		return rv.String(), true, nil
	case reflect.Bool:
		return rv.Bool(), true, nil
	}
	return nil, false, nil
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
