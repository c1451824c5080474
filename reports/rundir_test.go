package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
)

func writeSynth(t testing.TB, dir string, o synthOpts) string {
	t.Helper()
	out := filepath.Join(dir, "run")
	err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(o), Version: "test", Warn: io.Discard}, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteRunDirFiles(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 1, Variants: 2})
	for _, f := range []string{ScenarioFile, SummaryFile, TimeseriesFile, ReplicationsFile, BreakdownFile, RunFile, ReportHTMLFile, ReportMDFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	for _, stem := range []string{"kpi_gmv", "kpi_orders", "kpi_new_customers", "funnel_stocks", "funnel_conversion",
		"breakdown_type_format_gmv", "breakdown_type_format_roi", "breakdown_fact_channel_gmv", "breakdown_fact_channel_roi",
		"creator_income", "trend_mint_manbo_adoption", "trend_mint_manbo_submissions", "trend_mint_manbo_plays",
		"campaign_super_value_gmv", "diff_1_variant-1", "diff_2_variant-2"} {
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(filepath.Join(dir, PlotsDir, stem+ext)); err != nil || st.Size() == 0 {
				t.Errorf("missing plot %s%s", stem, ext)
			}
		}
	}
	run, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !run.Meta.Complete || run.Meta.Workers != 2 {
		t.Errorf("run.json: %+v", run.Meta)
	}
	if got := len(run.Replications["variant-2"]["gmv"]); got != 10 {
		t.Errorf("replications of variant-2 gmv: %d", got)
	}
	// No leftovers of the atomic write.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries, want only the run", len(entries))
	}
}

// Identical runs give byte-identical files, run.json excepted.
func TestDeterministic(t *testing.T) {
	a := writeSynth(t, t.TempDir(), synthOpts{Seed: 7, Variants: 2, Chinese: true})
	b := writeSynth(t, t.TempDir(), synthOpts{Seed: 7, Variants: 2, Chinese: true})
	n := 0
	filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		if rel == RunFile {
			return nil
		}
		x, _ := os.ReadFile(path)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between identical runs", rel)
		}
		n++
		return nil
	})
	if n < 30 {
		t.Errorf("compared only %d files", n)
	}
}

// Undefined ratios are null with a reason; no file holds NaN or Inf.
func TestUndefinedRatio(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 3, Variants: 1, ZeroDen: true})
	run, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	roi := run.Summary.KPIs["roi"]
	if roi.Mean.Defined() || roi.N != 0 || roi.Reason != "spend is zero in every replication" {
		t.Errorf("roi = %+v", roi)
	}
	b, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if !strings.Contains(string(b), `"reason": "spend is zero in every replication"`) {
		t.Error("summary.json lacks the reason")
	}
	bad := regexp.MustCompile(`(?i)\bnan\b|\binf\b`)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".png") {
			return err
		}
		x, _ := os.ReadFile(path)
		if m := bad.Find(x); m != nil {
			t.Errorf("%s contains %q", path, m)
		}
		return nil
	})
	reps, _ := os.ReadFile(filepath.Join(dir, ReplicationsFile))
	if !strings.Contains(string(reps), "baseline,0,roi,\n") {
		t.Error("replications.csv: undefined roi should be an empty value")
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if !strings.Contains(string(md), "n/a (spend is zero in every replication)") {
		t.Error("report.md does not say why ROI is undefined")
	}
}

