package experiments

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/startrend/startrend/internal/safeio"
)

// Merge combines finished shard stores — shards 0 … n−1 of one store,
// each exactly once — into a new whole store in out (which must not exist
// or be empty) and finalises it: its files are the bytes one process
// running every run would have written. A missing, duplicated,
// unfinished or mismatched shard (another scenario, design or shard
// count), and a run found in the wrong shard, is an error naming the
// directory.
func Merge(out string, dirs []string) error {
	if len(dirs) == 0 {
		return fmt.Errorf("merge: no shard directories given")
	}
	type shardDir struct {
		dir string
		m   *manifest
		sh  Shard
	}
	var first *shardDir
	byIndex := map[int]*shardDir{}
	n := 0
	for _, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			return fmt.Errorf("merge: %v", err)
		}
		sh, err := ParseShard(m.Shard)
		if err != nil {
			return fmt.Errorf("merge: %s: %v", d, err)
		}
		sd := &shardDir{dir: d, m: m, sh: sh}
		if m.State != "complete" {
			return fmt.Errorf("merge: %s: shard %s is not finished (run it again with --resume)", d, sh)
		}
		if first == nil {
			first, n = sd, max(1, sh.Count)
		} else {
			cur := *m
			cur.Shard = first.m.Shard
			if err := sameStore(&cur, first.m); err != nil {
				return fmt.Errorf("merge: %s does not belong with %s: %v", d, first.dir, err)
			}
			if max(1, sh.Count) != n {
				return fmt.Errorf("merge: %s is shard %s but %s is shard %s: shards of one split must have the same count", d, sh, first.dir, first.sh)
			}
		}
		if o, dup := byIndex[sh.Index]; dup {
			return fmt.Errorf("merge: %s and %s are both shard %s (duplicated shard)", o.dir, d, sh)
		}
		byIndex[sh.Index] = sd
	}
	var missing []string
	for i := 0; i < n; i++ {
		if byIndex[i] == nil {
			missing = append(missing, Shard{Index: i, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("merge: missing shard %s (%d of %d given)", strings.Join(missing, ", "), len(byIndex), n)
	}
	ordered := make([]string, n)
	for i := range ordered {
		ordered[i] = byIndex[i].dir
	}
	design, err := sameDesign(ordered)
	if err != nil {
		return err
	}
	spec := first.m.Spec
	s, err := Open(out, spec, Options{})
	if err != nil {
		return fmt.Errorf("merge: %v", err)
	}
	defer s.Close()
	batches, points, _, torn, err := readPoints(FilePoints, bytes.NewReader(design), len(spec.Columns))
	if err != nil || torn {
		if err == nil {
			err = fmt.Errorf("%s: unfinished batch", FilePoints)
		}
		return fmt.Errorf("merge: %s: %v", byIndex[0].dir, err)
	}
	if _, err := s.pts.Write(design); err != nil {
		return err
	}
	s.batches, s.points, s.next = batches, points, len(batches)
	for _, b := range batches {
		s.nruns = b.FirstRun + uint64(b.Runs)
	}
	s.done = make([]int64, s.nruns)
	// Runs: run id belongs to shard id mod n; each shard's journal is in
	// run_id order, so the merged journal takes them round-robin.
	readers := make([]*journalReader, n)
	for i := 0; i < n; i++ {
		f, err := safeio.Open(filepath.Join(byIndex[i].dir, FileRuns), 0, "run journal")
		if err != nil {
			return fmt.Errorf("merge: %v", err)
		}
		defer f.Close()
		readers[i] = newJournalReader(filepath.Join(byIndex[i].dir, FileRuns), f)
	}
	w := bufio.NewWriterSize(s.runs, 1<<16)
	var off int64
	line := make([]byte, 0, 4096)
	for id := uint64(0); id < s.nruns; id++ {
		i := int(id % uint64(n))
		jr := readers[i]
		rec, err := jr.next()
		if err == io.EOF {
			return fmt.Errorf("merge: %s ends before run %d (a shard missing runs)", jr.name, id)
		}
		if err != nil {
			return fmt.Errorf("merge: %v", err)
		}
		got, ok := int64(-1), len(rec.fields) > 1
		if ok {
			got, ok = atoi(rec.fields[1])
		}
		if !ok || uint64(got) != id {
			return fmt.Errorf("merge: %s:%d: run %s where run %d of shard %s was expected (overlapping or mismatched shards)", jr.name, rec.line, strconv.Quote(string(rec.fields[min(1, len(rec.fields)-1)])), id, Shard{Index: i, Count: n})
		}
		if _, err := s.checkRun(jr, rec); err != nil {
			return fmt.Errorf("merge: %v", err)
		}
		line = appendRecord(line[:0], bytesToStrings(rec.fields)...)
		w.Write(line)
		s.done[id] = off + 1
		off += int64(len(line))
	}
	for i, jr := range readers {
		if rec, err := jr.next(); err != io.EOF {
			if err != nil {
				return fmt.Errorf("merge: %v", err)
			}
			return fmt.Errorf("merge: %s:%d: more runs than shard %s has (overlapping or mismatched shards)", jr.name, rec.line, Shard{Index: i, Count: n})
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	s.runsSize = off
	return s.Finalize()
}

func bytesToStrings(fs [][]byte) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// ShardDirs returns the directories among dirs sorted by shard index (for
// messages and for tools that list a split).
func ShardDirs(dirs []string) []string {
	out := append([]string(nil), dirs...)
	idx := func(d string) int {
		m, err := readManifest(d)
		if err != nil {
			return -1
		}
		sh, _ := ParseShard(m.Shard)
		return sh.Index
	}
	sort.SliceStable(out, func(a, b int) bool { return idx(out[a]) < idx(out[b]) })
	return out
}

// sameDesign reads the first directory's points journal (with its limit)
// and checks that every other one has the same bytes, hashing them as a
// stream.
func sameDesign(dirs []string) ([]byte, error) {
	var design []byte
	var sum [32]byte
	for i, dir := range dirs {
		path := filepath.Join(dir, FilePoints)
		var h [32]byte
		if i == 0 {
			b, err := safeio.ReadRegular(path, safeio.StoreFileLimit, "points journal")
			if err != nil {
				return nil, fmt.Errorf("merge: %v", err)
			}
			design, sum = b, sha256.Sum256(b)
			continue
		}
		f, err := safeio.Open(path, safeio.StoreFileLimit, "points journal")
		if err != nil {
			return nil, fmt.Errorf("merge: %v", err)
		}
		sh := sha256.New()
		_, err = io.Copy(sh, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %v", path, err)
		}
		if sh.Sum(h[:0]); h != sum {
			return nil, fmt.Errorf("merge: %s has other batches or points than %s (a different design)", dir, dirs[0])
		}
	}
	return design, nil
}
