package tests

import (
	"context"
	"sync"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// The models of the orm tests.

type Album struct {
	orm.Model `orm:"table=albums"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=100,unique"`
	Year      *int   `db:"year"`
	Rating    int    `db:"rating" orm:"default=3"`
}

type Song struct {
	orm.Model
	ID       int64  `db:"id"`
	Title    string `db:"title" orm:"size=100,index"`
	Position int    `db:"position"`
	Genre    string `db:"genre" orm:"size=20"`
}

func (Song) Meta() orm.Meta {
	return orm.Meta{Table: "songs", UniqueTogether: [][]string{{"title", "position"}}}
}

// queryLog counts the statements a database sends.
type queryLog struct {
	mu   sync.Mutex
	sqls []string
}

func (l *queryLog) hook(_ context.Context, e core.QueryEvent) {
	l.mu.Lock()
	l.sqls = append(l.sqls, e.SQL)
	l.mu.Unlock()
}

func (l *queryLog) reset() {
	l.mu.Lock()
	l.sqls = nil
	l.mu.Unlock()
}

func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sqls
	l.sqls = nil
	return out
}

// eachORM runs fn on every backend with the given models' tables created
// and a statement log.
func eachORM(t *testing.T, fn func(t *testing.T, db *core.Database, log *queryLog), models ...any) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := &queryLog{}
			db := harness.Open(t, name, core.WithQueryHook(log.hook))
			if err := orm.CreateTables(context.Background(), db, models...); err != nil {
				t.Fatalf("create tables: %v", err)
			}
			log.reset()
			fn(t, db, log)
		})
	}
}
