// compose-check validates a Compose file the way `docker compose config` does, without a Docker engine: it loads
// the file with the Compose Specification's own library (compose-go), which checks it against the compose-spec JSON
// schema, interpolates variables from the environment, normalizes the model and checks its consistency (unknown
// services in depends_on, undeclared volumes, ...). On success it prints the resolved project as JSON on stdout and
// exits 0; on failure it prints one line, "compose-check: <reason>", on stderr and exits 1.
//
// Usage: compose-check FILE [OVERRIDE_FILE...]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: compose-check FILE [OVERRIDE_FILE...]"))
	}
	files := os.Args[1:]
	dir, err := filepath.Abs(filepath.Dir(files[0]))
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}
