package reports

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDirFiles are the files of a run directory that compare reads.
var runDirFiles = []string{RunFile, ScenarioFile, SummaryFile, TimeseriesFile, ReplicationsFile, BreakdownFile}

// FuzzReadRun: a run directory whose one file is replaced by arbitrary
// bytes (what a user may hand `compare` as a baseline) is read without a
// panic; a refusal names the directory or the file; and a directory that
// reads is compared with the intact one without a panic.
func FuzzReadRun(f *testing.F) {
	base := filepath.Join(f.TempDir(), "base")
	if err := WriteRunDir(base, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 1, Variants: 2}), Version: "test", Warn: io.Discard}, false); err != nil {
		f.Fatal(err)
	}
	orig := map[string][]byte{}
	for i, name := range runDirFiles {
		b, err := os.ReadFile(filepath.Join(base, name))
		if err != nil {
			f.Fatal(err)
		}
		orig[name] = b
		f.Add(uint8(i), b)
		f.Add(uint8(i), b[:len(b)/2])
		f.Add(uint8(i), []byte{})
	}
	f.Add(uint8(2), []byte(`{"replications": 100000, "variants": [{"name": "x"}]}`))
	f.Add(uint8(4), []byte("variant,replication,metric,value\nbaseline,99999,gmv,1\n"))
	f.Add(uint8(3), []byte("variant,day,series,mean,ci95_lo,ci95_hi\nbaseline,1,gmv,NaN,1e999,-1\n"))
	baseRun, err := ReadRun(base)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := runDirFiles[int(which)%len(runDirFiles)]
		dir := filepath.Join(t.TempDir(), "cand")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for n, b := range orig {
			if n == name {
				b = data
			}
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run, err := ReadRun(dir)
		if err != nil {
			if !strings.Contains(err.Error(), dir) && !strings.Contains(err.Error(), name) {
				t.Fatalf("replacing %s: the error names neither the directory nor the file: %v", name, err)
			}
			return
		}
		_, _ = Compare(baseRun, run, nil)
	})
}
