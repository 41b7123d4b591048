package relations

import (
	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Membership returns a condition on h.Table that holds when at least one
// related row satisfies every condition in inner (conditions on h.Target's
// columns, qualified by the target table's name). It is an uncorrelated
// IN subquery, so a row of h.Table matches at most once however many related
// rows match, and Count agrees with the rows returned:
//
//	many-to-one:  table.fk IN (SELECT target.pk FROM target WHERE inner)
//	one-to-many:  table.pk IN (SELECT target.fk FROM target WHERE inner)
//	many-to-many: table.pk IN (SELECT through.here FROM through
//	                           WHERE through.there IN (SELECT target.pk FROM target WHERE inner))
//
// Subqueries nest for longer paths; the innermost table of a name is the one
// a qualified column refers to, so a model related to itself needs no alias.
func Membership(d *core.Dialect, h Hop, inner ...exp.Expression) exp.Expression {
	target := d.Goqu().From(core.TableIdent(h.Target)).Where(inner...)
	local := core.TableIdent(h.Table).Col(h.Column)
	switch h.Kind {
	case ManyToMany:
		pks := target.Select(core.TableIdent(h.Target).Col(h.TargetColumn))
		through := d.Goqu().From(core.TableIdent(h.Through)).
			Select(core.TableIdent(h.Through).Col(h.ThroughColumn)).
			Where(core.TableIdent(h.Through).Col(h.ThroughTarget).In(pks))
		return local.In(through)
	default: // the selected column is the target's key (to-one) or its foreign key (one-to-many)
		return local.In(target.Select(core.TableIdent(h.Target).Col(h.TargetColumn)))
	}
}

// Member is the condition that a row of r.From relates, through r, to at
// least one row satisfying every condition in inner (see Membership). A
// NULL foreign key relates to nothing, so the condition is false there
// (never NULL: Exclude keeps such a row), and a one-to-many ignores the
// related rows whose foreign key is NULL (NOT (pk IN (..., NULL)) would be
// NULL, not true).
func Member(d *core.Dialect, r *Relation, inner ...exp.Expression) exp.Expression {
	if r.Kind == OneToMany {
		inner = append(inner, core.TableIdent(r.To.Table).Col(r.Column).IsNotNull())
	}
	e := Membership(d, r.Hop(), inner...)
	if r.Nullable {
		e = goqu.And(core.TableIdent(r.From.Table).Col(r.Column).IsNotNull(), e)
	}
	return e
}

// NoRelated is the condition that a row of r.From relates to no row through r.
func NoRelated(d *core.Dialect, r *Relation) exp.Expression {
	switch {
	case r.Kind.ToMany():
		return goqu.Func("NOT", Member(d, r))
	case !r.Nullable:
		return goqu.L("(1 = 0)")
	}
	return core.TableIdent(r.From.Table).Col(r.Column).IsNull()
}
