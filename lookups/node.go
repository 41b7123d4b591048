package lookups

import (
	"fmt"
	"sort"
	"strings"

	"github.com/doug-martin/goqu/v9/exp"
)

// Node is a parsed condition in a neutral form that knows nothing of SQL or
// of models: *Leaf, *AndNode, *OrNode, *NotNode, *RawNode or *ExistsNode. The orm
// resolves a Leaf's Path against its model's fields and compiles the tree to
// SQL (CompileNode); the mongo package compiles the same tree to BSON. Walk
// it with a type switch; no other types implement Node.
type Node interface {
	// String renders the node for debugging and test failures.
	String() string
	isNode()
}

// Leaf is one lookup: "album__name__iexact": "malibu" parses to
//
//	&Leaf{Key: "album__name__iexact", Path: []string{"album", "name"}, Lookup: "iexact", Value: "malibu"}
type Leaf struct {
	// Key is the key as written.
	Key string
	// Path is the field path: one part for a field of the model, more for a
	// traversal of relations ("album", "name"). "pk" is kept as written, for
	// the orm to map to the primary key.
	Path []string
	// Transforms are the transforms applied to the field before the lookup,
	// in order ("year" in "created__year__gte"); nil when there are none.
	Transforms []string
	// Lookup is the lookup's name; "exact" when the key names none.
	Lookup string
	// Value is the value, as given.
	Value any
}

// AndNode holds when all of its children hold (always, when it has none).
type AndNode struct{ Children []Node }

// OrNode holds when at least one of its children holds (never, when it has
// none).
type OrNode struct{ Children []Node }

// NotNode is the negation of its child.
type NotNode struct{ Child Node }

// RawNode is a goqu expression given as a condition, passed through as is.
// It has no meaning outside SQL: the mongo package rejects it.
type RawNode struct{ Expr exp.Expression }

func (*Leaf) isNode()    {}
func (*AndNode) isNode() {}
func (*OrNode) isNode()  {}
func (*NotNode) isNode() {}
func (*RawNode) isNode() {}

// String renders the leaf as key=value.
func (l *Leaf) String() string { return fmt.Sprintf("%s=%#v", l.Key, l.Value) }

// String renders the node as AND(child, ...).
func (n *AndNode) String() string { return "AND(" + joinNodes(n.Children) + ")" }

// String renders the node as OR(child, ...).
func (n *OrNode) String() string { return "OR(" + joinNodes(n.Children) + ")" }

// String renders the node as NOT(child).
func (n *NotNode) String() string { return "NOT(" + n.Child.String() + ")" }

// String renders the node as RAW(Go type of the expression).
func (n *RawNode) String() string { return fmt.Sprintf("RAW(%T)", n.Expr) }

func joinNodes(nodes []Node) string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = n.String()
	}
	return strings.Join(s, ", ")
}

// Parse turns a condition into its neutral form. cond is a Q (or
// map[string]any), an Expr from And, Or or Not, a Node (returned as is) or a
// goqu expression (a *RawNode). A Q of one entry parses to its *Leaf, a Q of
// several to an *AndNode of leaves in sorted key order; And, Or and Not parse
// to their nodes with their children in order. reg decides which names are
// lookups and transforms; nil means DefaultRegistry.
//
// A key is split on "__". Its last part is the lookup when reg knows it as
// one; otherwise the lookup is "exact" and the part belongs to the path. The
// parts before it that reg knows as transforms become Transforms (at least
// one part stays the path), and the rest is the Path.
//
// Parsing is syntactic: it cannot know that "season__gt" names the field gt
// of a related Season rather than the lookup gt on season, nor that
// "season__year" is a field rather than a transform. So Path may hold names
// of lookups ("age__gt__foo" parses to the path age, gt, foo) and the
// resolver, which knows the model, decides: the orm takes a name after a
// relation as a field of the related model when it has one, and reports a
// lookup that is not last as ErrUnknownLookup. For the same reason the values
// are checked when the leaf is compiled (Compile, CompileNode, the mongo
// package), against the lookup the resolver settled on, not here.
//
// Errors are *Error values: ErrEmptyLookup for an empty key or part, and
// ErrBadValue for a condition of an unsupported type.
func Parse(cond any, reg *Registry) (Node, error) {
	if reg == nil {
		reg = DefaultRegistry
	}
	return reg.parse(cond)
}

func (r *Registry) parse(cond any) (Node, error) {
	switch c := cond.(type) {
	case Node:
		if c == nil || isNilValue(c) {
			return nil, &Error{Err: ErrBadValue, Detail: "nil condition"}
		}
		return c, nil
	case Q:
		return r.parseQ(c)
	case Expr:
		return r.parseExpr(c)
	case *Expr:
		if c == nil {
			return nil, &Error{Err: ErrBadValue, Detail: "nil condition"}
		}
		return r.parseExpr(*c)
	case exp.Expression:
		// Before map[string]any: goqu's exp.Ex is a map and an Expression.
		if isNilValue(c) {
			return nil, &Error{Err: ErrBadValue, Detail: "nil condition"}
		}
		return &RawNode{Expr: c}, nil
	case map[string]any:
		return r.parseQ(Q(c))
	case nil:
		return nil, &Error{Err: ErrBadValue, Detail: "nil condition"}
	}
	return nil, &Error{Err: ErrBadValue, Detail: fmt.Sprintf(
		"a condition of type %T (want lookups.Q, And, Or, Not or a goqu expression)", cond)}
}

func (r *Registry) parseExpr(e Expr) (Node, error) {
	children := make([]Node, 0, len(e.conds))
	for _, c := range e.conds {
		n, err := r.parse(c)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	switch e.op {
	case opOr:
		return &OrNode{Children: children}, nil
	case opNot:
		if len(children) != 1 {
			return nil, &Error{Err: ErrBadValue, Detail: "Not takes exactly one condition"}
		}
		return &NotNode{Child: children[0]}, nil
	}
	return &AndNode{Children: children}, nil
}

func (r *Registry) parseQ(q Q) (Node, error) {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	leaves := make([]Node, 0, len(keys))
	for _, k := range keys {
		l, err := r.ParseKey(k, q[k])
		if err != nil {
			return nil, err
		}
		leaves = append(leaves, l)
	}
	if len(leaves) == 1 {
		return leaves[0], nil
	}
	return &AndNode{Children: leaves}, nil
}

// ParseKey parses one key and its value into a Leaf, as Parse does for each
// entry of a Q.
func (r *Registry) ParseKey(key string, value any) (*Leaf, error) {
	if key == "" {
		return nil, &Error{Err: ErrEmptyLookup, Detail: "the key is empty"}
	}
	parts := strings.Split(key, "__")
	for _, p := range parts {
		if p == "" {
			return nil, &Error{Key: key, Err: ErrEmptyLookup}
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	lookup := "exact"
	rest := parts
	if n := len(parts); n > 1 {
		if _, ok := r.lookups[parts[n-1]]; ok {
			lookup, rest = parts[n-1], parts[:n-1]
		}
	}
	end := len(rest)
	for end > 1 {
		if _, ok := r.transforms[rest[end-1]]; !ok {
			break
		}
		end--
	}
	var transforms []string
	if end < len(rest) {
		transforms = append([]string(nil), rest[end:]...)
	}
	path := append([]string(nil), rest[:end]...)
	return &Leaf{Key: key, Path: path, Transforms: transforms, Lookup: lookup, Value: value}, nil
}
