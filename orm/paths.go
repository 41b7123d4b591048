package orm

import (
	"errors"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/relations"
)

// resolvePath resolves a field or relation path of the query's model with
// the relation layer's resolver (no lookups); method names the caller in
// the error.
func (qs *QuerySet[T]) resolvePath(method, key string) (*relations.Path, error) {
	if qs.info == nil {
		return nil, qs.err
	}
	p, err := relations.Resolve(qs.info.rm, key, nil)
	if err != nil {
		var le *lookups.Error
		if errors.As(err, &le) {
			return nil, qs.errorf(ErrBadValue, "%s(%q): %q is not a field or relation of %s", method, key, le.Name, le.Model)
		}
		return nil, qs.wrap(err)
	}
	return p, nil
}
