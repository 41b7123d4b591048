package mongo

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/atomdb/atomdb/lookups"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Filter returns the MongoDB filter of a lookups condition on model T
// (lookups.Q, lookups.And/Or/Not, or a parsed lookups.Node), with the
// default lookups registry; a raw filter (bson.D, bson.M, bson.Raw) comes
// back as a bson.D. It needs no database: use it to see what Find sends.
//
// Keys name fields by their BSON keys (or Go field names), joined by "__"
// across nested documents ("author___id" is author._id). The translation:
//
//	exact, is          {f: {$eq: v}}            nil: {f: {$eq: null}}, which also matches a missing field
//	ne, not, isnot     {f: {$nin: [v, null]}}   as in SQL, never matches null; nil: {f: {$ne: null}}
//	gt, gte, lt, lte   {f: {$gt: v}}, ...
//	in, notin          {f: {$in: [...]}}, {f: {$nin: [..., null]}}
//	range              {f: {$gte: a, $lte: b}}
//	isnull             true: {f: {$eq: null}} (null or missing), false: {f: {$ne: null}}
//	contains, startswith, endswith, iexact and their i-forms
//	                   {f: {$regex: "^quoted\z", $options: "i"}}, the value quoted (regexp.QuoteMeta)
//	like, ilike        the LIKE pattern (% and _, backslash escapes) as an anchored $regex
//	regex, iregex      {f: {$regex: v}} (with $options "i")
//	And / Or / Not     $and (or one document when the keys differ) / $or / $nor of one
//
// A value that is a model object stands for its _id, and a field holding
// references is compared through its _id: Q{"author": u} is
// {"author._id": {$eq: u.ID}}. Values go through the field's converter when
// they have the field's type, and a hex string compared with an ObjectID
// field becomes an ObjectID. Transforms (year, date...) and goqu expressions
// are errors wrapping ErrUnsupported.
func Filter[T any](cond any) (bson.D, error) {
	info, err := modelInfoFor(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	f, err := (&compiler{info: info, reg: lookups.DefaultRegistry}).filter(cond)
	if err != nil {
		return nil, err
	}
	return toD(f)
}

// toD converts a filter to a bson.D (bson.M keys sorted).
func toD(f any) (bson.D, error) {
	switch f := f.(type) {
	case bson.D:
		return f, nil
	case bson.M:
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := make(bson.D, len(keys))
		for i, k := range keys {
			d[i] = bson.E{Key: k, Value: f[k]}
		}
		return d, nil
	case bson.Raw:
		var d bson.D
		if err := bson.Unmarshal(f, &d); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadFilter, err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrBadFilter, f)
}

// compiler translates conditions on one model to BSON.
type compiler struct {
	info *modelInfo
	reg  *lookups.Registry
}

// filter returns the filter to give the driver for cond.
func (c *compiler) filter(cond any) (any, error) {
	switch f := cond.(type) {
	case nil:
		return bson.D{}, nil
	case bson.D, bson.M, bson.Raw:
		return f, nil
	case lookups.Q, lookups.Expr, *lookups.Expr, lookups.Node:
		n, err := lookups.Parse(cond, c.reg)
		if err != nil {
			return nil, c.withModel(err)
		}
		return c.node(n)
	case map[string]any:
		return nil, newError(c.info.name, "", ErrBadFilter, "a map[string]any could be a raw filter or lookups: use bson.M for a raw filter, lookups.Q for lookups", nil)
	}
	return nil, newError(c.info.name, "", ErrBadFilter, fmt.Sprintf("a filter of type %T (want bson.D, bson.M, bson.Raw, lookups.Q or lookups.And/Or/Not)", cond), nil)
}

func (c *compiler) withModel(err error) error {
	var e *lookups.Error
	if errors.As(err, &e) && e.Model == "" {
		cp := *e
		cp.Model = c.info.name
		return &cp
	}
	return err
}

func (c *compiler) lookupErr(sentinel error, key, name, detail string, cause error) error {
	return &lookups.Error{Model: c.info.name, Key: key, Name: name, Err: sentinel, Detail: detail, Cause: cause}
}

// node translates a parsed condition.
func (c *compiler) node(n lookups.Node) (bson.D, error) {
	switch n := n.(type) {
	case *lookups.Leaf:
		return c.leaf(n)
	case *lookups.AndNode:
		parts := make([]bson.D, 0, len(n.Children))
		for _, ch := range n.Children {
			d, err := c.node(ch)
			if err != nil {
				return nil, err
			}
			if len(d) > 0 {
				parts = append(parts, d)
			}
		}
		return and(parts), nil
	case *lookups.OrNode:
		if len(n.Children) == 0 {
			// Or() matches nothing: $nor of the filter that matches everything.
			return bson.D{{Key: "$nor", Value: bson.A{bson.D{}}}}, nil
		}
		a := make(bson.A, len(n.Children))
		for i, ch := range n.Children {
			d, err := c.node(ch)
			if err != nil {
				return nil, err
			}
			a[i] = d
		}
		if len(a) == 1 {
			return a[0].(bson.D), nil
		}
		return bson.D{{Key: "$or", Value: a}}, nil
	case *lookups.NotNode:
		if n == nil || n.Child == nil {
			return nil, c.lookupErr(lookups.ErrBadValue, "", "", "Not without a condition", nil)
		}
		d, err := c.node(n.Child)
		if err != nil {
			return nil, err
		}
		return bson.D{{Key: "$nor", Value: bson.A{d}}}, nil
	case *lookups.RawNode:
		return nil, c.lookupErr(lookups.ErrBadValue, "", "", fmt.Sprintf("a goqu expression (%T) is SQL", n.Expr), ErrUnsupported)
	}
	return nil, c.lookupErr(lookups.ErrBadValue, "", "", fmt.Sprintf("a node of type %T", n), nil)
}

// and joins conditions: one document when no key repeats, $and otherwise.
func and(parts []bson.D) bson.D {
	switch len(parts) {
	case 0:
		return bson.D{}
	case 1:
		return parts[0]
	}
	seen := map[string]bool{}
	merged := bson.D{}
	for _, p := range parts {
		for _, e := range p {
			if seen[e.Key] {
				a := make(bson.A, len(parts))
				for i, p := range parts {
					a[i] = p
				}
				return bson.D{{Key: "$and", Value: a}}
			}
			seen[e.Key] = true
			merged = append(merged, e)
		}
	}
	return merged
}

// target is what a key's path resolves to.
type target struct {
	path  string       // dotted
	field *fieldInfo   // the last field named, or nil past a free-form value
	typ   reflect.Type // the type compared with values (list elements unwrapped), or nil
	ref   *modelInfo   // the referenced model when the path ends at references
}

// walker resolves a path one part at a time.
type walker struct {
	c     *compiler
	key   string
	keys  []string
	si    *structInfo // the struct the next part is a field of
	free  bool        // past a map, interface or raw document: anything goes
	ref   *modelInfo  // the next part is a field of a reference
	field *fieldInfo
	typ   reflect.Type
	done  bool // past a scalar: no further part
}

func (c *compiler) walker(key string) *walker {
	return &walker{c: c, key: key, si: c.info.structInfo, typ: c.info.typ}
}

func (w *walker) step(part string) error {
	c := w.c
	switch {
	case w.free:
		w.keys = append(w.keys, part)
		w.field, w.typ = nil, nil
		return nil
	case w.ref != nil:
		id := w.ref.id
		if part != "_id" && part != "pk" && !strings.EqualFold(part, id.name) {
			return c.lookupErr(lookups.ErrUnknownField, w.key, part, fmt.Sprintf("%s holds references to %s, which store only _id: MongoDB cannot join, so only %s___id can be queried", strings.Join(w.keys, "."), w.ref.name, strings.Join(w.keys, "__")), ErrUnsupported)
		}
		w.keys = append(w.keys, "_id")
		w.field, w.typ, w.ref, w.done = id, id.typ, nil, true
		return nil
	case w.done || w.si == nil:
		return c.lookupErr(lookups.ErrUnknownLookup, w.key, part, fmt.Sprintf("%s is not a document", strings.Join(w.keys, ".")), nil)
	}
	f := w.si.byKey[part]
	if f == nil && part == "pk" && w.si == c.info.structInfo {
		f = c.info.id
	}
	if f == nil {
		f = w.si.byName[strings.ToLower(part)]
	}
	if f == nil {
		return c.lookupErr(lookups.ErrUnknownField, w.key, part, "", nil)
	}
	w.keys = append(w.keys, f.key)
	w.field, w.si = f, nil
	if f.conv != nil {
		w.typ, w.done = f.typ, true
		return nil
	}
	cd := f.codec
	for cd.kind == kPtr || cd.kind == kList {
		cd = cd.elem
	}
	w.typ = cd.typ
	switch cd.kind {
	case kStruct:
		si, err := structInfoFor(cd.typ)
		if err != nil {
			return err
		}
		w.si = si
	case kRef:
		mi, err := modelInfoFor(cd.typ.Elem())
		if err != nil {
			return err
		}
		w.ref = mi
	case kAny, kMap:
		w.free = true
	case kLeaf:
		if isDocType(cd.typ) {
			w.free = true
		} else {
			w.done = true
		}
	default:
		w.done = true
	}
	return nil
}

// isDocType reports whether values of t are documents or arrays one can
// query into with a dotted path.
func isDocType(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Map, reflect.Interface:
		return true
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8
	}
	return t == reflect.TypeFor[bson.Raw]()
}