func TestOverwriteRules(t *testing.T) {
	root := t.TempDir()
	in := RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 1, Reps: 3, Days: 10}), Warn: io.Discard}
	run := filepath.Join(root, "run")
	if err := WriteRunDir(run, in, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteRunDir(run, in, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwrite without force: %v", err)
	}
	if err := WriteRunDir(run, in, true); err != nil {
		t.Errorf("overwrite with force: %v", err)
	}
	other := filepath.Join(root, "home")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("precious"), 0o644)
	if err := WriteRunDir(other, in, true); err == nil {
		t.Error("a non-empty directory that is not a run was overwritten")
	}
	if b, _ := os.ReadFile(filepath.Join(other, "thesis.tex")); string(b) != "precious" {
		t.Error("precious file damaged")
	}
	empty := filepath.Join(root, "empty")
	os.MkdirAll(empty, 0o755)
	if err := WriteRunDir(empty, in, false); err != nil {
		t.Errorf("empty dir: %v", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 3 {
		t.Errorf("leftovers in %s: %d entries", root, len(entries))
	}
}

func TestReadRunUnfinished(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 1, Reps: 3, Days: 10})
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"complete": false}`), 0o644)
	_, err := ReadRun(dir)
	if !errors.Is(err, ErrNotFinished) || !strings.Contains(err.Error(), dir+" is not a finished run (run.json missing/incomplete)") {
		t.Errorf("incomplete: %v", err)
	}
	os.Remove(filepath.Join(dir, RunFile))
	if _, err := ReadRun(dir); !errors.Is(err, ErrNotFinished) {
		t.Errorf("missing run.json: %v", err)
	}
	if _, err := ReadRun(filepath.Join(dir, "nope")); err == nil {
		t.Error("no error for a missing directory")
	}
}

// The numbers in report.html and report.md are those of summary.json.
func TestReportNumbersMatchSummary(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 11, Variants: 2})
	run, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	html, _ := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	cell := regexp.MustCompile(`<tr data-kpi="([a-z_]+)">(.*)</tr>`)
	attrs := regexp.MustCompile(`data-variant="([^"]+)" data-mean="([^"]*)" data-lo="([^"]*)" data-hi="([^"]*)"`)
	checked := 0
	for _, m := range cell.FindAllStringSubmatch(string(html), -1) {
		for _, a := range attrs.FindAllStringSubmatch(m[2], -1) {
			k := s.variantKPIs(a[1])[m[1]]
			for i, want := range []Num{k.Mean, k.CI95[0], k.CI95[1]} {
				got, _ := parseFloat(a[2+i])
				if got != float64(want) && !(math.IsNaN(got) && !want.Defined()) {
					t.Errorf("html %s/%s field %d: %v, summary %v", a[1], m[1], i, got, float64(want))
				}
				checked++
			}
		}
	}
	if checked != 3*len(s.Metrics)*3 {
		t.Errorf("checked %d html numbers", checked)
	}
	// Paired differences in the HTML.
	diffRe := regexp.MustCompile(`<table class="diffs" data-variant="([^"]+)">(?s:(.*?))</table>`)
	rowRe := regexp.MustCompile(`data-kpi="([a-z_]+)" data-diff="([^"]*)" data-lo="([^"]*)" data-hi="([^"]*)" data-pct="([^"]*)"`)
	nd := 0
	for _, tbl := range diffRe.FindAllStringSubmatch(string(html), -1) {
		var vs *VariantSummary
		for i := range s.Variants {
			if s.Variants[i].Name == tbl[1] {
				vs = &s.Variants[i]
			}
		}
		for _, r := range rowRe.FindAllStringSubmatch(tbl[2], -1) {
			df := vs.VsBaseline[r[1]]
			for i, want := range []Num{df.Diff.Mean, df.Diff.CI95[0], df.Diff.CI95[1], df.Pct.Mean} {
				if got, _ := parseFloat(r[2+i]); got != float64(want) {
					t.Errorf("html diff %s/%s field %d: %v, summary %v", tbl[1], r[1], i, got, float64(want))
				}
				nd++
			}
		}
	}
	if nd != 4*len(s.Metrics)*2 {
		t.Errorf("checked %d html differences", nd)
	}
	// Markdown KPI table: every "mean [lo, hi]" cell agrees with summary.json
	// to its 4 significant digits.
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	num := `(-?[0-9,]+(?:\.[0-9]+)?)`
	ci := regexp.MustCompile(num + ` \[` + num + `, ` + num + `\]`)
	names := s.VariantNames()
	nm := 0
	for _, m := range s.Metrics {
		prefix := "| " + m.Label + " | " + m.Unit + " |"
		var line string
		for _, l := range strings.Split(string(md), "\n") {
			if strings.HasPrefix(l, prefix) {
				line = l
				break
			}
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, prefix), "|"), "|")
		if len(cells) != len(names) {
			t.Fatalf("md row %q: %d cells", line, len(cells))
		}
		for vi, c := range cells {
			k := s.variantKPIs(names[vi])[m.Name]
			g := ci.FindStringSubmatch(c)
			if g == nil {
				t.Errorf("md cell %q", c)
				continue
			}
			for i, want := range []Num{k.Mean, k.CI95[0], k.CI95[1]} {
				got, _ := strconv.ParseFloat(strings.ReplaceAll(g[1+i], ",", ""), 64)
				if math.Abs(got-float64(want)) > 5e-4*math.Abs(float64(want))+1e-12 {
					t.Errorf("md %s/%s: %v, summary %v", names[vi], m.Name, got, float64(want))
				}
				nm++
			}
		}
	}
	if nm != 3*len(s.Metrics)*3 {
		t.Errorf("checked %d md numbers", nm)
	}
	// Every variant has its verdict in both reports, and the noise note.
	for _, v := range s.Variants {
		vd := Verdict(s, &v)
		if !strings.Contains(string(md), mdEscape(vd)) || !strings.Contains(string(html), template.HTMLEscapeString(vd)) {
			t.Errorf("verdict of %s missing", v.Name)
		}
	}
	if !strings.Contains(string(md), NoiseNote) || !strings.Contains(string(html), "simulation noise only") {
		t.Error("noise note missing")
	}
	if !strings.Contains(string(html), run.Summary.Hash) || !strings.Contains(string(html), "campaigns:") {
		t.Error("provenance (hash, scenario YAML) missing from report.html")
	}
}

