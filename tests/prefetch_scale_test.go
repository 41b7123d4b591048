package tests

import (
	"context"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

type Crowd struct {
	ID      int64     `db:"id"`
	Members []*Member `orm:"reverse=Crowd"`
}

type Member struct {
	ID    int64  `db:"id"`
	Crowd *Crowd `db:"crowd_id" orm:"fk,on_delete=cascade"`
}

// 100,000 parents in one prefetch: one array parameter on PostgreSQL, IN
// lists cut under the parameter limit elsewhere.
func TestPrefetchOf100000Parents(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 100,000-row prefetch in -short mode")
	}
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		crowds := make([]*Crowd, 100_000)
		for i := range crowds {
			crowds[i] = &Crowd{}
		}
		if err := orm.Objects[Crowd](db).BulkCreate(ctx, crowds); err != nil {
			t.Fatal(err)
		}
		last := crowds[len(crowds)-1]
		var members []*Member
		for range 10 {
			members = append(members, &Member{Crowd: last})
		}
		if err := orm.Objects[Member](db).BulkCreate(ctx, members); err != nil {
			t.Fatal(err)
		}
		log.reset()
		all, err := orm.Objects[Crowd](db).PrefetchRelated("members").All(orm.WithScope(ctx))
		if err != nil {
			t.Fatal(err)
		}
		selects := 0
		for _, s := range log.take() {
			if strings.HasPrefix(s, "SELECT") {
				selects++
			}
		}
		want := map[*core.Dialect]int{core.Postgres: 2, core.MySQL: 1 + 2, core.SQLite: 1 + 4}[db.Dialect()]
		if selects != want {
			t.Errorf("%d SELECTs, want %d", selects, want)
		}
		if len(all) != 100_000 || len(all[len(all)-1].Members) != 10 || len(all[0].Members) != 0 {
			t.Errorf("%d crowds, the last with %d members", len(all), len(all[len(all)-1].Members))
		}
		if n, err := orm.Objects[Member](db).Filter(lookups.Q{"crowd__in": all[len(all)-3:]}).Count(ctx); err != nil || n != 10 {
			t.Errorf("members of the last three crowds = %d, %v", n, err)
		}
	}, Crowd{}, Member{})
}