func (w *walker) target() target {
	return target{path: strings.Join(w.keys, "."), field: w.field, typ: w.typ, ref: w.ref}
}

// resolve resolves a leaf's path, and its transforms when the path goes on
// through them (a field named "date" of a nested document).
func (c *compiler) resolve(l *lookups.Leaf) (target, error) {
	w := c.walker(l.Key)
	for _, p := range l.Path {
		if err := w.step(p); err != nil {
			return target{}, err
		}
	}
	for _, t := range l.Transforms {
		if err := w.step(t); err != nil {
			return target{}, c.lookupErr(lookups.ErrUnknownLookup, l.Key, t, "transforms are not supported on MongoDB", ErrUnsupported)
		}
	}
	return w.target(), nil
}

// fieldPath resolves a field name of Sort or Project: dotted names are
// taken as they are, others resolved like lookup keys.
func (c *compiler) fieldPath(name string) (string, error) {
	if name == "" {
		return "", newError(c.info.name, "", ErrBadFilter, "an empty field name", nil)
	}
	if strings.Contains(name, ".") || strings.HasPrefix(name, "$") {
		return name, nil
	}
	w := c.walker(name)
	for _, p := range strings.Split(name, "__") {
		if p == "" {
			return "", c.lookupErr(lookups.ErrEmptyLookup, name, "", "", nil)
		}
		if err := w.step(p); err != nil {
			return "", err
		}
	}
	t := w.target()
	return t.path, nil
}

