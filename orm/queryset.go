package orm

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// QuerySet is a lazy, immutable query over the rows of model T: every
// builder (Filter, Exclude, OrderBy, Limit, ...) returns a new QuerySet and
// leaves its receiver unchanged, so a base query can be shared between
// goroutines. Nothing runs until a terminal (All, Get, Count, Iterate, ...),
// which takes the context. A bad lookup or field name is recorded and
// returned by the terminal.
type QuerySet[T any] struct {
	info     *modelInfo
	db       *core.Database
	err      error
	where    []lookups.Node
	order    []string
	limit    int // -1: none
	offset   int
	distinct bool
	update   bool // FOR UPDATE
	share    bool // a shared lock: FOR SHARE, MySQL's LOCK IN SHARE MODE
	force    bool // ForceRestore
	related  []string
	prefetch []string
}

func (qs *QuerySet[T]) clone() *QuerySet[T] {
	c := *qs
	c.where = append([]lookups.Node(nil), qs.where...)
	c.order = append([]string(nil), qs.order...)
	c.related = append([]string(nil), qs.related...)
	c.prefetch = append([]string(nil), qs.prefetch...)
	return &c
}

func (qs *QuerySet[T]) withErr(err error) *QuerySet[T] {
	c := qs.clone()
	if c.err == nil {
		c.err = err
	}
	return c
}

// Filter keeps the rows matching every condition: lookups.Q maps
// ("name__startswith": "Ma"), lookups.And / Or / Not, or goqu expressions.
func (qs *QuerySet[T]) Filter(conds ...any) *QuerySet[T] {
	node, err := qs.parse(conds)
	if err != nil {
		return qs.withErr(err)
	}
	c := qs.clone()
	c.where = append(c.where, node)
	return c
}

// Exclude drops the rows matching all of the conditions together (Django's
// semantics: NOT of the whole condition; a row whose field is NULL is not
// excluded by a condition on that field).
func (qs *QuerySet[T]) Exclude(conds ...any) *QuerySet[T] {
	node, err := qs.parse(conds)
	if err != nil {
		return qs.withErr(err)
	}
	c := qs.clone()
	c.where = append(c.where, &lookups.NotNode{Child: node})
	return c
}

func (qs *QuerySet[T]) parse(conds []any) (lookups.Node, error) {
	if qs.info == nil {
		return nil, qs.err
	}
	node, err := lookups.Parse(lookups.And(conds...), lookups.DefaultRegistry)
	if err != nil {
		return nil, qs.wrap(err)
	}
	return node, nil
}

// OrderBy orders by fields, "-name" for descending; it replaces any earlier
// ordering. "pk" names the primary key.
func (qs *QuerySet[T]) OrderBy(fields ...string) *QuerySet[T] {
	c := qs.clone()
	c.order = append([]string(nil), fields...)
	return c
}

// Limit returns at most n rows.
func (qs *QuerySet[T]) Limit(n int) *QuerySet[T] {
	if n < 0 {
		return qs.withErr(qs.errorf(ErrBadValue, "Limit(%d) is negative", n))
	}
	c := qs.clone()
	c.limit = n
	return c
}

// Offset skips the first n rows.
func (qs *QuerySet[T]) Offset(n int) *QuerySet[T] {
	if n < 0 {
		return qs.withErr(qs.errorf(ErrBadValue, "Offset(%d) is negative", n))
	}
	c := qs.clone()
	c.offset = n
	return c
}

// Distinct removes duplicate rows.
func (qs *QuerySet[T]) Distinct() *QuerySet[T] {
	c := qs.clone()
	c.distinct = true
	return c
}

// ForceRestore makes the query refresh every field of the objects the
// scope already holds with the values just read, discarding unsaved
// changes. Without it, a read refreshes only the fields without an unsaved
// change (see the package doc, "The identity map").
func (qs *QuerySet[T]) ForceRestore() *QuerySet[T] {
	c := qs.clone()
	c.force = true
	return c
}

// ForUpdate locks the selected rows until the end of the transaction the
// context carries (SELECT ... FOR UPDATE), and, like ForceRestore, refreshes
// every field of objects the scope already holds: a read-modify-write under
// the lock starts from the row as it is. SQLite has no row locks; its
// transactions already hold the database's write lock (core begins them
// IMMEDIATE), so there the lock changes nothing.
func (qs *QuerySet[T]) ForUpdate() *QuerySet[T] {
	c := qs.clone()
	c.update = true
	return c
}

