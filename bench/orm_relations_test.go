package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/orm"
)

// The relation fixtures, two pairs of tables created from the models below
// by the orm's own DDL, in the same schema or database as bench_rows and,
// like it, rebuilt only when their rows differ from what they should be:
//
//	bench_sr_parents   100 parents           (SelectRelated)
//	bench_sr_children  1,000 children, child i -> parent (i-1)%100+1
//	bench_pf_parents   1,000 parents         (PrefetchRelated)
//	bench_pf_children  10,000 children, child i -> parent (i-1)/10+1
//
// Parents are (id, name), children (id, parent_id, name, score), with an
// index on parent_id as a schema would have (the orm does not add one to a
// foreign key by itself). Only the rows are checked: after a change to the
// models' columns or indexes, drop the tables so that the next run rebuilds
// them.

type srParent struct {
	orm.Model `orm:"table=bench_sr_parents"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=100"`
}

type srChild struct {
	orm.Model `orm:"table=bench_sr_children"`
	ID        int64     `db:"id"`
	Parent    *srParent `db:"parent_id" orm:"fk,index,on_delete=cascade"`
	Name      string    `db:"name" orm:"size=100"`
	Score     float64   `db:"score"`
}

type pfParent struct {
	orm.Model `orm:"table=bench_pf_parents"`
	ID        int64      `db:"id"`
	Name      string     `db:"name" orm:"size=100"`
	Children  []*pfChild `orm:"reverse=Parent"`
}

type pfChild struct {
	orm.Model `orm:"table=bench_pf_children"`
	ID        int64     `db:"id"`
	Parent    *pfParent `db:"parent_id" orm:"fk,index,on_delete=cascade"`
	Name      string    `db:"name" orm:"size=100"`
	Score     float64   `db:"score"`
}

// rawParent and rawChild are what the hand-written variants read into.
type rawParent struct {
	ID       int64
	Name     string
	Children []*rawChild
}

type rawChild struct {
	ID     int64
	Parent *rawParent
	Name   string
	Score  float64
}

// relSpec is one pair of fixture tables.
type relSpec struct {
	parents, children int
	parentOf          func(child int64) int64
	tables            func(db *core.Database) (parent, child *core.Table, err error)
}

var (
	srSpec = relSpec{100, 1000, func(c int64) int64 { return (c-1)%100 + 1 }, modelTables[srParent, srChild]}
	pfSpec = relSpec{1000, 10_000, func(c int64) int64 { return (c-1)/10 + 1 }, modelTables[pfParent, pfChild]}
)

func parentName(id int64) string  { return fmt.Sprintf("parent %05d", id) }
func childName(id int64) string   { return fmt.Sprintf("child %05d", id) }
func childScore(id int64) float64 { return float64(id)*0.25 + 1 }

// checkChild checks one child read, and the parent it points to.
func (s relSpec) checkChild(id, got int64, name string, score float64, parentID int64, parentNm string) error {
	if got != id || name != childName(id) || score != childScore(id) || parentID != s.parentOf(id) || parentNm != parentName(parentID) {
		return fmt.Errorf("child %d is (%d, %q, %v) with parent (%d, %q)", id, got, name, score, parentID, parentNm)
	}
	return nil
}

func modelTables[P, C any](db *core.Database) (*core.Table, *core.Table, error) {
	p, err := orm.Objects[P](db).Table()
	if err != nil {
		return nil, nil, err
	}
	c, err := orm.Objects[C](db).Table()
	return p, c, err
}

var relFixtures = map[string]*struct {
	once sync.Once
	err  error
}{postgresName: {}, mysqlName: {}, sqliteName: {}}

// getRelBackend is getBackend with the relation fixtures set up, once per
// process.
func getRelBackend(b *testing.B, name string) *backend {
	b.Helper()
	be := getBackend(b, name)
	f := relFixtures[name]
	f.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		f.err = relFixture(ctx, be)
	})
	if f.err != nil {
		b.Fatalf("%s: relation fixtures: %v", name, f.err)
	}
	return be
}