// target resolves a field name of Distinct and of updates like fieldPath,
// keeping what is known of the field; a dotted name has no known type.
func (c *compiler) target(name string) (target, error) {
	if name == "" {
		return target{}, newError(c.info.name, "", ErrBadFilter, "an empty field name", nil)
	}
	if strings.Contains(name, ".") || strings.HasPrefix(name, "$") {
		return target{path: name}, nil
	}
	w := c.walker(name)
	for _, p := range strings.Split(name, "__") {
		if p == "" {
			return target{}, c.lookupErr(lookups.ErrEmptyLookup, name, "", "", nil)
		}
		if err := w.step(p); err != nil {
			return target{}, err
		}
	}
	return w.target(), nil
}

// elemCodec returns the codec and type of the values at the target (list
// elements unwrapped), or nil when their type is not known.
func (t target) elemCodec() (*codec, reflect.Type) {
	typ := t.typ
	if typ == nil {
		return nil, nil
	}
	if t.field == nil || t.field.conv == nil {
		for (typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array) && typ.Elem().Kind() != reflect.Uint8 {
			typ = typ.Elem() // MongoDB gives the elements of arrays
		}
	}
	c, err := codecFor(typ)
	if err != nil {
		return nil, nil
	}
	return c, typ
}

var objectIDType = reflect.TypeFor[bson.ObjectID]()

