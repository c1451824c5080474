package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/startrend/startrend/internal/safeio"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SensitivityFile is the result file of `startrend sensitivity`.
const SensitivityFile = "sensitivity.json"

// Float is a float64 that encodes NaN and ±Inf as JSON null (and decodes
// null as NaN), for estimates that may be undefined.
type Float float64

func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	*f = Float(x)
	return err
}

// Estimate is a value with its 95% confidence interval.
type Estimate struct {
	Value Float `json:"value"`
	Lo    Float `json:"lo"`
	Hi    Float `json:"hi"`
}

// SensitivityResult is everything a sensitivity analysis produced: the
// parameters and KPIs, and per method the estimates (see package
// sensitivity for their definitions). It is a pure function of the scenario,
// the design and the seed: it holds no timings.
type SensitivityResult struct {
	Scenario     string            `json:"scenario"`
	Hash         string            `json:"scenario_hash"`
	Model        string            `json:"model"` // the build's version-control revision, when recorded
	Seed         uint64            `json:"seed"`
	Method       string            `json:"method"`
	Replications int               `json:"replications"`
	Parameters   []SensParameter   `json:"parameters"`
	KPIs         []string          `json:"kpis"`
	OAT          *SensOAT          `json:"oat,omitempty"`
	Morris       *SensMorris       `json:"morris,omitempty"`
	Sobol        *SensSobol        `json:"sobol,omitempty"`
	Summary      []string          `json:"summary"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// SensParameter is one varied field.
type SensParameter struct {
	Path     string  `json:"path"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Whole    bool    `json:"integer"`
	Baseline float64 `json:"baseline"` // the scenario's value
}

// SensOAT holds one-at-a-time effects per KPI.
type SensOAT struct {
	Runs    int          `json:"runs"`
	Effects []SensOATKPI `json:"effects"`
}

// SensOATKPI is one KPI's one-at-a-time effects: the change from the
// baseline output with each parameter at its min (Low) and max (High).
type SensOATKPI struct {
	KPI      string  `json:"kpi"`
	Baseline Float   `json:"baseline"`
	Low      []Float `json:"low"`
	High     []Float `json:"high"`
}

// SensMorris holds elementary-effect statistics per KPI.
type SensMorris struct {
	Trajectories int             `json:"trajectories"`
	Levels       int             `json:"levels"`
	Candidates   int             `json:"candidates"`
	Runs         int             `json:"runs"`
	Effects      []SensMorrisKPI `json:"effects"`
}

// SensMorrisKPI is one KPI's μ, μ* (with CI) and σ per parameter, in KPI
// units per full parameter range.
type SensMorrisKPI struct {
	KPI    string     `json:"kpi"`
	Mu     []Float    `json:"mu"`
	MuStar []Estimate `json:"mu_star"`
	Sigma  []Float    `json:"sigma"`
}

// SensSobol holds the Sobol passes (the convergence history; the last is
// the answer).
type SensSobol struct {
	N           int             `json:"n"`
	MaxN        int             `json:"max_n"`
	UntilCI     float64         `json:"until_ci"`
	Converged   bool            `json:"converged"`
	SecondOrder bool            `json:"second_order"`
	Resamples   int             `json:"resamples"`
	Passes      []SensSobolPass `json:"passes"`
	// Widest is the last pass's widest total-index interval and what the
	// stop rule's width would take (set with a stop rule).
	Widest *SensWidest `json:"widest,omitempty"`
}

// SensWidest is the widest total-index interval of a pass and the base
// points predicted to bring it within the stop rule's width: half-widths
// fall as 1/√N.
type SensWidest struct {
	KPI       string  `json:"kpi"`
	Parameter string  `json:"parameter"`
	HalfWidth float64 `json:"half_width"`
	// Noise bounds from above the share of the interval's variance due
	// to simulation noise (NaN with one replication).
	Noise Float `json:"noise"`
	// N base points (Runs runs at the study's replications) are predicted
	// to reach the width; FloorN even with the noise removed.
	N      int `json:"n"`
	Runs   int `json:"runs"`
	FloorN int `json:"floor_n"`
}

