package calibrate

import (
	"bytes"
	"strings"
	"testing"
)

// A journal of any bytes loads or fails with a line-numbered error; it
// never panics, and what it loads it serves back.
func FuzzJournalLoad(f *testing.F) {
	f.Add([]byte("{\"rep\":1,\"theta\":[0.5,2],\"out\":[1.25,null]}\n"))
	f.Add([]byte("{\"rep\":1,\"theta\":[1e308],\"out\":[]}\n{\"rep\":"))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte("{\"rep\":-3,\"theta\":[],\"out\":[1]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j := NewJournal(&failAfter{}, nil)
		err := j.Load("runs.jsonl", bytes.NewReader(data))
		if err != nil && !strings.HasPrefix(err.Error(), "runs.jsonl:") {
			t.Fatalf("error without a position: %v", err)
		}
	})
}

func TestJournalRejectsHugeLine(t *testing.T) {
	j := NewJournal(&failAfter{}, nil)
	err := j.Load("runs.jsonl", strings.NewReader("{\"rep\":1,\"theta\":[1],\"out\":[2]}\n"+strings.Repeat("x", 2<<20)+"\n"))
	if err == nil || !strings.Contains(err.Error(), "runs.jsonl:2: line longer") {
		t.Fatalf("got %v", err)
	}
}
