package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func writeSynth(t testing.TB, dir string, o synthOpts) string {
	t.Helper()
	out := filepath.Join(dir, "run")
	var warn bytes.Buffer
	err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(o), Version: "test", Warn: &warn}, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteRunDirSmoke(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 1, Variants: 2})
	entries, _ := os.ReadDir(filepath.Join(dir, PlotsDir))
	for _, e := range entries {
		t.Log(e.Name())
	}
	if _, err := ReadRun(dir); err != nil {
		t.Fatal(err)
	}
}