func (qs *QuerySet[T]) errorf(sentinel error, format string, args ...any) error {
	name := reflect.TypeFor[T]().Name()
	if qs.info != nil {
		name = qs.info.name
	}
	return modelErr(name, "", sentinel, format, args...)
}

// wrap adds the model to an error from lookups or core that lacks it.
func (qs *QuerySet[T]) wrap(err error) error {
	var me *ModelError
	var le *lookups.Error
	switch {
	case err == nil || errors.As(err, &me):
		return err
	case errors.As(err, &le):
		if le.Model == "" {
			named := *le
			named.Model = qs.info.name
			return &named
		}
		return err
	}
	return &ModelError{Model: qs.info.name, Err: err}
}

// condition compiles the filters.
func (qs *QuerySet[T]) condition() ([]exp.Expression, error) {
	cc := condCompiler{d: qs.db.Dialect()}
	exprs := make([]exp.Expression, 0, len(qs.where))
	for _, n := range qs.where {
		e, err := cc.compile(qs.info, n)
		if err != nil {
			return nil, qs.wrap(err)
		}
		exprs = append(exprs, e)
	}
	return exprs, nil
}

// orderExprs compiles the ordering; def is used when none was given.
func (qs *QuerySet[T]) orderExprs(def ...string) ([]exp.OrderedExpression, error) {
	names := qs.order
	if len(names) == 0 {
		names = def
	}
	out := make([]exp.OrderedExpression, 0, len(names))
	for _, name := range names {
		desc := strings.HasPrefix(name, "-")
		f := qs.info.field(strings.TrimPrefix(name, "-"))
		if f == nil {
			return nil, qs.errorf(ErrBadValue, "OrderBy: unknown field %q", name)
		}
		col := core.TableIdent(qs.info.table).Col(f.column)
		if desc {
			out = append(out, col.Desc())
		} else {
			out = append(out, col.Asc())
		}
	}
	return out, nil
}

// base is the SELECT without its column list.
func (qs *QuerySet[T]) base(defaultOrder ...string) (*goqu.SelectDataset, error) {
	if qs.err != nil {
		return nil, qs.err
	}
	where, err := qs.condition()
	if err != nil {
		return nil, err
	}
	order, err := qs.orderExprs(defaultOrder...)
	if err != nil {
		return nil, err
	}
	ds := qs.db.Dialect().Goqu().From(core.TableIdent(qs.info.table)).Where(where...).Order(order...)
	if qs.limit >= 0 {
		ds = ds.Limit(uint(qs.limit))
	}
	if qs.offset > 0 {
		if qs.limit < 0 && qs.db.Dialect() != core.Postgres {
			// MySQL and SQLite have no OFFSET without LIMIT.
			ds = ds.Limit(uint(1<<63 - 1))
		}
		ds = ds.Offset(uint(qs.offset))
	}
	if qs.distinct {
		ds = ds.Distinct()
	}
	if qs.update && qs.db.Dialect() != core.SQLite {
		ds = ds.ForUpdate(exp.Wait)
	} else if qs.share && qs.db.Dialect() == core.Postgres {
		ds = ds.ForShare(exp.Wait)
	}
	return ds, nil
}

// forShare makes the query take a shared lock on the rows it reads, until
// the end of the transaction. On MySQL a locking read also reads the latest
// committed rows, not the transaction's snapshot.
func (qs *QuerySet[T]) forShare() *QuerySet[T] {
	c := qs.clone()
	c.share = true
	return c
}

// routed is ctx for the statements of the query: marked for the primary
// (core.UsePrimary) when the query locks rows, since a replica cannot lock
// them and the statement does not always say so (SQLite has no lock clause,
// MySQL's shared lock is raw SQL).
func (qs *QuerySet[T]) routed(ctx context.Context) context.Context {
	if qs.update || qs.share {
		return core.UsePrimary(ctx)
	}
	return ctx
}

// statement is the query to send for a SELECT: ds itself, or, for a shared
// lock on MySQL, its SQL with LOCK IN SHARE MODE (goqu writes FOR SHARE,
// which MariaDB does not know).
func (qs *QuerySet[T]) statement(ds *goqu.SelectDataset) (any, error) {
	d := qs.db.Dialect()
	if !qs.share || qs.update || d != core.MySQL {
		return ds, nil
	}
	sql, args, err := ds.WithDialect(d.Name()).Prepared(true).ToSQL()
	if err != nil {
		return nil, qs.wrap(err)
	}
	return core.Stmt{SQL: sql + " LOCK IN SHARE MODE", Args: args}, nil
}