func TestVerdict(t *testing.T) {
	s := &Summary{Baseline: "baseline", Metrics: []MetricDecl{
		{Name: "gmv", Label: "GMV", Kind: "sum", HigherIsBetter: true},
		{Name: "roi", Label: "ROI", Kind: "ratio", HigherIsBetter: true},
		{Name: "orders", Label: "orders", Kind: "sum", HigherIsBetter: true},
	}, KPIs: map[string]KPI{"gmv": {Mean: 1000}, "roi": {Mean: 3.1}, "orders": {Mean: 50}}}
	iv := func(m, lo, hi float64) Interval { return Interval{Num(m), [2]Num{Num(lo), Num(hi)}} }
	v := &VariantSummary{Name: "join", Description: "joining the campaign at 10% discount", VsBaseline: map[string]Diff{
		"gmv":    {Diff: iv(124, 98, 151), Pct: iv(12.4, 9.8, 15.1)},
		"roi":    {Diff: iv(-0.3, -0.4, -0.2), Pct: iv(-9.7, -12.9, -6.5)},
		"orders": {Diff: iv(1, -2, 4), Pct: iv(2, -4, 8)},
	}}
	want := "Joining the campaign at 10% discount raises GMV by 12.4% [9.8%, 15.1%] and lowers ROI from 3.100 to 2.800 [2.700, 2.900]; no clear difference in orders."
	if got := Verdict(s, v); got != want {
		t.Errorf("verdict\n got %s\nwant %s", got, want)
	}
	// A fall in a total reads as magnitudes, smallest first.
	down := &VariantSummary{Name: "skip", Description: "skipping the campaign", VsBaseline: map[string]Diff{
		"gmv":    {Diff: iv(-84, -142, -25), Pct: iv(-8.4, -14.2, -2.5)},
		"roi":    {Diff: iv(0.1, -0.1, 0.3), Pct: iv(3, -3, 9)},
		"orders": {Diff: iv(1, -2, 4), Pct: iv(2, -4, 8)},
	}}
	if got, want := Verdict(s, down), "Skipping the campaign lowers GMV by 8.4% [2.5%, 14.2%]; no clear difference in orders and ROI."; got != want {
		t.Errorf("verdict\n got %s\nwant %s", got, want)
	}
	if j := judgement(s.Metrics[1], direction(v.VsBaseline["roi"])); j != "worse" {
		t.Errorf("roi down judged %q", j)
	}
}

