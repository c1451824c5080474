package main

import (
	"context"
	"fmt"
	"io"
)

// cmdOptimize is a placeholder until the optimize command is built (its owner
// replaces this file).
func cmdOptimize(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("optimize")
	if _, code, ok := parseCommandLine(fs, args, 0, -1, stdout, stderr); !ok {
		return code
	}
	fmt.Fprintln(stderr, "startrend optimize: not built yet")
	return exitUsage
}
