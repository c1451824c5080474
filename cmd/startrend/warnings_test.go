package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWarningsWired: validate and run print a field that cannot act (an
// eligible merchant without the campaign fee in its budget) on stderr with
// its position, without failing; run lists it in summary.json and the
// reports; a block run does not read (sweep:) is reported too.
func TestWarningsWired(t *testing.T) {
	const want = "warning: campaigns.super_value.eligible.merchants: merchant glow_beauty cannot afford the fee"
	sets := []string{"--set", "merchants.glow_beauty.budget.campaigns=0", "--set", "sweep.parameters=[{path: seed, values: [1, 2]}]"}
	code, out, errOut := run(t, append([]string{"validate"}, sets...)...)
	if code != 0 || !strings.HasPrefix(out, "ok: default") || !strings.Contains(out, "warnings") {
		t.Fatalf("validate: %d %q", code, out)
	}
	for _, w := range []string{want, "warning: sweep: read only by a sweep"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("validate stderr lacks %q:\n%s", w, errOut)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	args := append([]string{"run", "--quiet", "-o", dir, "--reps", "2", "--set", "population.users=1000", "--set", "horizon_days=40"}, sets...)
	code, _, errOut = run(t, args...)
	if code != 0 || !strings.Contains(errOut, want) {
		t.Fatalf("run: %d, stderr:\n%s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Warnings []struct{ Path, Message, Position string }
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range s.Warnings {
		if w.Path == "campaigns.super_value.eligible.merchants" && strings.Contains(w.Message, "glow_beauty") && w.Position != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("summary.json warnings lack the campaign warning: %+v", s.Warnings)
	}
	for _, f := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		// report.md escapes Markdown in names: glow\_beauty.
		text := strings.ReplaceAll(string(b), `\_`, "_")
		if !strings.Contains(text, "Warnings") || !strings.Contains(text, "glow_beauty cannot afford") {
			t.Errorf("%s has no warnings section", f)
		}
	}
}