func TestHuman(t *testing.T) {
	for in, want := range map[float64]string{1234567.8: "1,234,568", 3.1: "3.100", -0.5: "-0.5000", 0: "0", 12.345: "12.35", math.NaN(): "n/a"} {
		if got := human(in); got != want {
			t.Errorf("human(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{8.843e-8: "< 0.0001", 0: "< 0.0001", 0.0001: "0.0001000", 0.01234: "0.01234", 0.4512: "0.4512", 1: "1", math.NaN(): "n/a"} {
		if got := humanP(in); got != want {
			t.Errorf("humanP(%v) = %q, want %q", in, got, want)
		}
	}
	var n Num
	if err := json.Unmarshal([]byte("null"), &n); err != nil || n.Defined() {
		t.Error("null Num")
	}
}

// Without a CJK-capable font, Chinese labels become ids with one warning.
func TestFontFallbackWarnsOnce(t *testing.T) {
	// A Latin-only font stands in for a system without CJK fonts; it comes
	// from a Go module (gonum/plot's own dependency), so the test never
	// depends on what the machine has installed.
	latin := filepath.Join(t.TempDir(), "LiberationSans-Regular.ttf")
	if err := os.WriteFile(latin, liberationsansregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	out := filepath.Join(t.TempDir(), "run")
	err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 1, Reps: 3, Days: 20, Variants: 2, Chinese: true}), Font: latin, Warn: &warn}, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(warn.String(), "\n"); n != 1 || !strings.Contains(warn.String(), "shown without the characters it lacks, or by number") {
		t.Errorf("warnings: %q", warn.String())
	}
	svg, _ := os.ReadFile(filepath.Join(out, PlotsDir, "kpi_gmv.svg"))
	if strings.Contains(string(svg), "方案") || !strings.Contains(string(svg), "variant 1") {
		t.Error("undrawable variant names not replaced by ids in the plot")
	}
	html, _ := os.ReadFile(filepath.Join(out, ReportHTMLFile))
	if !strings.Contains(string(html), "方案1") || !strings.Contains(string(html), "No CJK-capable font") {
		t.Error("report.html should keep the names and say that the plots use ids")
	}
}

func TestCJKFontFound(t *testing.T) {
	if findCJKFont() == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no CJK-capable font (install fonts-noto-cjk)")
		}
		t.Skip("no CJK-capable font installed")
	}
	var warn bytes.Buffer
	out := filepath.Join(t.TempDir(), "run")
	err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(synthOpts{Seed: 1, Reps: 3, Days: 20, Variants: 1, Chinese: true}), Warn: &warn}, false)
	if err != nil {
		t.Fatal(err)
	}
	if warn.Len() != 0 {
		t.Errorf("unexpected warning: %s", warn.String())
	}
	svg, _ := os.ReadFile(filepath.Join(out, PlotsDir, "kpi_gmv.svg"))
	if !strings.Contains(string(svg), "方案1") {
		t.Error("Chinese variant name not drawn")
	}
}

func TestNoOptionalData(t *testing.T) {
	res := synthResult(synthOpts{Seed: 1, Reps: 2, Days: 5})
	for i := range res.Variants[0].Reps {
		r := &res.Variants[0].Reps[i]
		r.Daily, r.Breakdown, r.Distributions = nil, nil, nil
	}
	out := filepath.Join(t.TempDir(), "run")
	if err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: res, Warn: io.Discard}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRun(out); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkWriteReport writes the whole run directory of a default-sized
// run: 3 variants × 10 replications × 60 days, ~40 daily series, ~300
// breakdown rows.
func BenchmarkWriteReport(b *testing.B) {
	res := synthResult(synthOpts{Seed: 1, Variants: 2, Reps: 10, Days: 60})
	root := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(root, "run")
		if err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: res, Warn: io.Discard}, true); err != nil {
			b.Fatal(err)
		}
	}
}
