package harness

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// Main runs the tests of a package that uses the harness and then removes
// the containers the harness started for them. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
//
// An interrupt (SIGINT, SIGTERM) removes them too before the process exits.
// A failure to remove a container fails the run.
func Main(m *testing.M) int {
	mainActive.Store(true)
	defer mainActive.Store(false)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "atomdb tests: %v: removing containers\n", s)
			if err := purgeAll(); err != nil {
				fmt.Fprintf(os.Stderr, "atomdb tests: %v\n", err)
			}
			os.Exit(2)
		case <-done:
		}
	}()

	code := m.Run()
	signal.Stop(sig)
	if err := purgeAll(); err != nil {
		fmt.Fprintf(os.Stderr, "atomdb tests: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
