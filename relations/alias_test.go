package relations

import (
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

// Aliases of long paths fit every dialect's identifier limit and stay
// distinct; a path that is the base table's name gets another alias.
func TestAliasesFit(t *testing.T) {
	a := NewAliases("album")
	long := strings.Repeat("relation_", 5)
	x, isNew := a.For([]string{long, long + "x"})
	y, _ := a.For([]string{long, long + "y"})
	if !isNew || x == y || len(x) > core.MaxIdentifierLength || len(y) > core.MaxIdentifierLength {
		t.Errorf("aliases %q (%d bytes) and %q (%d bytes)", x, len(x), y, len(y))
	}
	if again, isNew := a.For([]string{long, long + "x"}); again != x || isNew {
		t.Errorf("the same path gave %q, %v", again, isNew)
	}
	if s, _ := a.For([]string{"album"}); s != "album_" {
		t.Errorf("the base table's name as a path: alias %q, want album_", s)
	}
	if s, _ := a.For([]string{"artist"}); s != "artist" {
		t.Errorf("a short path: alias %q", s)
	}
}
