package orm

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/relations"
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
	reg      *lookups.Registry // the lookups of Filter, Exclude and Get
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
	node, err := lookups.Parse(lookups.And(conds...), qs.reg)
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
	cc := condCompiler{d: qs.db.Dialect(), reg: qs.reg}
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

// orderExprs compiles the ordering, adding to plan the joins of the
// relations it crosses; def is used when none was given.
func (qs *QuerySet[T]) orderExprs(plan *relations.Joins, def ...string) ([]exp.OrderedExpression, error) {
	names := qs.order
	if len(names) == 0 {
		names = def
	}
	out := make([]exp.OrderedExpression, 0, len(names))
	for _, name := range names {
		desc := strings.HasPrefix(name, "-")
		p, err := qs.resolvePath("OrderBy", strings.TrimPrefix(name, "-"))
		if err != nil {
			return nil, err
		}
		if p.Field == nil || !p.ToOne() {
			return nil, qs.errorf(ErrBadValue, "OrderBy(%q): only a field, or a field across foreign keys and one-to-one relations, orders rows", name)
		}
		if len(p.FieldSteps()) > 0 && qs.distinct {
			return nil, qs.errorf(ErrBadValue, "OrderBy(%q): Distinct cannot order by a field of a related model", name)
		}
		alias, _ := plan.Table(plan.Add(p.FieldSteps()))
		col := core.TableIdent(alias).Col(p.Field.Column)
		if desc {
			out = append(out, col.Desc())
		} else {
			out = append(out, col.Asc())
		}
	}
	return out, nil
}

// base is the SELECT without its column list, with the joins of plan (made
// when nil) and those its ordering needs.
func (qs *QuerySet[T]) base(plan *relations.Joins, defaultOrder ...string) (*goqu.SelectDataset, error) {
	if qs.err != nil {
		return nil, qs.err
	}
	where, err := qs.condition()
	if err != nil {
		return nil, err
	}
	if plan == nil {
		plan = relations.NewJoins(qs.info.rm)
	}
	order, err := qs.orderExprs(plan, defaultOrder...)
	if err != nil {
		return nil, err
	}
	ds := plan.Apply(qs.db.Dialect().Goqu().From(core.TableIdent(qs.info.table))).Where(where...).Order(order...)
	if qs.limit >= 0 {
		ds = ds.Limit(uint(qs.limit))
	}
	if qs.offset > 0 {
		if qs.limit < 0 && qs.db.Dialect().Caps().OffsetNeedsLimit {
			// MySQL and SQLite have no OFFSET without LIMIT.
			ds = ds.Limit(uint(1<<63 - 1))
		}
		ds = ds.Offset(uint(qs.offset))
	}
	if qs.distinct {
		ds = ds.Distinct()
	}
	var of []exp.IdentifierExpression
	if qs.db.Dialect() == core.Postgres && plan.Outer() {
		// PostgreSQL cannot lock the nullable side of an outer join: the
		// lock is on the model's own rows.
		of = append(of, core.TableIdent(qs.info.table))
	}
	if qs.update && qs.db.Dialect().Caps().RowLocks {
		ds = ds.ForUpdate(exp.Wait, of...)
	} else if qs.share && qs.db.Dialect().Caps().ShareLock == "FOR SHARE" {
		ds = ds.ForShare(exp.Wait, of...)
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
	ds, err := c.base(nil)
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
	ds, err := c.base(nil)
	if err != nil {
		return false, err
	}
	row, err := qs.db.FetchOne(qs.routed(ctx), ds.Select(goqu.L("1")))
	if err != nil {
		return false, qs.wrap(err)
	}
	return row != nil, nil
}
