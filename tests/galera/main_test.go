// Package galera_test runs atomdb against a 3-node MariaDB Galera cluster
// that the harness starts in containers (scripts/images.sh builds the
// image): certification conflicts retried by Transaction, a node stopped
// mid-run, causal reads with wsrep_sync_wait, and tables that Galera
// accepts (each with a primary key). Without Docker or the image the tests
// skip with the reason, unless ATOMDB_TEST_REQUIRE names docker (CI).
package galera_test

import (
	"os"
	"testing"

	"github.com/atomdb/atomdb/tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
