package reports

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func est3(v, lo, hi float64) Estimate { return Estimate{Float(v), Float(lo), Float(hi)} }

// synthSensitivity is a result with known content: cpm carries most of
// GMV's variance, weak is small but real, inert's interval reaches 0.
func synthSensitivity() *SensitivityResult {
	r := &SensitivityResult{Scenario: "synth", Hash: "abc", Model: "test", Seed: 1, Method: "all", Replications: 2,
		Parameters: []SensParameter{{Path: "platform.cpm", Min: 20, Max: 80, Baseline: 40}, {Path: "platform.base_rates.a1_a2", Min: 0.04, Max: 0.16, Baseline: 0.08},
			{Path: "platform.weak", Min: 0, Max: 1, Baseline: 0.5}, {Path: "platform.inert", Min: 0, Max: 1, Baseline: 0.5}},
		KPIs: []string{"gmv"},
		OAT:  &SensOAT{Runs: 9, Effects: []SensOATKPI{{KPI: "gmv", Baseline: 100, Low: []Float{30, -10, -1, 0}, High: []Float{-20, 12, 1, 0}}}},
		Morris: &SensMorris{Trajectories: 10, Levels: 4, Runs: 50, Effects: []SensMorrisKPI{{KPI: "gmv", Mu: []Float{-50, 20, 2, 0},
			MuStar: []Estimate{est3(50, 40, 60), est3(20, 15, 25), est3(2, 1, 3), est3(0, 0, 0)}, Sigma: []Float{10, 5, 1, 0}}}},
		Sobol: &SensSobol{N: 64, MaxN: 128, UntilCI: 0.05, Converged: true, Resamples: 1000},
	}
	for _, n := range []int{64, 128} {
		w := 64.0 / float64(n)
		r.Sobol.Passes = append(r.Sobol.Passes, SensSobolPass{N: n, Runs: n * 6, KPIs: []SensSobolKPI{{KPI: "gmv",
			S1:    []Estimate{est3(0.7, 0.7-0.05*w, 0.7+0.05*w), est3(0.2, 0.15, 0.25), est3(0.02, 0.015, 0.025), est3(0, -0.01, 0.01)},
			ST:    []Estimate{est3(0.75, 0.7, 0.8), est3(0.23, 0.2, 0.26), est3(0.02, 0.017, 0.023), est3(0.001, -0.002, 0.004)},
			Inert: []bool{false, false, false, true}, Mean: 100, Variance: 25, NoiseVariance: 5, NoiseShare: Float(5.0 / 30)}}})
	}
	r.Summary = SensitivitySummary(r)
	return r
}

func TestSensitivitySummaryAndReport(t *testing.T) {
	r := synthSensitivity()
	joined := strings.Join(r.Summary, "\n")
	for _, want := range []string{
		"gmv: most of its variance comes from platform.cpm (ST 0.75 [0.70, 0.80])",
		"ST < 0.01 for 1 of 4 parameters", // weak (0.02) is not counted
		"and 1 cannot be told apart from no effect",
		"simulation noise is 17% of one run's variance",
		"Morris ranks platform.cpm, base_rates.a1_a2 and platform.weak first",
		"N = 128 base points",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("summary lacks %q:\n%s", want, joined)
		}
	}
	dir := t.TempDir()
	b, _ := json.Marshal(r)
	if err := os.WriteFile(filepath.Join(dir, SensitivityFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSensitivity(dir, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	html, _ := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	for _, name := range []string{"sensitivity_sobol_0_gmv", "sensitivity_morris_0_gmv", "sensitivity_tornado_0_gmv", "sensitivity_convergence_0_gmv"} {
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(filepath.Join(dir, PlotsDir, name+ext)); err != nil || st.Size() == 0 {
				t.Errorf("plot %s%s missing", name, ext)
			}
		}
		if !strings.Contains(string(md), "plots/"+name+".png") || !strings.Contains(string(html), "plots/"+name+".png") {
			t.Errorf("reports do not show %s", name)
		}
	}
	if !strings.Contains(string(md), r.Summary[0]) {
		t.Errorf("report.md lacks the summary")
	}
	// NaN estimates survive the file as null
	r.Sobol.Passes[0].KPIs[0].NoiseShare = Float(math.NaN())
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"noise_share":null`) {
		t.Fatalf("NaN not written as null: %v", err)
	}
	var back SensitivityResult
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(float64(back.Sobol.Passes[0].KPIs[0].NoiseShare)) {
		t.Fatalf("null not read back as NaN: %v", err)
	}
}
