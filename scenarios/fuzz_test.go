package scenarios

import (
	"errors"
	"testing"
)

// FuzzLoad: the loader never panics, and either returns a scenario that
// validates and re-loads from its own Marshal output, or Errors with
// positions. Seed corpus: testdata/fuzz/FuzzLoad plus small scenarios (the
// library files load in ordinary tests).
//
// Inputs are capped at maxFuzzInput bytes: a load costs about a
// millisecond per few KB, and the fuzzer's minimisation of large inputs
// would otherwise take the whole fuzzing time (17 executions in 60 s).
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(base + "variants:\n  - name: v\n    set: {horizon_days: 20}\n"))
	f.Add([]byte("extends: default.yaml\nname: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		sc, err := LoadBytes("fuzz.yaml", data)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not Errors: %T %v", err, err)
			}
			for _, e := range es {
				if e.File == "" || e.Msg == "" {
					t.Fatalf("error without file or message: %#v", e)
				}
			}
			return
		}
		if err := Validate(sc); err != nil {
			t.Fatalf("loaded scenario does not validate: %v", err)
		}
		out, err := Marshal(sc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LoadBytes("fuzz.yaml", out); err != nil {
			t.Fatalf("resolved YAML does not load: %v\n%s", err, out)
		}
	})
}

// maxFuzzInput bounds the inputs FuzzLoad and FuzzSet try.
const maxFuzzInput = 2048
