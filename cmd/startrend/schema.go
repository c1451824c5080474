package main

import (
	"context"
	"fmt"
	"io"

	"github.com/startrend/startrend/scenarios"
)

const schemaHelp = `Schema prints the JSON Schema (draft 2020-12) of the scenario language,
generated from the same Go types the loader uses. Point an editor's YAML
language server at it for completion and checks, e.g. with a first line
  # yaml-language-server: $schema=startrend.schema.json`

func cmdSchema(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("schema")
	if _, code, ok := parseCommandLine(fs, args, 0, 0, stdout, stderr); !ok {
		return code
	}
	data, err := scenarios.JSONSchema()
	if err != nil {
		fmt.Fprintf(stderr, "startrend schema: %v\n", err)
		return exitFailure
	}
	stdout.Write(data)
	return exitOK
}