// value converts a value compared with the target.
func (c *compiler) value(t target, key string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	if t.field != nil && t.field.conv != nil && rv.Type() == t.field.conv.goType {
		x, err := t.field.conv.flatten(rv)
		if err != nil {
			return nil, c.lookupErr(lookups.ErrBadValue, key, "", "converter", err)
		}
		return x, nil
	}
	// A model object stands for its _id.
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct && !isLeafType(rv.Type().Elem()) && hasIDField(rv.Type().Elem()) {
		mi, err := modelInfoFor(rv.Type().Elem())
		if err != nil {
			return nil, err
		}
		if t.ref != nil && t.ref != mi {
			return nil, c.lookupErr(lookups.ErrBadValue, key, "", fmt.Sprintf("a %s compared with references to %s", mi.name, t.ref.name), nil)
		}
		id := mi.idOf(rv)
		if id.IsZero() {
			return nil, c.lookupErr(lookups.ErrBadValue, key, "", fmt.Sprintf("an unsaved %s (its _id is zero)", mi.name), nil)
		}
		return id.Interface(), nil
	}
	typ := t.typ
	if t.ref != nil {
		typ = t.ref.id.typ
	}
	if typ == objectIDType {
		if s, ok := v.(string); ok {
			oid, err := bson.ObjectIDFromHex(s)
			if err != nil {
				return nil, c.lookupErr(lookups.ErrBadValue, key, "", fmt.Sprintf("%q is not an ObjectID", s), nil)
			}
			return oid, nil
		}
	}
	cd, err := codecFor(rv.Type())
	if err != nil {
		return nil, c.lookupErr(lookups.ErrBadValue, key, "", err.Error(), nil)
	}
	if cd.kind == kLeaf {
		return v, nil
	}
	p := reflect.New(rv.Type()).Elem()
	p.Set(rv)
	x, err := newEncoder(c.info.name).encodeValue(cd, p, key)
	if err != nil {
		return nil, c.lookupErr(lookups.ErrBadValue, key, "", "cannot encode the value", err)
	}
	return x, nil
}

// values converts the elements of a list value.
func (c *compiler) values(t target, l *lookups.Leaf) (bson.A, error) {
	if _, ok := l.Value.(interface{ ToSQL() (string, []any, error) }); ok {
		return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, "a subquery is SQL", ErrUnsupported)
	}
	rv := reflect.ValueOf(l.Value)
	if l.Value == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
		return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, fmt.Sprintf("%s takes a slice, got %T", l.Lookup, l.Value), nil)
	}
	a := make(bson.A, rv.Len())
	for i := range a {
		x, err := c.value(t, l.Key, rv.Index(i).Interface())
		if err != nil {
			return nil, err
		}
		a[i] = x
	}
	return a, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func asString(v any) (string, bool) {
	rv := reflect.ValueOf(v)
	if v == nil || rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}

func op(path, operator string, v any) bson.D {
	return bson.D{{Key: path, Value: bson.D{{Key: operator, Value: v}}}}
}

func regexOp(path, pattern string, fold bool) bson.D {
	r := bson.D{{Key: "$regex", Value: pattern}}
	if fold {
		r = append(r, bson.E{Key: "$options", Value: "i"})
	}
	return bson.D{{Key: path, Value: r}}
}

