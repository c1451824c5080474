package main

import (
	"context"
	"fmt"
	"io"
)

// cmdCompare is a placeholder until the compare command is built (its owner
// replaces this file).
func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare")
	if _, code, ok := parseCommandLine(fs, args, 0, -1, stdout, stderr); !ok {
		return code
	}
	fmt.Fprintln(stderr, "startrend compare: not built yet")
	return exitUsage
}
