package relations

import (
	"strings"

	"github.com/atomdb/atomdb/core"
)

// Aliases names the tables a query joins: one alias per relation path
// ("album", "album__artist"), so that two relations to the same table (or a
// table joined to itself) get tables of their own, and a path asked for
// twice, or as the prefix of a longer one, is joined once.
type Aliases struct {
	base  string
	names map[string]string
	order []string
}

// NewAliases starts naming the joins of a query whose main table is base.
func NewAliases(base string) *Aliases {
	return &Aliases{base: base, names: map[string]string{}}
}

// For returns the alias of path (its parts joined by "__", shortened by
// core.Label when too long for a dialect) and whether it is new, that is,
// whether the caller must add its join.
func (a *Aliases) For(path []string) (string, bool) {
	key := strings.Join(path, "__")
	if alias, ok := a.names[key]; ok {
		return alias, false
	}
	alias, name := core.Label(key), key
	for alias == a.base || a.taken(alias) {
		name += "_"
		alias = core.Label(name)
	}
	a.names[key] = alias
	a.order = append(a.order, key)
	return alias, true
}

func (a *Aliases) taken(alias string) bool {
	for _, v := range a.names {
		if v == alias {
			return true
		}
	}
	return false
}

// Paths returns the paths named so far, in the order they were first asked for.
func (a *Aliases) Paths() []string { return a.order }
