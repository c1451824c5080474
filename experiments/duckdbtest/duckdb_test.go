// Package duckdbtest reads a sweep's rows.parquet with DuckDB, an
// independent Parquet reader, and checks its row count and sums against
// rows.csv. It is a module of its own so that the cgo DuckDB library stays
// out of startrend's build; `make test` runs it.
package duckdbtest

import (
	"database/sql"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestDuckDBReadsSweepParquet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	root, _ := filepath.Abs("../..")
	cmd := exec.Command("go", "run", "./cmd/startrend", "sweep", "experiments/testdata/tiny-sweep.yaml", "-o", dir, "--quiet")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sweep: %v\n%s", err, out)
	}
	// The CSV, read in Go: rows, rows with a value, sum of values per metric.
	f, err := os.Open(filepath.Join(dir, "rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	csvSum := map[string]float64{}
	csvN := map[string]int{}
	var csvPointSum int64
	for _, r := range recs[1:] {
		p, _ := strconv.ParseInt(r[col["point"]], 10, 64)
		csvPointSum += p
		if r[col["value"]] == "" {
			continue
		}
		v, err := strconv.ParseFloat(r[col["value"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		key := r[col["variant"]] + "/" + r[col["metric"]]
		csvSum[key] += v
		csvN[key]++
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pq := filepath.Join(dir, "rows.parquet")
	var n, points int64
	if err := db.QueryRow(`SELECT count(*), sum(point) FROM read_parquet(?)`, pq).Scan(&n, &points); err != nil {
		t.Fatal(err)
	}
	if n != int64(len(recs)-1) || points != csvPointSum {
		t.Errorf("parquet: %d rows, sum(point) %d; csv: %d rows, %d", n, points, len(recs)-1, csvPointSum)
	}
	rows, err := db.Query(`SELECT variant || '/' || metric, count(value), sum(value) FROM read_parquet(?) GROUP BY 1 ORDER BY 1`, pq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	groups := 0
	for rows.Next() {
		var key string
		var cnt int
		var sum sql.NullFloat64
		if err := rows.Scan(&key, &cnt, &sum); err != nil {
			t.Fatal(err)
		}
		groups++
		if cnt != csvN[key] || math.Abs(sum.Float64-csvSum[key]) > 1e-9*math.Max(1, math.Abs(csvSum[key])) {
			t.Errorf("%s: parquet %d values summing to %v, csv %d summing to %v", key, cnt, sum.Float64, csvN[key], csvSum[key])
		}
	}
	if groups != len(csvN) || groups == 0 {
		t.Errorf("parquet has %d variant/metric groups, csv %d", groups, len(csvN))
	}
	// The swept columns keep their types: the discount is a DOUBLE, the
	// pacing a string.
	var disc float64
	var pacing string
	if err := db.QueryRow(`SELECT max("campaigns.deal.discount"), max("merchants.shop.budget.pacing") FROM read_parquet(?)`, pq).Scan(&disc, &pacing); err != nil {
		t.Fatal(err)
	}
	if disc != 0.3 || pacing != "front_loaded" {
		t.Errorf("max discount %v, max pacing %q", disc, pacing)
	}
}