func (qs *QuerySet[T]) columns() []any {
	cols := make([]any, len(qs.info.fields))
	for i, f := range qs.info.fields {
		cols[i] = core.TableIdent(qs.info.table).Col(f.column)
	}
	return cols
}

// selectModels is the SELECT of every stored field.
func (qs *QuerySet[T]) selectModels(defaultOrder ...string) (*goqu.SelectDataset, error) {
	ds, err := qs.base(defaultOrder...)
	if err != nil {
		return nil, err
	}
	return ds.Select(qs.columns()...), nil
}

// Iterate runs the query and yields the objects one at a time as rows
// arrive, in constant memory. An error ends the sequence with (nil, err).
//
// With PrefetchRelated, Iterate reads the objects in pages of
// IteratePageSize (ordered by the query's ordering, then the primary key)
// and runs the prefetch queries for each page, since a connection cannot run
// them while the main query's rows are still being read.
func (qs *QuerySet[T]) Iterate(ctx context.Context) iter.Seq2[*T, error] {
	if len(qs.prefetch) == 0 || qs.err != nil {
		return qs.stream(ctx, nil) // a stream scope: weak, so memory stays constant
	}
	return func(yield func(*T, error) bool) {
		nodes, err := qs.planPrefetch()
		if err != nil {
			yield(nil, err)
			return
		}
		sc := qs.scanCtx(ctx)
		page := qs.clone()
		page.prefetch = nil
		if !page.orderedBy("pk") {
			page.order = append(page.order, "pk") // a total order, so pages do not overlap
		}
		for offset := qs.offset; ; offset += IteratePageSize {
			n := IteratePageSize
			if qs.limit >= 0 {
				n = min(n, qs.limit-(offset-qs.offset))
				if n <= 0 {
					return
				}
			}
			page.offset, page.limit = offset, n
			if sc.scope.kind.perCall() {
				sc = qs.scanCtx(ctx) // a scope per page: memory stays bounded
			}
			objs, err := page.all(ctx, sc)
			if err == nil {
				err = prefetchAll(ctx, qs.db, sc, pointers(objs), nodes)
			}
			if err != nil {
				yield(nil, qs.wrap(err))
				return
			}
			for _, o := range objs {
				if !yield(o, nil) {
					return
				}
			}
			if len(objs) < n {
				return
			}
		}
	}
}

// IteratePageSize is how many objects Iterate reads at a time when it has
// relations to prefetch.
const IteratePageSize = 1000

func (qs *QuerySet[T]) orderedBy(name string) bool {
	for _, o := range qs.order {
		if f := qs.info.field(strings.TrimPrefix(o, "-")); f != nil && f == qs.info.field(name) {
			return true
		}
	}
	return false
}

func pointers[T any](objs []*T) []reflect.Value {
	out := make([]reflect.Value, len(objs))
	for i, o := range objs {
		out[i] = reflect.ValueOf(o)
	}
	return out
}

// stream yields the objects of the query as rows arrive. A nil sc starts a
// read of its own.
func (qs *QuerySet[T]) stream(ctx context.Context, sc *scanCtx) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if qs.err != nil {
			yield(nil, qs.err)
			return
		}
		q, joins, err := qs.mainQuery()
		if err != nil {
			yield(nil, err)
			return
		}
		rows, err := qs.db.Query(qs.routed(ctx), q)
		if err != nil {
			yield(nil, qs.wrap(err))
			return
		}
		defer rows.Close()
		if sc == nil {
			sc = newScanCtx(ctx, qs.db, qs.force || qs.update, streamScope)
		}
		sc.main = sc.main && (!sc.scope.kind.perCall() || len(joins) > 0 || len(qs.prefetch) > 0 || qs.info.refersToItself())
		tm := qs.mainMap(sc)
		for rows.Next() {
			var obj *T
			var err error
			if len(joins) > 0 {
				obj, err = qs.scanJoined(rows, sc, tm, joins)
			} else {
				obj, err = qs.scan(rows, sc, tm)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(obj, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, qs.wrap(err))
		}
	}
}

// scanCtx starts a read (one terminal call) of the query.
func (qs *QuerySet[T]) scanCtx(ctx context.Context) *scanCtx {
	return newScanCtx(ctx, qs.db, qs.force || qs.update, callScope)
}

