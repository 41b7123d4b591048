package tests

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/doug-martin/goqu/v9"
)

// An abstract base contributes its fields; it is no model by itself.
type Auditable struct {
	CreatedBy string    `db:"created_by" orm:"size=40"`
	At        time.Time `db:"at"`
}

func (Auditable) Meta() orm.Meta { return orm.Meta{Abstract: true} }

// Point is stored through its own sql.Scanner and driver.Valuer, as "x,y".
type Point struct{ X, Y int }

func (p Point) Value() (driver.Value, error) { return fmt.Sprintf("%d,%d", p.X, p.Y), nil }

func (p *Point) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("Point: cannot scan %T", src)
	}
	_, err := fmt.Sscanf(s, "%d,%d", &p.X, &p.Y)
	return err
}

type Visit struct {
	Auditable
	ID    int64  `db:"id"`
	Where Point  `db:"where" orm:"type=string,size=30"`
	Note  string `db:"note" orm:"size=40"`
}

func (Visit) Meta() orm.Meta {
	return orm.Meta{Table: "visits", Indexes: []orm.Index{{Fields: []string{"created_by", "at"}}},
		Constraints: []orm.Check{{Name: "note_not_empty", Expr: "note <> ''"}}}
}

func TestORMModelsAndExtras(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		visits := orm.Objects[Visit](db)
		jan := time.Date(2023, 1, 15, 10, 30, 0, 0, time.UTC)
		jul := time.Date(2024, 7, 4, 23, 15, 0, 0, time.UTC)
		for i, at := range []time.Time{jan, jul} {
			if _, err := visits.Create(ctx, &Visit{Auditable: Auditable{CreatedBy: "ann", At: at}, Where: Point{i, -i}, Note: "n"}); err != nil {
				t.Fatal(err)
			}
		}
		// The check constraint from Meta is in the table.
		if _, err := visits.Create(ctx, &Visit{Note: ""}); !errors.Is(err, core.ErrCheckViolation) {
			t.Errorf("empty note = %v, want a check violation", err)
		}
		v, err := visits.Get(ctx, lookups.Q{"at__year": 2024, "at__month": 7, "created_by": "ann"})
		if err != nil || v.Where != (Point{1, -1}) || !v.At.Equal(jul) {
			t.Fatalf("Get by year/month = %+v, %v", v, err)
		}
		if n, err := visits.Filter(lookups.Q{"at__year__gte": 2024}).Count(ctx); err != nil || n != 1 {
			t.Errorf("year__gte = %d, %v", n, err)
		}
		if n, err := visits.Filter(lookups.Q{"where": Point{0, 0}}).Count(ctx); err != nil || n != 1 {
			t.Errorf("filter by a Valuer = %d, %v", n, err)
		}
		// A goqu expression goes straight into Filter and Exclude.
		n, err := visits.Filter(goqu.C("note").Eq("n"), lookups.Q{"at__lt": jul}).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("goqu expression in Filter = %d, %v", n, err)
		}
		n, err = visits.Exclude(goqu.L("? > ?", goqu.C("at"), jan)).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("goqu expression in Exclude = %d, %v", n, err)
		}
		// ForUpdate inside a transaction.
		err = db.Transaction(ctx, func(ctx context.Context) error {
			locked, err := visits.Filter(lookups.Q{"at": jan}).ForUpdate().Get(ctx)
			if err != nil {
				return err
			}
			locked.Note = "locked"
			return visits.Save(ctx, locked)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := visits.Filter(lookups.Q{"note": "locked"}).Count(ctx); n != 1 {
			t.Error("the update under FOR UPDATE was lost")
		}
		// The registry's metadata holds the tables of its models.
		reg := orm.NewRegistry()
		if err := reg.Register(Visit{}, &Song{}); err != nil {
			t.Fatal(err)
		}
		md, err := reg.MetaData()
		if err != nil || md.Table("visits") == nil || md.Table("songs") == nil || len(md.Tables()) != 2 {
			t.Fatalf("MetaData = %v, %v", md, err)
		}
		stmts, err := md.CreateSQL(db.Dialect())
		if err != nil || !strings.Contains(strings.Join(stmts, ";"), "ix_visits_created_by_at") {
			t.Errorf("CreateSQL = %q, %v", stmts, err)
		}
		if err := visits.DropTable(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := visits.Count(ctx); err == nil {
			t.Error("Count after DropTable succeeded")
		}
		if _, err := orm.Objects[Auditable](db).Count(ctx); !errors.Is(err, orm.ErrInvalidModel) {
			t.Errorf("an abstract base used as a model = %v", err)
		}
	}, Visit{})
}
