package relations

import (
	"strings"

	"github.com/atomdb/atomdb/lookups"
)

// Operators says which names are lookups and transforms; a
// *lookups.Registry is one.
type Operators interface {
	IsLookup(name string) bool
	IsTransform(name string) bool
}

// Path is a resolved `a__b__c`: the relations it crosses and where it ends.
type Path struct {
	// Key is the path as given.
	Key string
	// Names are the parts naming fields and relations.
	Names []string
	// Steps are the relations among Names, in order. When the last name is
	// a relation, it is the last step.
	Steps []*Relation
	// Field is the stored field the last name is: a plain field of the
	// last step's target, or the foreign key of a to-one relation named
	// last. It is nil for a path ending at a one-to-many or many-to-many
	// relation.
	Field *Field
	// Ops are the parts after the names, transforms then a lookup (only
	// when resolved with Operators).
	Ops []string
}

// EndsAtRelation reports whether the last name is a relation.
func (p *Path) EndsAtRelation() bool {
	return len(p.Steps) > 0 && len(p.Steps) == len(p.Names)
}

// FieldSteps are the relations leading to the table that holds Field: all
// of Steps for a plain field, all but the last for a foreign key named last.
func (p *Path) FieldSteps() []*Relation {
	if p.EndsAtRelation() {
		return p.Steps[:len(p.Steps)-1]
	}
	return p.Steps
}

// Last is the model the path ends in: the target of its last relation, or
// the model it started from.
func (p *Path) Last(start *Model) *Model {
	if len(p.Steps) == 0 {
		return start
	}
	return p.Steps[len(p.Steps)-1].To
}

// ToOne reports whether every relation of the path is to-one, so that
// joining them never repeats a row.
func (p *Path) ToOne() bool {
	for _, r := range p.Steps {
		if r.Kind.ToMany() {
			return false
		}
	}
	return true
}

// Resolve is the one resolver of `a__b__c` paths, for every use: filters,
// orderings, values, SelectRelated and PrefetchRelated. The first part is a
// field or relation of m. After a relation, a part is a field (or relation)
// of the related model when that model has one by that name, and a
// transform or lookup of ops only otherwise: with Season having fields year
// and gt, "season__gt" is Season.gt, "season__year__gt" is Season.year > ...
// and "season__gt__in" is Season.gt IN (...). After a plain field every part
// is a transform, the last may be a lookup. Without ops (nil) every part
// must be a name.
//
// An unknown name is a *lookups.Error (lookups.ErrUnknownField) naming the
// model that lacks it; a misplaced operator one with lookups.ErrUnknownLookup.
func Resolve(m *Model, key string, ops Operators) (*Path, error) {
	parts := strings.Split(key, "__")
	p := &Path{Key: key}
	at := m
	i := 0
	for ; i < len(parts); i++ {
		name := parts[i]
		if i > 0 && ops != nil && !at.Has(name) && (ops.IsLookup(name) || ops.IsTransform(name)) {
			break // after a relation: an operator on its foreign key
		}
		if !at.Has(name) {
			return nil, lookups.UnknownField(at.Name, key, name)
		}
		p.Names = append(p.Names, name)
		r := at.Relation(name)
		if r == nil {
			p.Field = at.Field(name)
			i++
			break
		}
		p.Steps = append(p.Steps, r)
		p.Field = at.Field(name) // a to-one relation's foreign key; nil for a list
		at = r.To
	}
	rest := parts[i:]
	if len(rest) > 0 && ops == nil {
		return nil, lookups.UnknownField(at.Name, key, rest[0]) // a plain field has no fields
	}
	for j, op := range rest {
		last := j == len(rest)-1
		switch {
		case ops.IsTransform(op):
		case ops.IsLookup(op) && last:
		case ops.IsLookup(op):
			err := lookups.UnknownLookup(m.Name, key, op).(*lookups.Error)
			err.Detail = "a lookup must be the last part of the key"
			return nil, err
		default:
			return nil, lookups.UnknownLookup(m.Name, key, op)
		}
	}
	p.Ops = rest
	return p, nil
}
