package migrate

import (
	"reflect"
	"testing"
)

func TestSQLiteConstraints(t *testing.T) {
	sql := `CREATE TABLE "t" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "a""b" TEXT DEFAULT 'CONSTRAINT "x" CHECK (1)',
  CONSTRAINT "uq_t" UNIQUE ("a""b", c),
  CONSTRAINT [ck t] CHECK ((a) > (b) AND f(')') = 1),
  constraint fk_t foreign key ("c") references "p" ("id") on delete cascade,
  CONSTRAINT "pk_t" PRIMARY KEY ("id")
)`
	got := sqliteConstraints(sql)
	want := []namedConstraint{
		{name: "uq_t", kind: "UNIQUE", cols: []string{`a"b`, "c"}},
		{name: "ck t", kind: "CHECK", expr: "(a) > (b) AND f(')') = 1"},
		{name: "fk_t", kind: "FOREIGN", cols: []string{"c"}},
		{name: "pk_t", kind: "PRIMARY", cols: []string{"id"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
