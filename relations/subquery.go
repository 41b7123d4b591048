package relations

import (
	"github.com/atomdb/atomdb/core"
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
