package relations

import (
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

func TestPgArrayText(t *testing.T) {
	for _, c := range []struct {
		keys []any
		want string
	}{
		{[]any{int64(1), int64(20)}, "{1,20}"},
		{[]any{"a,b", `q"uote`, `back\slash`, "ünï"}, `{"a,b","q\"uote","back\\slash","ünï"}`},
	} {
		v, err := pgArray(c.keys).Value()
		if err != nil || v != c.want {
			t.Errorf("%v: %v, %v; want %s", c.keys, v, err, c.want)
		}
	}
}

func TestKeyConditions(t *testing.T) {
	col := goqu.T("t").Col("k")
	keys := []any{int64(3), int64(1), int64(3), nil, int64(2)}
	pg := KeyConditions(core.Postgres, col, keys, "bigint", 0)
	sql, args, err := goqu.Dialect("postgres").From("t").Where(pg...).Prepared(true).ToSQL()
	if err != nil || len(pg) != 1 || len(args) != 1 || sql != `SELECT * FROM "t" WHERE "t"."k" = ANY(CAST($1 AS bigint[]))` {
		t.Errorf("postgres: %s %v %v", sql, args, err)
	}
	many := make([]any, 70000)
	for i := range many {
		many[i] = int64(i)
	}
	lite := KeyConditions(core.SQLite, col, many, "bigint", 10)
	if len(lite) != 3 {
		t.Errorf("sqlite: %d statements for 70000 keys, want 3", len(lite))
	}
	if KeyConditions(core.MySQL, col, nil, "", 0) != nil {
		t.Error("no keys gave conditions")
	}
}
