package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const versionHelp = `Version prints the module version of startrend, the Go version it was built
with, and the version-control revision when the build recorded one.`

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version")
	if _, code, ok := parseCommandLine(fs, args, 0, 0, stdout, stderr); !ok {
		return code
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}

// versionString is "startrend VERSION (go1.x, linux/amd64[, rev abc123[+dirty], TIME])".
func versionString() string { return "startrend " + buildVersion() }

// buildVersion is "VERSION (go1.x, linux/amd64[, rev abc123[+dirty], TIME])",
// VERSION being the module version or "devel" for a build from a checkout.
func buildVersion() string {
	version, vcs := "devel", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		var rev, at, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			vcs = ", rev " + rev + dirty
			if at != "" {
				vcs += ", " + at
			}
		}
	}
	return fmt.Sprintf("%s (%s, %s/%s%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, vcs)
}
