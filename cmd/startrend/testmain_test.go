package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary act as startrend itself when
// STARTREND_AS_MAIN=1 (the sweep tests run it as a child process), and
// removes the binary the crash campaign built.
func TestMain(m *testing.M) {
	if os.Getenv("STARTREND_AS_MAIN") == "1" {
		os.Exit(mainWithSignals(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
