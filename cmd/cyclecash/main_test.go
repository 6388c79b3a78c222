package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary double as the cyclecash binary: scripts
// run it as "cyclecash", and multi-process tests exec it with asCLI set.
func TestMain(m *testing.M) {
	switch os.Getenv(asCLI) {
	case "1":
		main()
		return
	case "idle": // the RSS baseline: this binary doing nothing
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		fmt.Println("api none")
		<-ctx.Done()
		stop()
		return
	}
	testscript.Main(m, map[string]func(){"cyclecash": main})
}

const asCLI = "CYCLECASH_TEST_AS_CLI"

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Condition: func(cond string) (bool, error) {
		if cond == "root" {
			return os.Geteuid() == 0, nil
		}
		return false, fmt.Errorf("unknown condition %q", cond)
	}})
}