// SensSobolPass is the analysis at N base points.
type SensSobolPass struct {
	N    int            `json:"n"`
	Runs int            `json:"runs"`
	KPIs []SensSobolKPI `json:"kpis"`
}

// SensSobolKPI is one KPI's indices at one pass (Error set when undefined).
type SensSobolKPI struct {
	KPI           string       `json:"kpi"`
	Error         string       `json:"error,omitempty"`
	S1            []Estimate   `json:"s1,omitempty"`
	ST            []Estimate   `json:"st,omitempty"`
	S2            [][]Estimate `json:"s2,omitempty"`
	Inert         []bool       `json:"inert,omitempty"`
	Mean          Float        `json:"mean"`
	Variance      Float        `json:"variance"`
	NoiseVariance Float        `json:"noise_variance"`
	NoiseShare    Float        `json:"noise_share"`
	// STNoise is, per parameter, the share of ST's sampling variance due
	// to simulation noise (absent with one replication).
	STNoise []Float `json:"st_noise,omitempty"`
}

// ReadSensitivity reads dir/sensitivity.json.
func ReadSensitivity(dir string) (*SensitivityResult, error) {
	b, err := safeio.ReadRegular(filepath.Join(dir, SensitivityFile), safeio.StoreFileLimit, "sensitivity result")
	if err != nil {
		return nil, err
	}
	var r SensitivityResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SensitivityFile), err)
	}
	return &r, nil
}

// SensitivitySummary returns the plain-language summary of a result: per
// KPI, the parameters that carry most of its variance, the noise share, the
// inert parameters, and Morris's ranking.
func SensitivitySummary(r *SensitivityResult) []string {
	var out []string
	names := shortNames(r.Parameters)
	if r.Sobol != nil && len(r.Sobol.Passes) > 0 {
		last := r.Sobol.Passes[len(r.Sobol.Passes)-1]
		for _, k := range last.KPIs {
			if k.Error != "" {
				out = append(out, fmt.Sprintf("%s: no Sobol indices (%s).", k.KPI, k.Error))
				continue
			}
			order := byValue(k.ST)
			var top []string
			cum := 0.0
			for _, j := range order {
				if cum >= 0.8 || len(top) == 4 || float64(k.ST[j].Value) < 0.01 {
					break
				}
				top = append(top, fmt.Sprintf("%s (ST %.2f [%.2f, %.2f])", names[j], k.ST[j].Value, k.ST[j].Lo, k.ST[j].Hi))
				cum += float64(k.ST[j].Value)
			}
			var s1sum float64
			small, inert := 0, 0
			for j := range k.ST {
				s1sum += math.Max(0, float64(k.S1[j].Value))
				if float64(k.ST[j].Value) < 0.01 {
					small++
				}
				if j < len(k.Inert) && k.Inert[j] {
					inert++
				}
			}
			line := fmt.Sprintf("%s: most of its variance comes from %s", k.KPI, sensJoin(top))
			if s1sum >= 0.9 {
				line += fmt.Sprintf("; the first-order indices add up to %.2f, so the effects are close to additive", s1sum)
			} else {
				line += fmt.Sprintf("; the first-order indices add up to %.2f: about %.0f%% of the variance comes from interactions", s1sum, 100*(1-s1sum))
			}
			line += fmt.Sprintf("; ST < 0.01 for %d of %d parameters, and %d cannot be told apart from no effect (ST interval reaches 0)", small, len(k.ST), inert)
			if ns := float64(k.NoiseShare); finite(ns) {
				line += fmt.Sprintf("; simulation noise is %.0f%% of one run's variance (corrected for)", 100*ns)
			}
			out = append(out, line+".")
		}
		conv := "reached"
		if r.Sobol.UntilCI > 0 && !r.Sobol.Converged {
			conv = "not reached: the study stopped on its budget (max N)"
			if w := r.Sobol.Widest; w != nil {
				conv += fmt.Sprintf(". The widest interval, ST of %s on %s, is ±%.3g", w.Parameter, w.KPI, w.HalfWidth)
				if finite(float64(w.Noise)) {
					conv += fmt.Sprintf(", at most %.0f%% of its variance simulation noise", 100*float64(w.Noise))
				}
				conv += fmt.Sprintf("; at the 1/√N rate ±%.3g needs N = %d (%d runs)", r.Sobol.UntilCI, w.N, w.Runs)
				if finite(float64(w.Noise)) {
					conv += fmt.Sprintf(", and no number of replications brings it below N = %d", w.FloorN)
				}
			}
		}
		if r.Sobol.UntilCI > 0 {
			out = append(out, fmt.Sprintf("Sobol: N = %d base points (%d runs × %d replications); the stop rule's width ±%.3g was %s.", last.N, last.Runs, r.Replications, r.Sobol.UntilCI, conv))
		} else {
			out = append(out, fmt.Sprintf("Sobol: N = %d base points (%d runs × %d replications).", last.N, last.Runs, r.Replications))
		}
	}
	if r.Morris != nil {
		for _, e := range r.Morris.Effects {
			order := byValue(e.MuStar)
			var top []string
			for _, j := range order[:min(3, len(order))] {
				top = append(top, names[j])
			}
			out = append(out, fmt.Sprintf("%s: Morris ranks %s first by μ* (%d trajectories).", e.KPI, sensJoin(top), r.Morris.Trajectories))
		}
	}
	return out
}