// mainMap returns the map the query's own objects go through, or nil when
// the read does not file them (see scanCtx.main).
func (qs *QuerySet[T]) mainMap(sc *scanCtx) *typeMap {
	if !sc.main {
		return nil
	}
	return sc.tm(qs.info)
}

// refersToItself reports whether the model has a foreign key to itself, so
// that an object read can be another's related object in the same read.
func (info *modelInfo) refersToItself() bool {
	for _, r := range info.rels {
		if r.fk != nil && r.target == info {
			return true
		}
	}
	return false
}

// scanRow reads the current row into a new object of the model: its stored
// fields in order, then any extra destinations. It returns the object the
// identity map holds for the row's key.
func (info *modelInfo) scanRow(rows *core.Rows, sc *scanCtx, tm *typeMap, extra ...any) (reflect.Value, error) {
	v, dest := info.prepare(sc, sc.buf[:0])
	dest = append(dest, extra...)
	sc.buf = dest
	if err := rows.Scan(dest...); err != nil {
		return reflect.Value{}, err
	}
	return info.finish(v, sc, tm)
}

// prepare makes a new object for a row and appends the destinations of its
// stored fields to dest.
func (info *modelInfo) prepare(sc *scanCtx, dest []any) (reflect.Value, []any) {
	var v reflect.Value
	if info.pair != nil {
		// The object and its dirty-tracking snapshot, in one allocation.
		p := reflect.New(info.pair).Elem()
		v = p.Field(0)
		m := info.modelOf(v)
		m.snapshot, m.owner = p.Field(1).Addr().Interface(), v.Addr().Pointer()
	} else {
		v = reflect.New(info.typ).Elem()
	}
	n := len(info.fields)
	base := v.Addr().UnsafePointer()
	for i, f := range info.fields {
		switch {
		case f.intKey:
			dest = append(dest, sc.keySlot(i, n))
		case f.direct(sc):
			dest = append(dest, f.addr.ptr(base))
		default:
			dest = append(dest, f.target(v.FieldByIndex(f.index), sc))
		}
	}
	return v, dest
}

// finish completes an object prepare made once the row is scanned: its
// foreign keys become objects, its times UTC, and it goes through the
// identity map (tm; nil when the read does not file it).
func (info *modelInfo) finish(v reflect.Value, sc *scanCtx, tm *typeMap) (reflect.Value, error) {
	for i, f := range info.fields {
		if !f.intKey {
			continue
		}
		fv := v.FieldByIndex(f.index)
		if key, ok := sc.slotKey(i); ok {
			if sc.scope != nil {
				fv.Set(sc.tm(f.rel.target).stubInt(key))
			} else if err := f.set(fv, key, sc); err != nil {
				return reflect.Value{}, err
			}
		} else {
			fv.SetZero()
		}
	}
	info.utcTimes(v, info.times)
	if tm == nil {
		info.markLoaded(v, sc.d)
		return v.Addr(), nil
	}
	return info.adopt(v, sc, tm), nil
}

// utcTimes puts the time.Time fields among fs, just scanned, in UTC.
func (info *modelInfo) utcTimes(v reflect.Value, fs []*field) {
	var base unsafe.Pointer
	for _, f := range fs {
		if f.kind == kindTime && f.typ == timeType {
			if base == nil {
				base = v.Addr().UnsafePointer()
			}
			t := (*time.Time)(unsafe.Add(base, f.addr.offset))
			*t = t.UTC()
		}
	}
}

// adopt files a freshly read object value v in the identity map and returns
// the object the map holds for its key (v's own address when it is new).
func (info *modelInfo) adopt(v reflect.Value, sc *scanCtx, tm *typeMap) reflect.Value {
	p := tm.adopt(identOf(v.FieldByIndex(info.pk.index)), v.Addr(), sc)
	if p.Pointer() == v.Addr().Pointer() {
		info.markLoaded(v, sc.d)
	}
	return p
}

// scan reads the current row (every stored field, in order) into a T.
func (qs *QuerySet[T]) scan(rows *core.Rows, sc *scanCtx, tm *typeMap) (*T, error) {
	p, err := qs.info.scanRow(rows, sc, tm)
	if err != nil {
		return nil, qs.wrap(err)
	}
	return p.Interface().(*T), nil
}

// All runs the query and returns every object, with the relations of
// PrefetchRelated loaded by one query per level.
func (qs *QuerySet[T]) All(ctx context.Context) ([]*T, error) {
	if qs.err != nil {
		return nil, qs.err
	}
	return qs.all(ctx, qs.scanCtx(ctx))
}

