package lookups

// Q is a set of lookups that must all hold: the AND of its entries, taken
// in sorted key order so that the SQL is the same on every run. Each key is
// a field path with an optional transform chain and lookup, joined by "__"
// ("title", "album__name__iexact", "created__year__gte"); each value is what
// the lookup compares with.
//
//	lookups.Q{"album__name__iexact": "malibu", "position__lte": 2}
//
// An empty Q matches every row.
type Q map[string]any

// exprOp is the operator of an Expr.
type exprOp uint8

const (
	opAnd exprOp = iota
	opOr
	opNot
)

// Expr is a composed condition made by And, Or or Not. Its operands are
// conditions: a Q (or map[string]any), another Expr, a Node, or any goqu
// expression (exp.Expression), which passes through untouched. Parse turns
// an Expr into Nodes; the zero Expr is an empty And, which matches every
// row.
type Expr struct {
	op    exprOp
	conds []any
}

// And is the condition that holds when all of conds hold. And() with no
// conditions matches every row.
func And(conds ...any) Expr { return Expr{op: opAnd, conds: conds} }

// Or is the condition that holds when at least one of conds holds. Or()
// with no conditions matches no row.
func Or(conds ...any) Expr { return Expr{op: opOr, conds: conds} }

// Not is the negation of cond, with Django's semantics for exclude: a row
// whose nullable field is NULL is not "equal" to anything, so Not of a
// comparison on it holds (see CompileNode and Field.Nullable).
func Not(cond any) Expr { return Expr{op: opNot, conds: []any{cond}} }