func sensJoin(xs []string) string {
	switch len(xs) {
	case 0:
		return "no single parameter"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// byValue orders indices by decreasing estimate.
func byValue(es []Estimate) []int {
	idx := make([]int, len(es))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return float64(es[idx[a]].Value) > float64(es[idx[b]].Value) })
	return idx
}

// shortNames drops the path prefix the parameters share, keeping them
// distinct.
func shortNames(ps []SensParameter) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		segs := strings.Split(p.Path, ".")
		n := len(segs)
		k := min(2, n)
		for ; k <= n; k++ {
			cand := strings.Join(segs[n-k:], ".")
			unique := true
			for j, q := range ps {
				if j != i && strings.HasSuffix(q.Path, cand) {
					unique = false
					break
				}
			}
			if unique {
				break
			}
		}
		names[i] = strings.Join(segs[n-min(k, n):], ".")
	}
	return names
}

// WriteSensitivity reads dir/sensitivity.json and writes dir/report.md,
// dir/report.html and the plots dir/plots/sensitivity_*.png|svg: per KPI a
// Morris μ*–σ scatter, Sobol S1/ST bars with CIs, a tornado of the
// one-at-a-time effects, and the convergence of the total indices against N,
// with the plain-language summary on top.
func WriteSensitivity(dir string, opt ReportOptions) error {
	r, err := ReadSensitivity(dir)
	if err != nil {
		return err
	}
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	specs := sensitivityPlots(th, r)
	if err := renderPlots(dir, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	figs := make([]figure, len(specs))
	for i, s := range specs {
		figs[i] = figure{Name: s.Name, Caption: s.Caption, W: int(s.W.Dots(plotDPI) + 0.5), H: int(s.H.Dots(plotDPI) + 0.5)}
	}
	if err := os.WriteFile(filepath.Join(dir, ReportMDFile), sensitivityMarkdown(r, figs), 0o644); err != nil {
		return err
	}
	h, err := sensitivityHTML(r, figs)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ReportHTMLFile), h, 0o644)
}

func est(e Estimate) string {
	return fmt.Sprintf("%.3f [%.3f, %.3f]", e.Value, e.Lo, e.Hi)
}

