package sqlite_test

import (
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/sqlite"
)

// A catastrophic pattern fails after RegexpTimeout, without quoting the
// row's value; a backreference works.
func TestSQLiteRegexp(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the regexp timeout")
	}
	db, err := core.Open(t.Context(), "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.FetchVal(t.Context(), "SELECT 'abcdbc' REGEXP :p", core.Params{"p": `b(.).*b\1`})
	if err != nil || v != int64(1) {
		t.Errorf("backreference: %v, %v", v, err)
	}
	secret := strings.Repeat("a", 40) + "!"
	_, err = db.FetchVal(t.Context(), "SELECT :s REGEXP :p", core.Params{"s": secret, "p": `^(a+)+$`})
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "no result within") {
		t.Errorf("catastrophic pattern: %v", err)
	}
}
