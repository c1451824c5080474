package scenarios

import (
	"errors"
	"testing"
)

// FuzzLoad: the loader never panics, and either returns a scenario that
// validates and re-loads from its own Marshal output, or Errors with
// positions. Seed corpus: testdata/fuzz/FuzzLoad plus the library.
func FuzzLoad(f *testing.F) {
	for _, n := range Library() {
		data, _ := library.ReadFile(n)
		f.Add(data)
	}
	f.Add([]byte(base))
	f.Fuzz(func(t *testing.T, data []byte) {
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