// sensitivityTables returns the tables shown in both reports: a header and
// rows.
func sensitivityTables(r *SensitivityResult) (titles []string, tables [][][]string) {
	names := shortNames(r.Parameters)
	var ptab [][]string
	ptab = append(ptab, []string{"parameter", "path", "min", "max", "scenario value"})
	for i, p := range r.Parameters {
		ptab = append(ptab, []string{names[i], p.Path, human(p.Min), human(p.Max), human(p.Baseline)})
	}
	titles = append(titles, "Parameters")
	tables = append(tables, ptab)
	if r.Sobol != nil && len(r.Sobol.Passes) > 0 {
		last := r.Sobol.Passes[len(r.Sobol.Passes)-1]
		for _, k := range last.KPIs {
			if k.Error != "" {
				continue
			}
			t := [][]string{{"parameter", "S1 [95% CI]", "ST [95% CI]", "inert"}}
			for _, j := range byValue(k.ST) {
				inert := ""
				if j < len(k.Inert) && k.Inert[j] {
					inert = "yes"
				}
				t = append(t, []string{names[j], est(k.S1[j]), est(k.ST[j]), inert})
			}
			titles = append(titles, fmt.Sprintf("Sobol indices of %s (N = %d; output variance from parameters %s, noise share %s)", k.KPI, last.N, human(float64(k.Variance)), pctOrNA(float64(k.NoiseShare))))
			tables = append(tables, t)
		}
	}
	if r.Morris != nil {
		for _, e := range r.Morris.Effects {
			t := [][]string{{"parameter", "μ* [95% CI]", "μ", "σ"}}
			for _, j := range byValue(e.MuStar) {
				t = append(t, []string{names[j], fmt.Sprintf("%s [%s, %s]", human(float64(e.MuStar[j].Value)), human(float64(e.MuStar[j].Lo)), human(float64(e.MuStar[j].Hi))), human(float64(e.Mu[j])), human(float64(e.Sigma[j]))})
			}
			titles = append(titles, fmt.Sprintf("Morris elementary effects on %s (per full parameter range; %d trajectories)", e.KPI, r.Morris.Trajectories))
			tables = append(tables, t)
		}
	}
	return titles, tables
}

