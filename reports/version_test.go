package reports

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The build's version goes to run.json and the reports, never to
// summary.json or the CSVs, which stay byte-identical across builds.
func TestVersionOnlyInRunJSONAndReports(t *testing.T) {
	root := t.TempDir()
	write := func(name, version string) string {
		dir := filepath.Join(root, name)
		in := RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 3, Reps: 3, Variants: 1}), Version: version, Warn: io.Discard}
		if err := WriteRunDir(dir, in, false); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b := write("a", "v1.2.3 (go1.26, linux/amd64, rev aaaaaaaaaaaa)"), write("b", "devel (go1.26, linux/amd64, rev bbbbbbbbbbbb)")
	for _, f := range []string{SummaryFile, TimeseriesFile, ReplicationsFile, BreakdownFile, ScenarioFile} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between builds", f)
		}
		if bytes.Contains(x, []byte("aaaaaaaaaaaa")) {
			t.Errorf("%s holds the build's revision", f)
		}
	}
	for _, f := range []string{RunFile, "report.html", "report.md"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(x, []byte("rev aaaaaaaaaaaa")) {
			t.Errorf("%s does not name the build", f)
		}
		if bytes.Contains(x, []byte("startrend startrend")) {
			t.Errorf("%s says \"startrend startrend\"", f)
		}
	}
	html, _ := os.ReadFile(filepath.Join(a, "report.html"))
	if strings.Contains(string(html), ">unknown<") {
		t.Error("report.html shows an unknown version")
	}
}