// leaf translates one lookup.
func (c *compiler) leaf(l *lookups.Leaf) (bson.D, error) {
	if err := c.reg.CheckValue(l.Lookup, l.Value); err != nil {
		var e *lookups.Error
		if errors.As(err, &e) {
			cp := *e
			cp.Model, cp.Key = c.info.name, l.Key
			return nil, &cp
		}
		return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, "", err)
	}
	t, err := c.resolve(l)
	if err != nil {
		return nil, err
	}
	path := t.path
	idPath := path
	if t.ref != nil {
		idPath = path + "._id"
	}
	one := func() (any, error) { return c.value(t, l.Key, l.Value) }
	switch l.Lookup {
	case "exact", "is":
		if isNil(l.Value) {
			return op(path, "$eq", nil), nil
		}
		v, err := one()
		if err != nil {
			return nil, err
		}
		return op(idPath, "$eq", v), nil
	case "ne", "not", "isnot":
		if isNil(l.Value) {
			return op(path, "$ne", nil), nil
		}
		v, err := one()
		if err != nil {
			return nil, err
		}
		return op(idPath, "$nin", bson.A{v, nil}), nil
	case "gt", "gte", "lt", "lte":
		v, err := one()
		if err != nil {
			return nil, err
		}
		return op(idPath, "$"+l.Lookup, v), nil
	case "in", "notin":
		a, err := c.values(t, l)
		if err != nil {
			return nil, err
		}
		if l.Lookup == "in" {
			return op(idPath, "$in", a), nil
		}
		return op(idPath, "$nin", append(a, nil)), nil
	case "range":
		a, err := c.values(t, l)
		if err != nil {
			return nil, err
		}
		if len(a) != 2 {
			return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, "range takes 2 values", nil)
		}
		return bson.D{{Key: idPath, Value: bson.D{{Key: "$gte", Value: a[0]}, {Key: "$lte", Value: a[1]}}}}, nil
	case "isnull":
		b, ok := l.Value.(bool)
		if !ok {
			return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, fmt.Sprintf("isnull takes a bool, got %T", l.Value), nil)
		}
		if b {
			return op(path, "$eq", nil), nil
		}
		return op(path, "$ne", nil), nil
	}
	if l.Lookup == "iexact" && isNil(l.Value) {
		return op(path, "$eq", nil), nil
	}
	s, ok := asString(l.Value)
	if !ok && isPatternLookup(l.Lookup) {
		return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, fmt.Sprintf("%s takes a string, got %T", l.Lookup, l.Value), nil)
	}
	q := regexp.QuoteMeta(s)
	switch l.Lookup {
	case "iexact":
		return regexOp(path, `^`+q+`\z`, true), nil
	case "contains", "icontains":
		return regexOp(path, q, l.Lookup[0] == 'i'), nil
	case "startswith", "istartswith":
		return regexOp(path, `^`+q, l.Lookup[0] == 'i'), nil
	case "endswith", "iendswith":
		return regexOp(path, q+`\z`, l.Lookup[0] == 'i'), nil
	case "like", "ilike":
		return regexOp(path, likeToRegex(s), l.Lookup == "ilike"), nil
	case "regex", "iregex":
		if _, err := regexp.Compile(s); err != nil {
			return nil, c.lookupErr(lookups.ErrBadValue, l.Key, l.Lookup, "bad regular expression", err)
		}
		return regexOp(path, s, l.Lookup == "iregex"), nil
	}
	return nil, c.lookupErr(lookups.ErrUnknownLookup, l.Key, l.Lookup, "this lookup has no MongoDB translation", ErrUnsupported)
}

func isPatternLookup(name string) bool {
	switch name {
	case "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "like", "ilike", "regex", "iregex":
		return true
	}
	return false
}

// likeToRegex translates a LIKE pattern (% any run, _ any character, a
// backslash escaping the next character) into an anchored regular
// expression.
func likeToRegex(p string) string {
	var b strings.Builder
	b.WriteString(`^`)
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '%':
			b.WriteString(`(?s:.*)`)
		case r == '_':
			b.WriteString(`(?s:.)`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if escaped {
		b.WriteString(`\\`)
	}
	b.WriteString(`\z`)
	return b.String()
}
