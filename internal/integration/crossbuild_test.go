package integration

import (
	"os"
	"os/exec"
	"testing"
)

// TestCrossBuild compiles every package, tests included, for the systems
// the tests do not run on: code behind Linux build tags (the header cache's
// getdents/statx scan, flock) has fallbacks there, and this keeps them
// compiling. It runs `go vet`, which type-checks test files too.
func TestCrossBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("short: cross-compiling takes a while")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	for _, target := range []struct{ goos, goarch string }{{"windows", "amd64"}, {"darwin", "arm64"}} {
		t.Run(target.goos, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goTool, "vet", "./...")
			cmd.Dir = "../.."
			cmd.Env = append(os.Environ(), "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s go vet ./...: %v\n%s", target.goos, target.goarch, err, out)
			}
		})
	}
}
