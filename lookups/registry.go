package lookups

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Field is a resolved field: what a Leaf's Path names, as the orm (or a
// hand-written resolver) describes it to Compile.
type Field struct {
	// Model is the model's name, for errors ("Track"); may be empty.
	Model string
	// Name is the field's name, for errors ("title").
	Name string
	// Column is the column, qualified by its table or alias
	// (goqu.T("tracks").Col("title")) or not (goqu.C("title")).
	Column exp.IdentifierExpression
	// Dialect is the SQL dialect the expression is for: core.Postgres,
	// core.MySQL or core.SQLite (db.Dialect()).
	Dialect *core.Dialect
	// Kind is the column's type kind (core.KindString, core.KindTimestamp,
	// ...), or core.KindInvalid when unknown. The date transforms need a
	// timestamp or date (or an unknown kind); pattern lookups on PostgreSQL
	// cast a column that is not text to TEXT; time values compared with a
	// date column keep their calendar date.
	Kind core.TypeKind
	// Nullable says the column may hold NULL. Under Not, CompileNode adds
	// "AND column IS NOT NULL" to a lookup on a nullable field, so that
	// Not(Q{"x": 1}) keeps the rows where x is NULL, as Django's exclude
	// does.
	Nullable bool
}

// Operand is the left-hand side of a lookup: a field's column, or that
// column after the key's transforms (EXTRACT(YEAR FROM column), ...).
type Operand struct {
	// Field is the field the key names.
	Field Field
	// Expr is the expression to compare. It has goqu's comparison methods
	// (op.Expr.Gt(v), op.Expr.In(...)) and goes into goqu.L templates as
	// goqu.L("? @> ?", op.Expr, v).
	Expr exp.LiteralExpression
	// Kind is the type of Expr: the field's kind before any transform, the
	// transform's result kind after one (core.KindInteger for year,
	// core.KindDate for date).
	Kind core.TypeKind
	// Convert, when set, turns each value compared with Expr into the value
	// to bind (the date transform turns a time.Time into "2006-01-02"). A
	// transform sets it; Bind uses it.
	Convert func(v any) (any, error)
}

// Dialect returns the field's dialect.
func (o Operand) Dialect() *core.Dialect { return o.Field.Dialect }

// Bind turns a value compared with the operand into the value to bind, as
// the built-in lookups do: through Convert when a transform set it;
// otherwise a time.Time is put in UTC (SQLite compares timestamps as text,
// so every bound instant must be written the same way) or, for a date
// column, becomes midnight UTC of its own calendar date; a "2006-01-02"
// string compared with a date column becomes that midnight too. Other
// values are returned as they are.
func (o Operand) Bind(v any) (any, error) {
	if o.Convert != nil {
		return o.Convert(v)
	}
	return bindValue(o.Kind, v), nil
}

// LookupFunc compiles one lookup: the condition that op compares with value
// as the lookup means. It is called with the operand after the key's
// transforms. It returns BadValue(...) for a value it cannot take.
type LookupFunc func(op Operand, value any) (exp.Expression, error)

// TransformFunc derives a new operand from op: typically a new Expr over
// op.Expr, its result Kind and, if values compared with it need one, a
// Convert. It returns BadValue(...) for an operand it cannot apply to.
type TransformFunc func(op Operand) (Operand, error)

// lookup is a registered lookup: its compiler and, for the built-ins, a
// check of its value that Parse runs too.
type lookup struct {
	fn    LookupFunc
	check func(value any) error
}

// Registry is a set of lookups and transforms by name: what Parse
// recognises at the end of a key and what Compile knows how to compile. It is
// safe for concurrent use.
type Registry struct {
	mu         sync.RWMutex
	lookups    map[string]lookup
	transforms map[string]TransformFunc
}

// DefaultRegistry is the registry Parse and CompileNode use when given nil,
// made by NewRegistry. It is a convenience: an application that wants custom
// lookups should make its own registry with NewRegistry and give it to the
// orm, or register on DefaultRegistry only during initialisation (in an init
// function or before the first query), never while queries run.
var DefaultRegistry = NewRegistry()

// NewRegistry returns a registry holding every built-in lookup and
// transform.
func NewRegistry() *Registry {
	r := &Registry{lookups: make(map[string]lookup), transforms: make(map[string]TransformFunc)}
	for name, l := range builtinLookups() {
		r.lookups[name] = l
	}
	for name, t := range builtinTransforms() {
		r.transforms[name] = t
	}
	return r
}

