package main

import (
	"context"
	"fmt"
	"io"
)

const (
	runHelp      = "Run simulates a scenario."
	validateHelp = "Validate checks a scenario."
	schemaHelp   = "Schema prints the JSON Schema."
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "not built yet")
	return exitUsage
}
func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "not built yet")
	return exitUsage
}
func cmdSchema(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "not built yet")
	return exitUsage
}
