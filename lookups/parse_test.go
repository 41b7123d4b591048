package lookups_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
)

func leaf(key string, path, transforms []string, lookup string, value any) *lookups.Leaf {
	return &lookups.Leaf{Key: key, Path: path, Transforms: transforms, Lookup: lookup, Value: value}
}

func p(parts ...string) []string { return parts }

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		key   string
		value any
		want  *lookups.Leaf
	}{
		{"title", "x", leaf("title", p("title"), nil, "exact", "x")},
		{"title__exact", "x", leaf("title__exact", p("title"), nil, "exact", "x")},
		{"title__icontains", "x", leaf("title__icontains", p("title"), nil, "icontains", "x")},
		{"album__name__iexact", "m", leaf("album__name__iexact", p("album", "name"), nil, "iexact", "m")},
		{"album__name", "m", leaf("album__name", p("album", "name"), nil, "exact", "m")},
		{"album__artist__name__startswith", "B", leaf("album__artist__name__startswith", p("album", "artist", "name"), nil, "startswith", "B")},
		{"pk", 3, leaf("pk", p("pk"), nil, "exact", 3)},
		{"pk__in", []int{1}, leaf("pk__in", p("pk"), nil, "in", []int{1})},
		{"album__pk", 3, leaf("album__pk", p("album", "pk"), nil, "exact", 3)},
		{"created__year", 2024, leaf("created__year", p("created"), p("year"), "exact", 2024)},
		{"created__year__gte", 2024, leaf("created__year__gte", p("created"), p("year"), "gte", 2024)},
		{"created__date", "2024-01-02", leaf("created__date", p("created"), p("date"), "exact", "2024-01-02")},
		{"created__date__lt", "2024-01-02", leaf("created__date__lt", p("created"), p("date"), "lt", "2024-01-02")},
		{"created__date__year__in", []int{2024}, leaf("created__date__year__in", p("created"), p("date", "year"), "in", []int{2024})},
		{"album__created__week_day", 1, leaf("album__created__week_day", p("album", "created"), p("week_day"), "exact", 1)},
		// A lone part is a field, whatever its name.
		{"year", 2024, leaf("year", p("year"), nil, "exact", 2024)},
		{"in", 1, leaf("in", p("in"), nil, "exact", 1)},
		{"year__gt", 2024, leaf("year__gt", p("year"), nil, "gt", 2024)},
		{"in__in", []int{1}, leaf("in__in", p("in"), nil, "in", []int{1})},
		// An unknown last part belongs to the path, for the orm to judge.
		{"title__foo", "x", leaf("title__foo", p("title", "foo"), nil, "exact", "x")},
		{"age__isnull", true, leaf("age__isnull", p("age"), nil, "isnull", true)},
		{"age__ne", nil, leaf("age__ne", p("age"), nil, "ne", nil)},
		{"a_b__c_d", 1, leaf("a_b__c_d", p("a_b", "c_d"), nil, "exact", 1)},
		// Parsing is syntactic: a lookup's name inside the path ("gt" of a
		// related Season) is left there for the resolver to judge, and the
		// value is checked only when the resolved leaf is compiled.
		{"age__gt__foo", 1, leaf("age__gt__foo", p("age", "gt", "foo"), nil, "exact", 1)},
		{"season__gt__in", []int{1}, leaf("season__gt__in", p("season", "gt"), nil, "in", []int{1})},
		{"season__in", 5, leaf("season__in", p("season"), nil, "in", 5)},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got, err := lookups.Parse(lookups.Q{tc.key: tc.value}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse = %#v\nwant    %#v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cond     any
		sentinel error
		msg      string
	}{
		{"empty key", lookups.Q{"": 1}, lookups.ErrEmptyLookup, `lookups: empty lookup: the key is empty`},
		{"trailing", lookups.Q{"age__": 1}, lookups.ErrEmptyLookup, `lookups: empty lookup in "age__"`},
		{"leading", lookups.Q{"__age": 1}, lookups.ErrEmptyLookup, `lookups: empty lookup in "__age"`},
		{"middle", lookups.Q{"a____b": 1}, lookups.ErrEmptyLookup, `lookups: empty lookup in "a____b"`},
		{"triple underscore", lookups.Q{"a___b": 1}, nil, ""},
		{"lookup before transform", lookups.Q{"created__gte__year": 1}, lookups.ErrUnknownLookup, `lookups: unknown lookup "gte" in "created__gte__year"`},
		{"two lookups", lookups.Q{"name__exact__in": []int{1}}, lookups.ErrUnknownLookup, `unknown lookup "exact"`},
		{"isnull string", lookups.Q{"age__isnull": "yes"}, lookups.ErrBadValue, `lookups: bad value in "age__isnull": isnull takes a bool, got string`},
		{"isnull nil", lookups.Q{"age__isnull": nil}, lookups.ErrBadValue, `isnull takes a bool, got nil`},
		{"in scalar", lookups.Q{"age__in": 3}, lookups.ErrBadValue, `lookups: bad value in "age__in": in takes a slice or a subquery, got int`},
		{"in string", lookups.Q{"age__in": "abc"}, lookups.ErrBadValue, `in takes a slice or a subquery, got string`},
		{"in bytes", lookups.Q{"age__in": []byte("abc")}, lookups.ErrBadValue, `got []uint8`},
		{"notin scalar", lookups.Q{"age__notin": 3}, lookups.ErrBadValue, `notin takes a slice`},
		{"range one", lookups.Q{"age__range": []int{1}}, lookups.ErrBadValue, `range takes exactly 2 values, got 1`},
		{"range three", lookups.Q{"age__range": []int{1, 2, 3}}, lookups.ErrBadValue, `range takes exactly 2 values, got 3`},
		{"range scalar", lookups.Q{"age__range": 1}, lookups.ErrBadValue, `range takes a slice of 2 values, got int`},
		{"range nil bound", lookups.Q{"age__range": []any{1, nil}}, lookups.ErrBadValue, `range cannot take nil bounds`},
		{"gt nil", lookups.Q{"age__gt": nil}, lookups.ErrBadValue, `gt cannot compare with nil`},
		{"exact slice", lookups.Q{"age": []int{1, 2}}, lookups.ErrBadValue, `lookups: bad value in "age": exact takes a single value, got []int (use in for a list)`},
		{"exact bytes", lookups.Q{"data": []byte("x")}, nil, ""},
		{"gt slice", lookups.Q{"age__gt": []any{1}}, lookups.ErrBadValue, `gt takes a single value, got []interface {}`},
		{"ne slice", lookups.Q{"age__ne": []string{"a"}}, lookups.ErrBadValue, `ne takes a single value`},
		{"contains int", lookups.Q{"name__contains": 5}, lookups.ErrBadValue, `contains takes a string, got int`},
		{"regex nil", lookups.Q{"name__regex": nil}, lookups.ErrBadValue, `regex takes a string, got nil`},
		{"iexact int", lookups.Q{"name__iexact": 5}, lookups.ErrBadValue, `iexact takes a string or nil`},
		{"is string", lookups.Q{"flag__is": "true"}, lookups.ErrBadValue, `is takes nil, true or false, got string`},
		{"nested", lookups.And(lookups.Q{"a": 1}, lookups.Or(lookups.Not(lookups.Q{"b__": 1}))), lookups.ErrEmptyLookup, `"b__"`},
		{"nil", nil, lookups.ErrBadValue, `nil condition`},
		{"unsupported", 42, lookups.ErrBadValue, `a condition of type int`},
		{"nil node", (*lookups.Leaf)(nil), lookups.ErrBadValue, `nil condition`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := lookups.Parse(tc.cond, nil)
			if err == nil && tc.sentinel != nil {
				// Values are checked when the leaf is compiled, against
				// the lookup the resolver settles on.
				_, err = lookups.CompileNode(n, func(l *lookups.Leaf) (lookups.Field, error) {
					if len(l.Path) > 1 { // what a resolver says of a field with no fields
						return lookups.Field{}, lookups.UnknownLookup("", l.Key, l.Path[1])
					}
					return lookups.Field{Name: l.Path[0], Column: goqu.C(l.Path[0]), Dialect: core.SQLite}, nil
				}, nil)
			}
			if tc.sentinel == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("error %v, want %v", err, tc.sentinel)
			}
			var e *lookups.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *lookups.Error", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	raw := goqu.C("x").Eq(1)
	cond := lookups.And(
		lookups.Q{"b": 2, "a__gt": 1, "c__isnull": true},
		lookups.Or(lookups.Q{"d": 4}, lookups.Not(lookups.Q{"e__in": []int{5}}), raw),
		map[string]any{"f": 6},
		lookups.And(),
		lookups.Or(),
	)
	got, err := lookups.Parse(cond, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &lookups.AndNode{Children: []lookups.Node{
		&lookups.AndNode{Children: []lookups.Node{ // sorted keys
			leaf("a__gt", p("a"), nil, "gt", 1),
			leaf("b", p("b"), nil, "exact", 2),
			leaf("c__isnull", p("c"), nil, "isnull", true),
		}},
		&lookups.OrNode{Children: []lookups.Node{
			leaf("d", p("d"), nil, "exact", 4),
			&lookups.NotNode{Child: leaf("e__in", p("e"), nil, "in", []int{5})},
			&lookups.RawNode{Expr: raw},
		}},
		leaf("f", p("f"), nil, "exact", 6),
		&lookups.AndNode{Children: []lookups.Node{}},
		&lookups.OrNode{Children: []lookups.Node{}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%v\nwant\n%v", got, want)
	}
	if s := got.String(); !strings.HasPrefix(s, `AND(AND(a__gt=1, b=2, c__isnull=true), OR(d=4, NOT(e__in=[]int{5}), RAW(`) {
		t.Errorf("String() = %s", s)
	}
	// A Node parses to itself; an empty Q and the zero Expr to an empty AND.
	if n, _ := lookups.Parse(got, nil); n != got {
		t.Errorf("Parse(Node) did not return the node")
	}
	for _, c := range []any{lookups.Q{}, lookups.Expr{}} {
		if n, err := lookups.Parse(c, nil); err != nil || !reflect.DeepEqual(n, &lookups.AndNode{Children: []lookups.Node{}}) {
			t.Errorf("Parse(%#v) = %v, %v", c, n, err)
		}
	}
	// goqu's exp.Ex is a map and an expression: it passes through.
	if n, err := lookups.Parse(goqu.Ex{"a": 1}, nil); err != nil {
		t.Error(err)
	} else if _, ok := n.(*lookups.RawNode); !ok {
		t.Errorf("Parse(goqu.Ex) = %T", n)
	}
}

func TestRegistry(t *testing.T) {
	r := lookups.NewRegistry()
	want := []string{"contains", "endswith", "exact", "gt", "gte", "icontains", "iendswith", "iexact", "ilike", "in",
		"iregex", "is", "isnot", "isnull", "istartswith", "like", "lt", "lte", "ne", "not", "notin", "range", "regex", "startswith"}
	if got := r.Lookups(); !reflect.DeepEqual(got, want) {
		t.Errorf("Lookups() = %v", got)
	}
	if got := r.Transforms(); !reflect.DeepEqual(got, []string{"date", "day", "hour", "iso_week_day", "iso_year", "minute", "month", "quarter", "second", "week", "week_day", "year"}) {
		t.Errorf("Transforms() = %v", got)
	}
	if !r.IsLookup("icontains") || r.IsLookup("year") || !r.IsTransform("year") || r.IsTransform("gt") {
		t.Error("IsLookup/IsTransform")
	}
	fn := func(op lookups.Operand, v any) (goqu.Expression, error) { return op.Expr.Eq(v), nil }
	for _, bad := range []string{"", "a__b", "year"} {
		if err := r.Register(bad, fn); err == nil {
			t.Errorf("Register(%q) succeeded", bad)
		}
	}
	if err := r.Register("x", nil); err == nil {
		t.Error("Register(nil func) succeeded")
	}
	if err := r.RegisterTransform("gt", func(op lookups.Operand) (lookups.Operand, error) { return op, nil }); err == nil {
		t.Error("RegisterTransform(gt) succeeded")
	}
	if err := r.Register("near", fn); err != nil {
		t.Fatal(err)
	}
	// The new name is a lookup for this registry only.
	if n, _ := r.ParseKey("pos__near", 1); n.Lookup != "near" {
		t.Errorf("ParseKey with own registry: %#v", n)
	}
	if n, _ := lookups.DefaultRegistry.ParseKey("pos__near", 1); n.Lookup != "exact" {
		t.Errorf("ParseKey with default registry: %#v", n)
	}
	// Replacing a built-in drops its value check.
	if err := r.Register("isnull", fn); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ParseKey("a__isnull", "yes"); err != nil {
		t.Errorf("replaced isnull still checks: %v", err)
	}
}
