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

// A command's own section (optimize) is inserted right after the noise
// note, so its answer is on the first screen (issue: the optimisation
// section sat at the very bottom). html/template drops comments, so the
// HTML marker is an element.
func TestCommandSectionMarkerAfterNote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r")
	in := RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 3, Reps: 3, Variants: 1}), Warn: io.Discard}
	if err := WriteRunDir(dir, in, false); err != nil {
		t.Fatal(err)
	}
	for file, marker := range map[string]string{"report.html": sectionsMarkerHTML, "report.md": sectionsMarkerMD} {
		b, _ := os.ReadFile(filepath.Join(dir, file))
		s := string(b)
		i, note, verdicts := strings.Index(s, marker), strings.Index(s, "simulation noise only"), strings.Index(s, "Verdicts")
		if i < 0 || !(note < i && i < verdicts) {
			t.Errorf("%s: marker at %d, want between the noise note (%d) and the verdicts (%d)", file, i, note, verdicts)
		}
	}
}
