package lookups_test

import (
	"fmt"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// columns resolves a leaf to a column of the same name, the way the orm
// resolves it against a model.
func columns(d *core.Dialect, kinds map[string]core.TypeKind) func(*lookups.Leaf) (lookups.Field, error) {
	return func(l *lookups.Leaf) (lookups.Field, error) {
		kind, ok := kinds[l.Path[0]]
		if !ok || len(l.Path) > 1 {
			return lookups.Field{}, lookups.UnknownField("Track", l.Key, l.Path[0])
		}
		return lookups.Field{Model: "Track", Name: l.Path[0], Column: goqu.C(l.Path[0]), Dialect: d, Kind: kind}, nil
	}
}

var trackKinds = map[string]core.TypeKind{"title": core.KindString, "position": core.KindInteger, "created": core.KindTimestamp}

func Example() {
	cond := lookups.And(
		lookups.Q{"title__contains": "100%", "position__lte": 2},
		lookups.Or(lookups.Q{"created__year": 2024}, lookups.Not(lookups.Q{"title__iexact": "intro"})),
	)
	node, err := lookups.Parse(cond, nil)
	if err != nil {
		panic(err)
	}
	expr, err := lookups.CompileNode(node, columns(core.Postgres, trackKinds), nil)
	if err != nil {
		panic(err)
	}
	sql, args, _ := goqu.Dialect("postgres").From("tracks").Where(expr).Prepared(true).ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// SELECT * FROM "tracks" WHERE ((("position" <= $1) AND ("title" LIKE $2 ESCAPE E'\\')) AND ((CAST(EXTRACT(YEAR FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) = $3) OR NOT ((LOWER("title") = LOWER($4)))))
	// [2 %100\%% 2024 intro]
}

func ExampleParse() {
	node, err := lookups.Parse(lookups.Q{"album__created__year__gte": 2024}, nil)
	if err != nil {
		panic(err)
	}
	leaf := node.(*lookups.Leaf)
	fmt.Printf("path %v, transforms %v, lookup %s, value %v\n", leaf.Path, leaf.Transforms, leaf.Lookup, leaf.Value)

	_, err = lookups.Parse(lookups.Q{"age__": 3}, nil)
	fmt.Println(err)
	// Output:
	// path [album created], transforms [year], lookup gte, value 2024
	// lookups: empty lookup in "age__"
}

// The same lookup on each dialect: SQLite's LIKE ignores case, so a
// case-sensitive match is a GLOB there.
func ExampleRegistry_Compile() {
	for _, d := range []*core.Dialect{core.Postgres, core.MySQL, core.SQLite} {
		f := lookups.Field{Model: "Track", Name: "title", Column: goqu.C("title"), Dialect: d, Kind: core.KindString}
		expr, err := lookups.DefaultRegistry.Compile(f, nil, "startswith", "50%_")
		if err != nil {
			panic(err)
		}
		sql, args, _ := d.Goqu().From("tracks").Where(expr).Prepared(true).ToSQL()
		fmt.Println(sql, args)
	}
	// Output:
	// SELECT * FROM "tracks" WHERE ("title" LIKE $1 ESCAPE E'\\') [50\%\_%]
	// SELECT * FROM `tracks` WHERE (`title` LIKE ? ESCAPE '\\') [50\%\_%]
	// SELECT * FROM `tracks` WHERE (`title` GLOB ?) [50%_*]
}

func ExampleRegistry_Register() {
	reg := lookups.NewRegistry()
	err := reg.Register("divisible_by", func(op lookups.Operand, v any) (exp.Expression, error) {
		if _, ok := v.(int); !ok {
			return nil, lookups.BadValue("divisible_by takes an int, got %T", v)
		}
		return goqu.L("(MOD(?, ?) = 0)", op.Expr, v), nil
	})
	if err != nil {
		panic(err)
	}
	node, _ := lookups.Parse(lookups.Q{"position__divisible_by": 3}, reg)
	expr, _ := lookups.CompileNode(node, columns(core.MySQL, trackKinds), reg)
	sql, args, _ := goqu.Dialect("mysql").From("tracks").Where(expr).Prepared(true).ToSQL()
	fmt.Println(sql, args)

	node, _ = lookups.Parse(lookups.Q{"position__divisible_by": "3"}, reg)
	_, err = lookups.CompileNode(node, columns(core.MySQL, trackKinds), reg)
	fmt.Println(err)
	// Output:
	// SELECT * FROM `tracks` WHERE (MOD(`position`, ?) = 0) [3]
	// lookups: Track: bad value in "position__divisible_by": divisible_by takes an int, got string
}

// An empty in list matches nothing, without an SQL error.
func ExampleQ_emptyIn() {
	node, _ := lookups.Parse(lookups.Q{"position__in": []int{}}, nil)
	expr, _ := lookups.CompileNode(node, columns(core.SQLite, trackKinds), nil)
	sql, _, _ := goqu.Dialect("sqlite3").From("tracks").Where(expr).Prepared(true).ToSQL()
	fmt.Println(sql)
	// Output:
	// SELECT * FROM `tracks` WHERE (1 = 0)
}
