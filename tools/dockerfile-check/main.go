// dockerfile-check parses a Dockerfile with BuildKit's own parser, instruction checks and linter (what `docker build`
// runs before building), without a Docker engine. On success it prints the stages as JSON on stdout and exits 0:
// {"args": {"NAME": "default"}, "stages": [{"name", "base", "commands": ["RUN ...", ...]}], "warnings": ["Rule: message"]}.
// On a parse error it prints one line, "dockerfile-check: <reason>", on stderr and exits 1.
//
// Usage: dockerfile-check FILE
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type stage struct {
	Name     string   `json:"name"`
	Base     string   `json:"base"`
	Commands []string `json:"commands"`
}

type report struct {
	Args     map[string]string `json:"args"`
	Stages   []stage           `json:"stages"`
	Warnings []string          `json:"warnings"`
}

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: dockerfile-check FILE"))
	}
	file, err := os.Open(os.Args[1])
	if err != nil {
		fail(err)
	}
	defer file.Close()
	parsed, err := parser.Parse(file)
	if err != nil {
		fail(err)
	}
	out := report{Args: map[string]string{}, Stages: []stage{}, Warnings: []string{}}
	for _, w := range parsed.Warnings {
		out.Warnings = append(out.Warnings, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, message string, _ []parser.Range) {
		out.Warnings = append(out.Warnings, rule+": "+message)
	}})
	stages, metaArgs, err := instructions.Parse(parsed.AST, lint)
	if err != nil {
		fail(err)
	}
	for _, arg := range metaArgs {
		for _, kv := range arg.Args {
			value := ""
			if kv.Value != nil {
				value = *kv.Value
			}
			out.Args[kv.Key] = value
		}
	}
	for _, s := range stages {
		st := stage{Name: s.Name, Base: s.BaseName, Commands: []string{}}
		for _, c := range s.Commands {
			st.Commands = append(st.Commands, fmt.Sprint(c))
		}
		out.Stages = append(out.Stages, st)
	}
	text, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(text))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "dockerfile-check: %v\n", err)
	os.Exit(1)
}
