package core

import (
	"errors"
	"reflect"
	"testing"
)

func TestCompileRaw(t *testing.T) {
	for _, c := range []struct {
		name    string
		sql     string
		params  Params
		pg      string
		pgArgs  []any
		other   string
		argsQ   []any
		wantErr bool
		// mysqlErr: MySQL reads the backslash as an escape, so the literal never ends there.
		mysqlErr bool
	}{
		{name: "plain", sql: "SELECT * FROM notes WHERE id = :id", params: Params{"id": 1},
			pg: "SELECT * FROM notes WHERE id = $1", pgArgs: []any{1}, other: "SELECT * FROM notes WHERE id = ?", argsQ: []any{1}},
		{name: "repeated name", sql: "SELECT :a, :b, :a", params: Params{"a": 1, "b": 2},
			pg: "SELECT $1, $2, $1", pgArgs: []any{1, 2}, other: "SELECT ?, ?, ?", argsQ: []any{1, 2, 1}},
		{name: "literals, casts, comments", sql: "SELECT ':x', \":y\", `:z`, a::text, $$ :q $$ -- :c\n/* :d */ FROM t WHERE b = :b",
			params: Params{"b": 1},
			pg:     "SELECT ':x', \":y\", `:z`, a::text, $$ :q $$ -- :c\n/* :d */ FROM t WHERE b = $1", pgArgs: []any{1},
			other: "SELECT ':x', \":y\", `:z`, a::text, $$ :q $$ -- :c\n/* :d */ FROM t WHERE b = ?", argsQ: []any{1}},
		{name: "escaped quote", sql: "SELECT 'it''s :not' , :yes", params: Params{"yes": 1},
			pg: "SELECT 'it''s :not' , $1", pgArgs: []any{1}, other: "SELECT 'it''s :not' , ?", argsQ: []any{1}},
		{name: "escaped colon and time literal", sql: `SELECT '10:30', x\:y, :v`, params: Params{"v": "t"},
			pg: "SELECT '10:30', x:y, $1", pgArgs: []any{"t"}, other: "SELECT '10:30', x:y, ?", argsQ: []any{"t"}},
		{name: "backslash ends no literal", sql: `SELECT 'C:\' , :v`, params: Params{"v": 1},
			pg: `SELECT 'C:\' , $1`, pgArgs: []any{1}, other: `SELECT 'C:\' , ?`, argsQ: []any{1}, mysqlErr: true},
		{name: "E string escapes", sql: `SELECT E'it\'s :no', :v`, params: Params{"v": 1},
			pg: `SELECT E'it\'s :no', $1`, pgArgs: []any{1}, other: `SELECT E'it\'s :no', ?`, argsQ: []any{1}},
		{name: "no params", sql: "SELECT 1", pg: "SELECT 1", pgArgs: []any{}, other: "SELECT 1", argsQ: []any{}},
		{name: "missing", sql: "SELECT :a", params: Params{}, wantErr: true},
		{name: "unused", sql: "SELECT 1", params: Params{"a": 1}, wantErr: true},
		{name: "unterminated", sql: "SELECT ':a", wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range []*Dialect{Postgres, MySQL, SQLite} {
				comp, err := compileRaw(d, c.sql)
				var args []any
				if err == nil {
					args, err = comp.bind(c.params)
				}
				if c.wantErr || (c.mysqlErr && d == MySQL) {
					if !errors.Is(err, ErrBadQuery) {
						t.Errorf("%s: err = %v, want ErrBadQuery", d, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", d, err)
				}
				wantSQL, wantArgs := c.other, c.argsQ
				if d == Postgres {
					wantSQL, wantArgs = c.pg, c.pgArgs
				}
				if comp.sql != wantSQL || !reflect.DeepEqual(args, wantArgs) {
					t.Errorf("%s: got %q %v, want %q %v", d, comp.sql, args, wantSQL, wantArgs)
				}
			}
		})
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"SELECT :a", "SELECT ':a' :: x", "$$:a$$ :b", "/* :c */", `x\:y`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		tpl, err := parseTemplate(sql, false)
		if err != nil {
			return
		}
		if len(tpl.text) != len(tpl.names)+1 {
			t.Fatalf("%d pieces for %d names", len(tpl.text), len(tpl.names))
		}
	})
}