// relFixture checks both pairs of tables and rebuilds those that differ,
// under the lock bench_rows' setup takes on the servers.
func relFixture(ctx context.Context, be *backend) (err error) {
	d := be.core.Dialect()
	conn, err := be.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	switch d {
	case core.Postgres:
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", fixtureName); err != nil {
			return err
		}
		defer func() {
			if _, uerr := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(hashtext($1))", fixtureName); err == nil {
				err = uerr
			}
		}()
	case core.MySQL:
		var locked sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 300)", fixtureName).Scan(&locked); err != nil {
			return err
		}
		if locked.Int64 != 1 {
			return errors.New("timed out waiting for the lock " + fixtureName + " held by another run")
		}
		defer func() {
			if _, uerr := conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", fixtureName); err == nil {
				err = uerr
			}
		}()
	}
	for _, s := range []relSpec{srSpec, pfSpec} {
		pt, ct, err := s.tables(be.core)
		if err != nil {
			return err
		}
		if s.fixtureOK(ctx, conn, pt.Name, ct.Name) {
			continue
		}
		if err := s.build(ctx, conn, d, pt, ct); err != nil {
			return fmt.Errorf("build %s and %s: %w", pt.Name, ct.Name, err)
		}
	}
	return nil
}

// fixtureOK reports whether both tables hold exactly the fixture's rows.
func (s relSpec) fixtureOK(ctx context.Context, conn *sql.Conn, parents, children string) bool {
	rows, err := conn.QueryContext(ctx, "SELECT id, name FROM "+parents+" ORDER BY id")
	if err != nil {
		return false
	}
	n := int64(0)
	for rows.Next() {
		var id int64
		var name string
		if rows.Scan(&id, &name) != nil || id != n+1 || name != parentName(id) {
			break
		}
		n++
	}
	if rows.Close() != nil || rows.Err() != nil || n != int64(s.parents) {
		return false
	}
	if rows, err = conn.QueryContext(ctx, "SELECT id, parent_id, name, score FROM "+children+" ORDER BY id"); err != nil {
		return false
	}
	n = 0
	for rows.Next() {
		var id, pid int64
		var name string
		var score float64
		if rows.Scan(&id, &pid, &name, &score) != nil || s.checkChild(n+1, id, name, score, pid, parentName(pid)) != nil {
			break
		}
		n++
	}
	return rows.Close() == nil && rows.Err() == nil && n == int64(s.children)
}

// build drops and recreates both tables with the orm's DDL and fills them.
func (s relSpec) build(ctx context.Context, conn *sql.Conn, d *core.Dialect, pt, ct *core.Table) error {
	stmts := []string{ct.DropSQL(d, core.IfExists()), pt.DropSQL(d, core.IfExists())}
	for _, t := range []*core.Table{pt, ct} {
		create, err := t.CreateSQL(d, core.DefaultNaming)
		if err != nil {
			return err
		}
		stmts = append(stmts, create...)
	}
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if err := insertRows(ctx, conn, d, pt.Name, []string{"id", "name"}, s.parents, func(id int64) []any {
		return []any{id, parentName(id)}
	}); err != nil {
		return err
	}
	if err := insertRows(ctx, conn, d, ct.Name, []string{"id", "parent_id", "name", "score"}, s.children, func(id int64) []any {
		return []any{id, s.parentOf(id), childName(id), childScore(id)}
	}); err != nil {
		return err
	}
	switch d {
	case core.Postgres:
		_, err := conn.ExecContext(ctx, "VACUUM ANALYZE "+pt.Name+", "+ct.Name)
		return err
	case core.SQLite:
		_, err := conn.ExecContext(ctx, "ANALYZE")
		return err
	}
	return nil
}

// insertRows inserts rows 1 to n of a table, 500 per multi-row INSERT.
func insertRows(ctx context.Context, conn *sql.Conn, d *core.Dialect, table string, cols []string, n int, row func(id int64) []any) error {
	const chunk = 500
	for start := 1; start <= n; start += chunk {
		end := min(start+chunk-1, n)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(cols)*(end-start+1))
		for id := start; id <= end; id++ {
			if id > start {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for i := range cols {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString(d.Placeholder(len(args) + i + 1))
			}
			q.WriteByte(')')
			args = append(args, row(int64(id))...)
		}
		if _, err := conn.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert rows %d-%d into %s: %w", start, end, table, err)
		}
	}
	return nil
}

// relOp reads a relation fixture once and returns how many objects it read;
// with verify it checks every value and link first.
type relOp func(ctx context.Context, verify bool) (int, error)

