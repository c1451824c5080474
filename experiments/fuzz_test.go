package experiments

import (
	"bytes"
	"io"
	"testing"
)

// FuzzJournals feeds arbitrary bytes to the journal readers a resume and
// a merge use: they must return records or an error, never panic or loop.
func FuzzJournals(f *testing.F) {
	f.Add([]byte(appendRecord(nil, "P", "0", "0.5", "1")), 2)
	f.Add(append(appendRecord(appendRecord(nil, "P", "0", "0.5", "1"), "B", "0", "0", "0", "1", "0", "3", "new"), "R\t1\t"...), 2)
	f.Add(appendRecord(appendRecord(nil, "Q", "0"), "B", "0", "0", "-1", "1", "3", "2", "again"), 1)
	f.Add([]byte("P\t0\t1\t00000000\n\n\t\t\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, dims int) {
		if dims < 1 || dims > 8 {
			dims = 1
		}
		readPoints("points.journal", bytes.NewReader(data), dims)
		jr := newJournalReader("runs.journal", bytes.NewReader(data))
		for i := 0; i < len(data)+2; i++ {
			if _, err := jr.next(); err != nil {
				if err != io.EOF && jr.torn {
					t.Fatalf("a torn tail must end with io.EOF, got %v", err)
				}
				return
			}
		}
		t.Fatal("the reader did not end")
	})
}