// all is All within the read sc.
func (qs *QuerySet[T]) all(ctx context.Context, sc *scanCtx) ([]*T, error) {
	var nodes []*prefetchNode
	if len(qs.prefetch) > 0 {
		var err error
		if nodes, err = qs.planPrefetch(); err != nil {
			return nil, err
		}
	}
	var out []*T
	for obj, err := range qs.stream(ctx, sc) {
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	if len(nodes) > 0 && len(out) > 0 {
		if err := prefetchAll(ctx, qs.db, sc, pointers(out), nodes); err != nil {
			return nil, qs.wrap(err)
		}
	}
	return out, nil
}

// maxGet is how many rows Get reads to tell one from several.
const maxGet = 2

// Get returns the one object matching the query and conds: ErrDoesNotExist
// when there is none, ErrMultipleObjectsReturned when there are several.
func (qs *QuerySet[T]) Get(ctx context.Context, conds ...any) (*T, error) {
	if key, ok := qs.byKey(conds); ok {
		return qs.getByKey(ctx, key)
	}
	if len(conds) > 0 {
		qs = qs.Filter(conds...)
	}
	objs, err := qs.limitAtMost(maxGet).All(ctx)
	if err != nil {
		return nil, err
	}
	switch len(objs) {
	case 0:
		return nil, qs.errorf(ErrDoesNotExist, "no row matches %s", qs.describe())
	case 1:
		return objs[0], nil
	}
	return nil, qs.errorf(ErrMultipleObjectsReturned, "more than one row matches %s", qs.describe())
}

func (qs *QuerySet[T]) limitAtMost(n int) *QuerySet[T] {
	if qs.limit >= 0 && qs.limit < n {
		return qs
	}
	c := qs.clone()
	c.limit = n
	return c
}

func (qs *QuerySet[T]) describe() string {
	if len(qs.where) == 0 {
		return "the query"
	}
	parts := make([]string, len(qs.where))
	for i, n := range qs.where {
		parts[i] = n.String()
	}
	return strings.Join(parts, " AND ")
}

// First returns the first object, ordered by the query's ordering or by
// primary key; ErrDoesNotExist when there is none.
func (qs *QuerySet[T]) First(ctx context.Context) (*T, error) {
	return qs.firstIn(ctx, "pk")
}

// Last returns the last object: the query's ordering reversed, or the
// primary key descending; ErrDoesNotExist when there is none.
func (qs *QuerySet[T]) Last(ctx context.Context) (*T, error) {
	c := qs.clone()
	if len(c.order) == 0 {
		c.order = []string{"pk"}
	}
	for i, o := range c.order {
		if strings.HasPrefix(o, "-") {
			c.order[i] = o[1:]
		} else {
			c.order[i] = "-" + o
		}
	}
	return c.firstIn(ctx)
}

func (qs *QuerySet[T]) firstIn(ctx context.Context, defaultOrder ...string) (*T, error) {
	c := qs.clone()
	if len(c.order) == 0 {
		c.order = defaultOrder
	}
	c.limit = 1
	objs, err := c.All(ctx)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, qs.errorf(ErrDoesNotExist, "no row matches %s", qs.describe())
	}
	return objs[0], nil
}

// Count returns the number of rows the query matches (honouring Limit,
// Offset and Distinct).
func (qs *QuerySet[T]) Count(ctx context.Context) (int64, error) {
	c := qs.clone()
	c.order = nil
	ds, err := c.base()
	if err != nil {
		return 0, err
	}
	var q *goqu.SelectDataset
	if qs.limit >= 0 || qs.offset > 0 || qs.distinct {
		q = qs.db.Dialect().Goqu().From(ds.Select(qs.columns()...).As("atomdb_count")).Select(goqu.COUNT(goqu.Star()))
	} else {
		q = ds.Select(goqu.COUNT(goqu.Star()))
	}
	n, err := qs.db.FetchVal(qs.routed(ctx), q)
	if err != nil {
		return 0, qs.wrap(err)
	}
	return n.(int64), nil
}

// Exists reports whether the query matches any row.
func (qs *QuerySet[T]) Exists(ctx context.Context) (bool, error) {
	c := qs.clone()
	c.order = nil
	c.limit = 1
	ds, err := c.base()
	if err != nil {
		return false, err
	}
	row, err := qs.db.FetchOne(qs.routed(ctx), ds.Select(goqu.L("1")))
	if err != nil {
		return false, qs.wrap(err)
	}
	return row != nil, nil
}