// Register adds the lookup name, compiled by fn, or replaces the lookup of
// that name (a built-in one included: its value check then goes too). The
// name must be non-empty, must not contain "__" and must not be a
// transform's.
func (r *Registry) Register(name string, fn LookupFunc) error {
	if err := checkName(name, fn == nil); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.transforms[name]; ok {
		return fmt.Errorf("lookups: %q is already a transform", name)
	}
	r.lookups[name] = lookup{fn: fn}
	return nil
}

// RegisterTransform adds the transform name, or replaces the transform of
// that name. The name must be non-empty, must not contain "__" and must not
// be a lookup's.
func (r *Registry) RegisterTransform(name string, fn TransformFunc) error {
	if err := checkName(name, fn == nil); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.lookups[name]; ok {
		return fmt.Errorf("lookups: %q is already a lookup", name)
	}
	r.transforms[name] = fn
	return nil
}

func checkName(name string, nilFunc bool) error {
	switch {
	case name == "" || strings.Contains(name, "__"):
		return fmt.Errorf("lookups: invalid name %q (it must be non-empty and must not contain \"__\")", name)
	case nilFunc:
		return fmt.Errorf("lookups: nil function for %q", name)
	}
	return nil
}

// IsLookup reports whether name is a registered lookup.
func (r *Registry) IsLookup(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.lookups[name]
	return ok
}

// IsTransform reports whether name is a registered transform.
func (r *Registry) IsTransform(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.transforms[name]
	return ok
}

