package migrate_test

import (
	"os"
	"testing"

	"github.com/atomdb/atomdb/tests/harness"
)

// TestMain removes the containers the harness started for these tests.
func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