func runRel(b *testing.B, want int, op relOp) {
	ctx := context.Background()
	n, err := op(ctx, true)
	if err != nil {
		b.Fatalf("verification pass: %v", err)
	}
	if n != want {
		b.Fatalf("verification pass read %d objects, want %d", n, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		n, err := op(ctx, false)
		if err != nil {
			b.Fatal(err)
		}
		if n != want {
			b.Fatalf("read %d objects, want %d", n, want)
		}
	}
}

// relSink keeps the last result alive, as a caller would.
var relSink any

// BenchmarkSelectRelated1k reads the 1,000 children of bench_sr_children,
// ordered by id, each with its parent (100 in all, each one object shared by
// its children), in one JOIN per operation:
//
//	*/pgx-raw, */database-sql-raw  SELECT c.id, c.name, c.score, p.id, p.name FROM children c
//	                               JOIN parents p ON p.id = c.parent_id ORDER BY c.id, into a
//	                               []rawChild whose parents are deduplicated by id in a map
//	*/orm-SelectRelated            orm.Objects[srChild](db).SelectRelated("parent").OrderBy("id")
//	                               .All(ctx)
//
// Before timing, every child and its parent are checked, and that the 100
// parents are 100 objects; each timed operation must return 1,000 children.
func BenchmarkSelectRelated1k(b *testing.B) {
	eachBackend(b, getRelBackend, func(b *testing.B, be *backend, raw string) {
		b.Run(raw, func(b *testing.B) { runRel(b, srSpec.children, rawSelectRelated(rawOf(be))) })
		b.Run("orm-SelectRelated", func(b *testing.B) { runRel(b, srSpec.children, ormSelectRelated(be.core)) })
	})
}

func rawSelectRelated(raw rawDB) relOp {
	const query = "SELECT c.id, c.name, c.score, p.id, p.name FROM bench_sr_children c " +
		"JOIN bench_sr_parents p ON p.id = c.parent_id ORDER BY c.id"
	return func(ctx context.Context, verify bool) (int, error) {
		rows, err := raw.query(ctx, query)
		if err != nil {
			return 0, err
		}
		defer closeRows(rows)
		var out []rawChild
		parents := map[int64]*rawParent{}
		for rows.Next() {
			var c rawChild
			var pid int64
			var pname string
			if err := rows.Scan(&c.ID, &c.Name, &c.Score, &pid, &pname); err != nil {
				return 0, err
			}
			p := parents[pid]
			if p == nil {
				p = &rawParent{ID: pid, Name: pname}
				parents[pid] = p
			}
			c.Parent = p
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if verify {
			for i, c := range out {
				if err := srSpec.checkChild(int64(i+1), c.ID, c.Name, c.Score, c.Parent.ID, c.Parent.Name); err != nil {
					return 0, err
				}
			}
			if len(parents) != srSpec.parents {
				return 0, fmt.Errorf("%d parent objects, want %d", len(parents), srSpec.parents)
			}
		}
		relSink = out
		return len(out), nil
	}
}

func ormSelectRelated(db *core.Database) relOp {
	return func(ctx context.Context, verify bool) (int, error) {
		out, err := orm.Objects[srChild](db).SelectRelated("parent").OrderBy("id").All(ctx)
		if err != nil {
			return 0, err
		}
		if verify {
			seen := map[int64]*srParent{}
			for i, c := range out {
				p := c.Parent
				if p == nil || !orm.IsLoaded(p) {
					return 0, fmt.Errorf("child %d: parent %+v is not loaded", c.ID, p)
				}
				if err := srSpec.checkChild(int64(i+1), c.ID, c.Name, c.Score, p.ID, p.Name); err != nil {
					return 0, err
				}
				if q := seen[p.ID]; q != nil && q != p {
					return 0, fmt.Errorf("parent %d is two objects", p.ID)
				}
				seen[p.ID] = p
			}
			if len(seen) != srSpec.parents {
				return 0, fmt.Errorf("%d parent objects, want %d", len(seen), srSpec.parents)
			}
		}
		relSink = out
		return len(out), nil
	}
}

// BenchmarkPrefetch1kx10 reads the 1,000 parents of bench_pf_parents,
// ordered by id, each with its 10 children (ordered by id, each pointing back
// to its parent), in two queries per operation:
//
//	*/pgx-raw           SELECT id, name FROM parents ORDER BY id, then SELECT id, parent_id,
//	                    name, score FROM children WHERE parent_id = ANY($1) ORDER BY id with
//	                    the parents' ids as one []int64, each child appended to its parent's
//	                    slice (found by id in a map)
//	*/database-sql-raw  the same with WHERE parent_id IN (?, ?, ...) (1,000 parameters)
//	*/orm-PrefetchRelated  orm.Objects[pfParent](db).PrefetchRelated("children").OrderBy("id")
//	                    .All(ctx)
//
// Before timing, every parent and child and the links both ways are
// checked; each timed operation must return 1,000 parents holding 10,000
// children in all.
func BenchmarkPrefetch1kx10(b *testing.B) {
	want := pfSpec.parents + pfSpec.children
	eachBackend(b, getRelBackend, func(b *testing.B, be *backend, raw string) {
		b.Run(raw, func(b *testing.B) { runRel(b, want, rawPrefetch(rawOf(be))) })
		b.Run("orm-PrefetchRelated", func(b *testing.B) { runRel(b, want, ormPrefetch(be.core)) })
	})
}

func rawPrefetch(raw rawDB) relOp {
	return func(ctx context.Context, verify bool) (int, error) {
		rows, err := raw.query(ctx, "SELECT id, name FROM bench_pf_parents ORDER BY id")
		if err != nil {
			return 0, err
		}
		var parents []*rawParent
		for rows.Next() {
			p := &rawParent{}
			if err := rows.Scan(&p.ID, &p.Name); err != nil {
				closeRows(rows)
				return 0, err
			}
			parents = append(parents, p)
		}
		closeRows(rows)
		if err := rows.Err(); err != nil {
			return 0, err
		}
		byID := make(map[int64]*rawParent, len(parents))
		for _, p := range parents {
			byID[p.ID] = p
		}
		const children = "SELECT id, parent_id, name, score FROM bench_pf_children WHERE parent_id "
		if raw.pool != nil {
			ids := make([]int64, len(parents))
			for i, p := range parents {
				ids[i] = p.ID
			}
			rows, err = raw.query(ctx, children+"= ANY($1) ORDER BY id", ids)
		} else {
			ids := make([]any, len(parents))
			for i, p := range parents {
				ids[i] = p.ID
			}
			marks := strings.Repeat("?,", len(ids))
			rows, err = raw.query(ctx, children+"IN ("+marks[:len(marks)-1]+") ORDER BY id", ids...)
		}
		if err != nil {
			return 0, err
		}
		defer closeRows(rows)
		n := len(parents)
		for rows.Next() {
			c := &rawChild{}
			var pid int64
			if err := rows.Scan(&c.ID, &pid, &c.Name, &c.Score); err != nil {
				return 0, err
			}
			p := byID[pid]
			c.Parent = p
			p.Children = append(p.Children, c)
			n++
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if verify {
			for i, p := range parents {
				cs := make([]prefetched, len(p.Children))
				for j, c := range p.Children {
					cs[j] = prefetched{c.ID, c.Name, c.Score, c.Parent == p}
				}
				if err := checkPrefetched(int64(i+1), p.ID, p.Name, cs); err != nil {
					return 0, err
				}
			}
		}
		relSink = parents
		return n, nil
	}
}

func ormPrefetch(db *core.Database) relOp {
	return func(ctx context.Context, verify bool) (int, error) {
		parents, err := orm.Objects[pfParent](db).PrefetchRelated("children").OrderBy("id").All(ctx)
		if err != nil {
			return 0, err
		}
		n := len(parents)
		for i, p := range parents {
			n += len(p.Children)
			if verify {
				cs := make([]prefetched, len(p.Children))
				for j, c := range p.Children {
					cs[j] = prefetched{c.ID, c.Name, c.Score, c.Parent == p}
				}
				if err := checkPrefetched(int64(i+1), p.ID, p.Name, cs); err != nil {
					return 0, err
				}
			}
		}
		relSink = parents
		return n, nil
	}
}

// prefetched is one child as checkPrefetched sees it.
type prefetched struct {
	id      int64
	name    string
	score   float64
	backRef bool // the child points to the parent holding it
}

// checkPrefetched checks the parent with the given id and its children.
func checkPrefetched(id, got int64, name string, children []prefetched) error {
	if got != id || name != parentName(id) {
		return fmt.Errorf("parent %d is (%d, %q)", id, got, name)
	}
	if len(children) != 10 {
		return fmt.Errorf("parent %d has %d children, want 10", id, len(children))
	}
	for j, c := range children {
		cid := (id-1)*10 + int64(j) + 1
		if err := pfSpec.checkChild(cid, c.id, c.name, c.score, id, parentName(id)); err != nil {
			return err
		}
		if !c.backRef {
			return fmt.Errorf("child %d does not point to its parent %d", cid, id)
		}
	}
	return nil
}