// Lookups returns the names of the registered lookups, sorted.
func (r *Registry) Lookups() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.lookups))
	for n := range r.lookups {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Transforms returns the names of the registered transforms, sorted.
func (r *Registry) Transforms() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.transforms))
	for n := range r.transforms {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckValue checks a value given to the lookup name ("" means "exact") as
// the built-in lookups require: isnull takes a bool, in a slice or a
// subquery, range two non-nil bounds, the pattern lookups a string, the
// comparisons a single non-nil value... It returns nil for a lookup of
// your own (Register) or one it does not know. Compile runs it; another
// compiler of the neutral tree (the mongo package) calls it for each Leaf.
func (r *Registry) CheckValue(name string, value any) error {
	if name == "" {
		name = "exact"
	}
	r.mu.RLock()
	l := r.lookups[name]
	r.mu.RUnlock()
	if l.check == nil {
		return nil
	}
	return l.check(value)
}

// Compile returns the SQL condition for one lookup on a resolved field:
// the transforms applied in order to f's column, then the lookup ("" means
// "exact") with value. Values are always bound parameters. Errors are
// *Error values naming f.Model and the key (f.Name, the transforms and the
// lookup joined by "__").
func (r *Registry) Compile(f Field, transforms []string, lookup string, value any) (exp.Expression, error) {
	parts := append(append([]string{f.Name}, transforms...), lookup)
	if lookup == "" {
		parts = parts[:len(parts)-1]
	}
	return r.compile(f, strings.Join(parts, "__"), transforms, lookup, value)
}

func (r *Registry) compile(f Field, key string, transforms []string, name string, value any) (exp.Expression, error) {
	if f.Dialect != core.Postgres && f.Dialect != core.MySQL && f.Dialect != core.SQLite {
		return nil, fmt.Errorf("lookups: %s: field %q: unsupported dialect %v (set Field.Dialect to core.Postgres, core.MySQL or core.SQLite)", f.Model, f.Name, f.Dialect)
	}
	if f.Column == nil {
		return nil, fmt.Errorf("lookups: %s: field %q has no Column", f.Model, f.Name)
	}
	if name == "" {
		name = "exact"
	}
	r.mu.RLock()
	l, ok := r.lookups[name]
	fns := make([]TransformFunc, len(transforms))
	var unknown string
	for i, t := range transforms {
		if fns[i] = r.transforms[t]; fns[i] == nil && unknown == "" {
			unknown = t
		}
	}
	r.mu.RUnlock()
	if unknown != "" {
		return nil, &Error{Model: f.Model, Key: key, Name: unknown, Err: ErrUnknownLookup}
	}
	if !ok {
		return nil, &Error{Model: f.Model, Key: key, Name: name, Err: ErrUnknownLookup}
	}
	op := Operand{Field: f, Expr: goqu.L("?", f.Column), Kind: f.Kind}
	for _, fn := range fns {
		var err error
		if op, err = fn(op); err != nil {
			return nil, withKey(err, f.Model, key)
		}
	}
	if l.check != nil {
		if err := l.check(value); err != nil {
			return nil, withKey(err, f.Model, key)
		}
	}
	e, err := l.fn(op, value)
	if err != nil {
		return nil, withKey(err, f.Model, key)
	}
	if e == nil {
		return nil, &Error{Model: f.Model, Key: key, Name: name, Err: ErrBadValue, Detail: "the lookup compiled to nothing"}
	}
	return e, nil
}

// CompileNode compiles a parsed condition to one goqu expression: AndNode
// and OrNode become AND and OR of their children (an empty AndNode a
// condition that always holds, an empty OrNode one that never does),
// NotNode becomes NOT, a RawNode its expression, and each Leaf is given to
// resolve, which returns its Field, then compiled with r (nil means
// DefaultRegistry).
//
// Under an odd number of Nots, a lookup on a Nullable field other than
// isnull, is, isnot and a comparison with nil becomes "(lookup AND column
// IS NOT NULL)", so the NOT of it holds for rows where the column is NULL:
// Not(Q{"rating__lt": 3}) keeps the unrated rows, as Django's exclude does.
//
// Errors from resolve (ErrUnknownField, ...) are returned as they are.
func CompileNode(n Node, resolve func(*Leaf) (Field, error), r *Registry) (exp.Expression, error) {
	if r == nil {
		r = DefaultRegistry
	}
	if resolve == nil {
		return nil, fmt.Errorf("lookups: CompileNode needs a resolve function")
	}
	return r.compileNode(n, resolve, false)
}

var (
	// alwaysTrue and alwaysFalse are constant conditions that every
	// dialect accepts (SQLite before 3.23 has no TRUE and FALSE).
	alwaysTrue  = goqu.L("(1 = 1)")
	alwaysFalse = goqu.L("(1 = 0)")
)

func (r *Registry) compileNode(n Node, resolve func(*Leaf) (Field, error), negated bool) (exp.Expression, error) {
	if isNilValue(n) {
		return nil, &Error{Err: ErrBadValue, Detail: "nil node"}
	}
	switch n := n.(type) {
	case *Leaf:
		f, err := resolve(n)
		if err != nil {
			return nil, err
		}
		e, err := r.compile(f, n.Key, n.Transforms, n.Lookup, n.Value)
		if err != nil {
			return nil, err
		}
		if negated && f.Nullable && needsNullGuard(n.Lookup, n.Value) {
			e = goqu.And(e, goqu.L("(? IS NOT NULL)", f.Column))
		}
		return e, nil
	case *AndNode:
		return r.compileList(n.Children, alwaysTrue, goqu.And, resolve, negated)
	case *OrNode:
		return r.compileList(n.Children, alwaysFalse, goqu.Or, resolve, negated)
	case *NotNode:
		if n.Child == nil {
			return nil, &Error{Err: ErrBadValue, Detail: "NotNode without a child"}
		}
		e, err := r.compileNode(n.Child, resolve, !negated)
		if err != nil {
			return nil, err
		}
		return goqu.L("NOT (?)", e), nil
	case *RawNode:
		if n.Expr == nil {
			return nil, &Error{Err: ErrBadValue, Detail: "RawNode without an expression"}
		}
		return n.Expr, nil
	}
	return nil, &Error{Err: ErrBadValue, Detail: fmt.Sprintf("a node of type %T", n)}
}

// compileList compiles the children of an AndNode or OrNode and joins them;
// no children give empty, one gives itself.
func (r *Registry) compileList(children []Node, empty exp.Expression, join func(...exp.Expression) exp.ExpressionList,
	resolve func(*Leaf) (Field, error), negated bool) (exp.Expression, error) {
	exprs := make([]exp.Expression, 0, len(children))
	for _, c := range children {
		e, err := r.compileNode(c, resolve, negated)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, e)
	}
	switch len(exprs) {
	case 0:
		return empty, nil
	case 1:
		return exprs[0], nil
	}
	return join(exprs...), nil
}

// needsNullGuard reports whether a negated lookup must also require the
// column to be non-NULL: not for the lookups about NULL themselves.
func needsNullGuard(lookup string, value any) bool {
	switch lookup {
	case "isnull", "is", "isnot":
		return false
	case "exact", "iexact", "ne", "not":
		return !isNilValue(value)
	}
	return true
}