func pctOrNA(x float64) string {
	if !finite(x) {
		return "n/a (one replication)"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func sensitivityMarkdown(r *SensitivityResult, figs []figure) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Sensitivity analysis: %s\n\n", r.Scenario)
	fmt.Fprintf(&b, "Method %s, %d replications per design point (independent seeds), seed %d, model %s, scenario hash %s.\n\n", r.Method, r.Replications, r.Seed, r.Model, shortHash(r.Hash))
	b.WriteString("## Summary\n\n")
	for _, s := range r.Summary {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	b.WriteString("\n")
	titles, tables := sensitivityTables(r)
	for i, t := range tables {
		fmt.Fprintf(&b, "## %s\n\n", titles[i])
		for ri, row := range t {
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
			if ri == 0 {
				b.WriteString("|" + strings.Repeat(" --- |", len(row)) + "\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("## Figures\n\n")
	for _, f := range figs {
		fmt.Fprintf(&b, "![%s](plots/%s.png)\n\n%s ([SVG](plots/%s.svg))\n\n", f.Caption, f.Name, f.Caption, f.Name)
	}
	b.WriteString("## How to read this\n\n")
	b.WriteString("S1 is the share of a KPI's variance explained by one parameter alone; ST adds every interaction it takes part in. ")
	b.WriteString("A parameter whose ST interval reaches 0 cannot be told apart from no effect (inert). ")
	b.WriteString("Morris μ* is the mean absolute change of the KPI when the parameter moves over its whole range; a high σ next to μ* means the effect depends on the other parameters. ")
	b.WriteString("Simulation noise is measured from the replications of each design point and removed from the indices.\n")
	return b.Bytes()
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

var sensitivityTemplate = template.Must(template.New("sens").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sensitivity analysis: {{.R.Scenario}}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}</style>
</head><body>
<h1>Sensitivity analysis: {{.R.Scenario}}</h1>
<p>Method {{.R.Method}}, {{.R.Replications}} replications per design point (independent seeds), seed {{.R.Seed}}, model {{.R.Model}}, scenario hash {{.Hash}}.</p>
<h2>Summary</h2>
<ul id="summary">{{range .R.Summary}}<li>{{.}}</li>{{end}}</ul>
{{range .Tables}}<h2>{{.Title}}</h2>
<table><thead><tr>{{range index .Rows 0}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range $i, $r := .Rows}}{{if $i}}<tr>{{range $r}}<td>{{.}}</td>{{end}}</tr>
{{end}}{{end}}</tbody></table>
{{end}}<h2>Figures</h2>
{{range .Figures}}<figure id="fig-{{.Name}}"><img src="plots/{{.Name}}.png" width="{{.W}}" height="{{.H}}" alt="{{.Caption}}"><figcaption>{{.Caption}} <a href="plots/{{.Name}}.svg">SVG</a></figcaption></figure>
{{end}}<h2>How to read this</h2>
<p>S1 is the share of a KPI's variance explained by one parameter alone; ST adds every interaction it takes part in. A parameter whose ST interval reaches 0 cannot be told apart from no effect (inert). Morris μ* is the mean absolute change of the KPI when the parameter moves over its whole range; a high σ next to μ* means the effect depends on the other parameters. Simulation noise is measured from the replications of each design point and removed from the indices.</p>
</body></html>
`))

func sensitivityHTML(r *SensitivityResult, figs []figure) ([]byte, error) {
	titles, tables := sensitivityTables(r)
	type tab struct {
		Title string
		Rows  [][]string
	}
	var ts []tab
	for i := range tables {
		ts = append(ts, tab{titles[i], tables[i]})
	}
	var b bytes.Buffer
	err := sensitivityTemplate.Execute(&b, map[string]any{"R": r, "Hash": shortHash(r.Hash), "Tables": ts, "Figures": figs})
	return b.Bytes(), err
}

func sensitivityPlots(th *theme, r *SensitivityResult) []plotSpec {
	names := shortNames(r.Parameters)
	var specs []plotSpec
	specs = append(specs, sobolBarPlots(th, r, names)...)
	specs = append(specs, convergencePlots(th, r, names)...)
	specs = append(specs, morrisPlots(th, r, names)...)
	return append(specs, tornadoPlots(th, r, names)...)
}

// sobolBarPlots: per KPI, S1 and ST bars with CIs at the last pass.
func sobolBarPlots(th *theme, r *SensitivityResult, names []string) []plotSpec {
	var specs []plotSpec
	if r.Sobol != nil && len(r.Sobol.Passes) > 0 {
		last := r.Sobol.Passes[len(r.Sobol.Passes)-1]
		for ki, k := range last.KPIs {
			if k.Error != "" {
				continue
			}
			k := k
			specs = append(specs, plotSpec{
				Name: fmt.Sprintf("sensitivity_sobol_%d_%s", ki, fileStem(k.KPI, "kpi")), W: wideW, H: stdH + vg.Inch/2,
				Caption: fmt.Sprintf("Sobol indices of %s at N = %d: first order S1 (alone) and total ST (with interactions), 95%% bootstrap CIs.", k.KPI, last.N),
				Make: func() *plot.Plot {
					p := th.newPlot("Sobol indices: "+k.KPI, "", "share of variance")
					var s1, s1l, s1h, st, stl, sth []float64
					for j := range k.S1 {
						s1 = append(s1, float64(k.S1[j].Value))
						s1l = append(s1l, float64(k.S1[j].Lo))
						s1h = append(s1h, float64(k.S1[j].Hi))
						st = append(st, float64(k.ST[j].Value))
						stl = append(stl, float64(k.ST[j].Lo))
						sth = append(sth, float64(k.ST[j].Hi))
					}
					b1 := &bars{Vals: s1, Lo: s1l, Hi: s1h, Offset: -0.2, Width: 0.38, Color: colorAt(0)}
					b2 := &bars{Vals: st, Lo: stl, Hi: sth, Offset: 0.2, Width: 0.38, Color: colorAt(1)}
					p.Add(b1, b2)
					p.Legend.Add("S1", b1)
					p.Legend.Add("ST", b2)
					nominal(p, names)
					return p
				},
			})
		}
	}
	return specs
}

// convergencePlots: per KPI, ST of every parameter against N (stop rule).
func convergencePlots(th *theme, r *SensitivityResult, names []string) []plotSpec {
	var specs []plotSpec
	if r.Sobol != nil && len(r.Sobol.Passes) > 1 {
		last := r.Sobol.Passes[len(r.Sobol.Passes)-1]
		for ki, k := range last.KPIs {
			if k.Error != "" {
				continue
			}
			ki, kpi := ki, k.KPI
			specs = append(specs, plotSpec{
				Name: fmt.Sprintf("sensitivity_convergence_%d_%s", ki, fileStem(kpi, "kpi")), W: stdW, H: stdH,
				Caption: fmt.Sprintf("Convergence: total indices ST of %s (with 95%% CIs as bands) against the number of base points N; the stop rule doubles N until every interval is within ±%.3g.", kpi, r.Sobol.UntilCI),
				Make: func() *plot.Plot {
					p := th.newPlot("Convergence: "+kpi, "base points N", "ST")
					p.X.Scale = plot.LogScale{}
					p.X.Tick.Marker = plot.LogTicks{Prec: -1}
					for j := range names {
						var pts, lo, hi plotter.XYs
						for _, ps := range r.Sobol.Passes {
							if ki >= len(ps.KPIs) || ps.KPIs[ki].Error != "" {
								continue
							}
							e := ps.KPIs[ki].ST[j]
							pts = append(pts, plotter.XY{X: float64(ps.N), Y: float64(e.Value)})
							lo = append(lo, plotter.XY{X: float64(ps.N), Y: float64(e.Lo)})
							hi = append(hi, plotter.XY{X: float64(ps.N), Y: float64(e.Hi)})
						}
						if len(pts) == 0 {
							continue
						}
						c := colorAt(j)
						poly := append(plotter.XYs{}, lo...)
						for i := len(hi) - 1; i >= 0; i-- {
							poly = append(poly, hi[i])
						}
						if pg, err := plotter.NewPolygon(poly); err == nil {
							pg.Color = withAlpha(c, 40)
							pg.LineStyle.Width = 0
							p.Add(pg)
						}
						if l, err := plotter.NewLine(pts); err == nil {
							l.Color = c
							l.Width = vg.Points(1.5)
							p.Add(l)
							if j < 8 {
								p.Legend.Add(names[j], l)
							}
						}
					}
					p.Legend.Left = false
					return p
				},
			})
		}
	}
	return specs
}

// morrisPlots: per KPI, the μ*–σ scatter.
func morrisPlots(th *theme, r *SensitivityResult, names []string) []plotSpec {
	var specs []plotSpec
	if r.Morris != nil {
		for ki, e := range r.Morris.Effects {
			e := e
			specs = append(specs, plotSpec{
				Name: fmt.Sprintf("sensitivity_morris_%d_%s", ki, fileStem(e.KPI, "kpi")), W: stdW, H: stdH,
				Caption: fmt.Sprintf("Morris screening of %s: μ* (mean absolute elementary effect per full range, 95%% CI as whiskers) against σ; far right = important, high = interacting or non-linear.", e.KPI),
				Make: func() *plot.Plot {
					p := th.newPlot("Morris μ*–σ: "+e.KPI, "μ*", "σ")
					var xy plotter.XYs
					var labels []string
					for j := range e.MuStar {
						xy = append(xy, plotter.XY{X: float64(e.MuStar[j].Value), Y: float64(e.Sigma[j])})
						labels = append(labels, names[j])
					}
					if s, err := plotter.NewScatter(xy); err == nil {
						s.GlyphStyle.Color = colorAt(0)
						s.GlyphStyle.Radius = vg.Points(3.5)
						s.GlyphStyle.Shape = draw.CircleGlyph{}
						p.Add(s)
					}
					for j := range e.MuStar {
						lo, hi := float64(e.MuStar[j].Lo), float64(e.MuStar[j].Hi)
						if finite(lo) && finite(hi) {
							if l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: float64(e.Sigma[j])}, {X: hi, Y: float64(e.Sigma[j])}}); err == nil {
								l.Color = color.Gray{Y: 120}
								p.Add(l)
							}
						}
					}
					if lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: labels}); err == nil {
						for i := range lb.TextStyle {
							lb.TextStyle[i].Font = font.From(th.fnt, 8)
							lb.TextStyle[i].Handler = th.handler
						}
						lb.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
						p.Add(lb)
					}
					p.X.Min = 0
					p.Y.Min = 0
					p.X.Tick.Marker = humanTicks{}
					return p
				},
			})
		}
	}
	return specs
}

// tornadoPlots: per KPI, the one-at-a-time changes, widest on top.
func tornadoPlots(th *theme, r *SensitivityResult, names []string) []plotSpec {
	var specs []plotSpec
	h := vg.Length(math.Max(float64(stdH), float64(vg.Points(18*float64(len(names))+90))))
	if r.OAT != nil {
		for ki, e := range r.OAT.Effects {
			e := e
			specs = append(specs, plotSpec{
				Name: fmt.Sprintf("sensitivity_tornado_%d_%s", ki, fileStem(e.KPI, "kpi")), W: stdW, H: h,
				Caption: fmt.Sprintf("Tornado of %s: change from the scenario's value (%s) with each parameter alone at its min (light) and max (dark), the others at the scenario's values; widest first. One at a time: interactions are not shown.", e.KPI, human(float64(e.Baseline))),
				Make: func() *plot.Plot {
					p := th.newPlot("One at a time: "+e.KPI, "change of "+e.KPI, "")
					order := make([]int, len(e.Low))
					for i := range order {
						order[i] = i
					}
					width := func(j int) float64 {
						return math.Abs(float64(e.High[j])) + math.Abs(float64(e.Low[j]))
					}
					sort.SliceStable(order, func(a, b int) bool { return width(order[a]) < width(order[b]) })
					var lab []string
					lows := &hbars{}
					highs := &hbars{Color: colorAt(0)}
					lows.Color = withAlpha(colorAt(0), 110)
					for _, j := range order {
						lab = append(lab, names[j])
						lows.Vals = append(lows.Vals, float64(e.Low[j]))
						highs.Vals = append(highs.Vals, float64(e.High[j]))
					}
					p.Add(lows, highs)
					p.Legend.Add("at min", lows)
					p.Legend.Add("at max", highs)
					p.NominalY(lab...)
					p.Y.Min, p.Y.Max = -0.5, float64(len(lab))-0.5
					p.Y.Tick.Marker = nil
					p.NominalY(lab...)
					p.Legend.Left = false
					p.Legend.Top = false
					p.X.Tick.Marker = humanTicks{}
					return p
				},
			})
		}
	}
	return specs
}

// hbars draws horizontal bars from 0 to Vals[i] at y = i.
type hbars struct {
	Vals  []float64
	Color color.Color
}

func (b *hbars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, v := range b.Vals {
		if !finite(v) {
			continue
		}
		y0, y1 := trY(float64(i)-0.35), trY(float64(i)+0.35)
		x0, x1 := trX(0), trX(v)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.Color, c.ClipPolygonXY(pts))
	}
}

func (b *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = -0.5, float64(len(b.Vals))-0.5
	for _, v := range b.Vals {
		if finite(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	return
}

func (b *hbars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.Color, c.ClipPolygonY(pts))
}
