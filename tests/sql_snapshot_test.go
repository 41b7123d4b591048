package tests

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// -update rewrites the SQL snapshots under testdata/sql instead of comparing.
var updateSQL = flag.Bool("update", false, "rewrite the SQL snapshots in testdata/sql")

// stmtLog keeps the statements (SQL and arguments) a database sends.
type stmtLog struct {
	mu    sync.Mutex
	stmts []core.QueryEvent
}

func (l *stmtLog) hook(_ context.Context, e core.QueryEvent) {
	l.mu.Lock()
	l.stmts = append(l.stmts, e)
	l.mu.Unlock()
}

func (l *stmtLog) take() []core.QueryEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.stmts
	l.stmts = nil
	return out
}

// A long run of bound-parameter markers (an IN list cut at the dialect's
// limit) is written as its count, so a snapshot stays readable.
var markerRun = regexp.MustCompile(`\?(?:, \?){15,}`)

func snapshotText(stmts []core.QueryEvent) string {
	var b strings.Builder
	for _, e := range stmts {
		sql := markerRun.ReplaceAllStringFunc(e.SQL, func(s string) string {
			return fmt.Sprintf("?...(%d markers)", strings.Count(s, "?"))
		})
		b.WriteString(sql)
		b.WriteString("\n")
		if len(e.Args) > 16 {
			fmt.Fprintf(&b, "-- %d args\n", len(e.Args))
		} else if len(e.Args) > 0 {
			fmt.Fprintf(&b, "-- args %v\n", e.Args)
		}
	}
	return b.String()
}

// checkSnapshot compares the statements sent with testdata/sql/shape.backend.sql.
func checkSnapshot(t *testing.T, backend, shape string, stmts []core.QueryEvent) {
	t.Helper()
	got := snapshotText(stmts)
	path := filepath.Join("testdata", "sql", shape+"."+backend+".sql")
	if *updateSQL {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests -run TestSQLSnapshots -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s on %s sent:\n%s\nwant (%s):\n%s", shape, backend, got, path, want)
	}
}

// snapshotDB opens a fresh database of backend with the relation tests'
// tables and a log of its statements.
func snapshotDB(t *testing.T, backend string) (*core.Database, *stmtLog) {
	t.Helper()
	log := &stmtLog{}
	db := harness.Open(t, backend, core.WithQueryHook(log.hook))
	if err := orm.CreateTables(context.Background(), db, relModels...); err != nil {
		t.Fatal(err)
	}
	return db, log
}

// sqlShape is one query shape of the orm whose SQL is kept as a snapshot.
type sqlShape struct {
	name string
	run  func(ctx context.Context, db *core.Database) error
}

func sqlShapes() []sqlShape {
	all := func(err error) error { return err }
	return []sqlShape{
		{"filter_fk", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).Filter(lookups.Q{"artist__name": "Ann", "artist__label__name__startswith": "S"}).All(ctx)
			return all(err)
		}},
		{"filter_fk_key", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).Filter(lookups.Q{"artist__id": 1, "producer__isnull": true}).All(ctx)
			return err
		}},
		{"filter_reverse", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Artist](db).Filter(lookups.Q{"albums__name__startswith": "S", "albums__tracks__position__gte": 2}).Count(ctx)
			return err
		}},
		{"filter_m2m", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).Filter(lookups.Q{"genres__name": "rock"}, lookups.Q{"genres__isnull": false}).All(ctx)
			return err
		}},
		{"filter_null_across", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).Filter(lookups.Or(lookups.Q{"producer__name": nil}, lookups.Q{"artist__albums__name": "Surf"})).All(ctx)
			return err
		}},
		{"exclude", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).Exclude(lookups.Q{"producer__name": "Bob", "name__contains": "%"}).All(ctx)
			return err
		}},
		{"select_related_two_fks", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).SelectRelated("artist", "producer").OrderBy("id").All(ctx)
			return err
		}},
		{"select_related_nested", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Cut](db).SelectRelated("record__artist__label", "record__producer", "record").OrderBy("-position").All(ctx)
			return err
		}},
		{"select_related_self", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Artist](db).SelectRelated("rival__label").All(ctx)
			return err
		}},
		{"prefetch", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Artist](db).PrefetchRelated("albums__tracks", "albums__genres", "fans", "label").OrderBy("id").All(ctx)
			return err
		}},
		{"prefetch_m2m_reverse", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Genre](db).PrefetchRelated("records__artist").All(ctx)
			return err
		}},
		{"values", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Cut](db).Values(ctx, "title", "record__name", "record__artist__name", "record__producer__name")
			return err
		}},
		{"values_to_many", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Artist](db).OrderBy("name").ValuesList(ctx, "name", "albums__name", "fans__name", "albums__genres__name")
			return err
		}},
		{"order_by", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Cut](db).OrderBy("-position", "title", "pk").Limit(2).Offset(1).All(ctx)
			return err
		}},
		{"order_by_related", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Cut](db).OrderBy("record__name", "-record__artist__name", "record__producer__name", "record").All(ctx)
			return err
		}},
		{"order_by_select_related", func(ctx context.Context, db *core.Database) error {
			_, err := orm.Objects[Record](db).SelectRelated("artist").OrderBy("-producer__name", "artist__name").All(ctx)
			return err
		}},
	}
}

// TestSQLSnapshots keeps the SQL each backend receives for the orm's query
// shapes in testdata/sql, one file per shape and backend: a change to the
// generated SQL shows as a diff to review (go test -run TestSQLSnapshots
// -update rewrites them).
func TestSQLSnapshots(t *testing.T) {
	for _, backend := range harness.SQLBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, log := snapshotDB(t, backend)
			ctx := context.Background()
			seedLibrary(t, ctx, db)
			for _, s := range sqlShapes() {
				log.take()
				if err := s.run(orm.WithScope(ctx), db); err != nil {
					t.Errorf("%s: %v", s.name, err)
					continue
				}
				checkSnapshot(t, backend, s.name, log.take())
			}
		})
	}
}

// TestSQLSnapshotPrefetchChunks keeps the statements of a prefetch over more
// keys than one statement may bind: one array parameter on PostgreSQL, IN
// lists cut under the parameter limit elsewhere.
func TestSQLSnapshotPrefetchChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the large prefetch in -short mode")
	}
	for _, backend := range harness.SQLBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, log := snapshotDB(t, backend)
			ctx := context.Background()
			n := db.Dialect().MaxParams() + 5
			if db.Dialect() == core.Postgres {
				n = 100 // one array parameter however many
			}
			genres := make([]*Genre, n)
			for i := range genres {
				genres[i] = &Genre{Name: fmt.Sprintf("g%d", i)}
			}
			if err := orm.Objects[Genre](db).BulkCreate(ctx, genres); err != nil {
				t.Fatal(err)
			}
			log.take()
			got, err := orm.Objects[Genre](db).PrefetchRelated("records").All(orm.WithScope(ctx))
			if err != nil || len(got) != n {
				t.Fatalf("%d genres, %v", len(got), err)
			}
			checkSnapshot(t, backend, "prefetch_chunks", log.take())
		})
	}
}
