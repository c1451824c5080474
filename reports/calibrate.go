package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/startrend/startrend/calibrate"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// CalibrateFile is a calibration's result in its output directory.
const CalibrateFile = "calibrate.json"

// CalibrateInput is what a calibration report shows.
type CalibrateInput struct {
	Scenario string // scenario name
	File     string // scenario file
	Hash     string // resolved scenario hash
	Command  string // the command line that reproduces the fit
	// Start holds each parameter's value as written in the scenario.
	Start  []float64
	Result *calibrate.Result
	// Budget is the run budget (runs = replications × arms); Arms the
	// number of arms simulated per calibration run.
	Budget, Arms int
	// Complete is false for a report of an interrupted calibration.
	Complete    bool
	WallSeconds float64
	Notes       []string
}

// WriteCalibrate writes report.md, report.html and the plots
// (calibrate_targets, calibrate_parameters, calibrate_trace, and marginal
// and pairwise plots of the parameters; .png and .svg) into dir.
func WriteCalibrate(dir string, in CalibrateInput, opt ReportOptions) error {
	if in.Result == nil {
		return fmt.Errorf("reports: no calibration result")
	}
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	specs := calibratePlots(th, in)
	if err := renderPlots(dir, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	figs := make([]figure, len(specs))
	for i, s := range specs {
		figs[i] = figure{Name: s.Name, Caption: s.Caption, W: int(s.W.Dots(plotDPI) + 0.5), H: int(s.H.Dots(plotDPI) + 0.5)}
	}
	if err := os.WriteFile(filepath.Join(dir, ReportMDFile), calibrateMarkdown(in, figs), 0o644); err != nil {
		return err
	}
	h, err := calibrateHTML(in, figs)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ReportHTMLFile), h, 0o644)
}

func num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsNaN(v):
		return "n/a"
	}
	return human(v)
}

func tolText(t calibrate.TargetFit) string {
	if t.Tolerance > 0 {
		return fmt.Sprintf("±%s%%", human(100*t.Tolerance))
	}
	return "±1.96 SE"
}

func calibrateSummary(in CalibrateInput) string {
	r := in.Result
	within := 0
	for _, t := range r.Targets {
		if t.Within {
			within++
		}
	}
	ident := map[calibrate.Identification]int{}
	for _, p := range r.Params {
		ident[p.Verdict]++
	}
	s := fmt.Sprintf("%s fit of %d parameters to %d targets in %d runs (%d arm(s) each): %d of %d targets within tolerance; %d parameters identified, %d weakly identified, %d not identified by these targets.",
		strings.ToUpper(r.Method), len(r.Params), len(r.Targets), r.Runs, in.Arms, within, len(r.Targets),
		ident[calibrate.Identified], ident[calibrate.WeaklyIdentified], ident[calibrate.NotIdentified])
	if r.Method == "smm" && r.Distance > 4*float64(len(r.Targets)) {
		s += fmt.Sprintf(" The fit does not reproduce the targets (distance %s for %d targets, about %s squared standard errors each): within these bounds the model cannot reach them all, or the search needs more runs.",
			num(r.Distance), len(r.Targets), num(r.Distance/float64(len(r.Targets))))
	}
	return s
}

func targetRows(r *calibrate.Result) [][]string {
	var rows [][]string
	for _, t := range r.Targets {
		se := "–"
		if t.SE > 0 {
			se = human(t.SE)
		}
		w := "no"
		if t.Within {
			w = "yes"
		}
		rows = append(rows, []string{t.Name, human(t.Observed), se, tolText(t),
			fmt.Sprintf("%s [%s, %s]", num(t.Simulated), num(t.SimLo), num(t.SimHi)), fmt.Sprintf("%+.2f", t.Z), w})
	}
	return rows
}

func paramRows(in CalibrateInput) [][]string {
	var rows [][]string
	for i, p := range in.Result.Params {
		start := "–"
		if i < len(in.Start) {
			start = human(in.Start[i])
		}
		rows = append(rows, []string{p.Name, fmt.Sprintf("[%s, %s]", human(p.Lo), human(p.Hi)), start, num(p.Estimate), num(p.SE),
			fmt.Sprintf("[%s, %s]", num(p.CILo), num(p.CIHi)), fmt.Sprintf("%.0f%%", 100*p.WidthRatio), string(p.Verdict), p.Reason})
	}
	return rows
}

var targetHeader = []string{"target", "observed", "SE", "tolerance", "simulated mean [95% CI]", "z", "within"}
var paramHeader = []string{"parameter", "bounds", "scenario value", "fitted", "SE / SD", "95% interval", "interval / bounds", "verdict", "why"}

func mdTable(b *bytes.Buffer, header []string, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdEscape(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
}

func calibrateMarkdown(in CalibrateInput, figs []figure) []byte {
	var b bytes.Buffer
	r := in.Result
	fmt.Fprintf(&b, "# Calibration of %s\n\n", mdEscape(in.Scenario))
	if !in.Complete {
		b.WriteString("**Partial result: the calibration was interrupted; resume it with --resume.**\n\n")
	}
	b.WriteString(calibrateSummary(in) + "\n\n")
	fmt.Fprintf(&b, "Stopped: %s. ", mdEscape(r.Stop))
	if r.Method == "smm" {
		fmt.Fprintf(&b, "Weighted distance Q(θ̂) = %s with %d replications per candidate (common random numbers).\n\n", num(r.Distance), r.Replications)
	} else {
		fmt.Fprintf(&b, "Final tolerance %s; effective sample size %.0f.\n\n", num(r.Distance), r.Posterior.ESS)
	}
	b.WriteString("## Targets\n\n")
	mdTable(&b, targetHeader, targetRows(r))
	b.WriteString("## Parameters\n\n")
	mdTable(&b, paramHeader, paramRows(in))
	for _, n := range in.Notes {
		b.WriteString("- " + mdEscape(n) + "\n")
	}
	if len(in.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("## Plots\n\n")
	for _, f := range figs {
		fmt.Fprintf(&b, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n", mdEscape(f.Caption), f.Name, mdEscape(f.Caption), f.Name)
	}
	b.WriteString("## Provenance\n\n")
	fmt.Fprintf(&b, "- scenario: %s (`%s`), hash %s\n- reproduce: `%s`\n- %s\n", mdEscape(in.Scenario), mdEscape(in.File), short(in.Hash), in.Command, calibrateWork(in))
	return b.Bytes()
}

var calibrateTemplate = template.Must(template.New("cal").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Calibration of {{.Scenario}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}.warn{color:#a00;font-weight:bold}figure{margin:1.5em 0}img{max-width:100%;height:auto}.no{color:#a00}</style></head><body>
<h1>Calibration of {{.Scenario}}</h1>
{{if not .Complete}}<p class="warn">Partial result: the calibration was interrupted; resume it with --resume.</p>{{end}}
<p id="calibrate-summary">{{.Summary}}</p>
<p>Stopped: {{.Stop}}. {{.Distance}}</p>
<h2>Targets</h2>
<table id="calibrate-targets"><thead><tr>{{range .TargetHeader}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Targets}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
<h2>Parameters</h2>
<table id="calibrate-parameters"><thead><tr>{{range .ParamHeader}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Params}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{if .Notes}}<ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Plots</h2>
{{range .Figures}}<figure id="fig-{{.Name}}"><img src="plots/{{.Name}}.png" width="{{.W}}" height="{{.H}}" alt="{{.Caption}}"><figcaption>{{.Caption}} <a href="plots/{{.Name}}.svg">SVG</a></figcaption></figure>
{{end}}
<h2>Provenance</h2>
<ul><li>scenario: {{.Scenario}} (<code>{{.File}}</code>), hash {{.Hash}}</li><li>reproduce: <code>{{.Command}}</code></li><li>{{.Work}}</li></ul>
</body></html>
`))

// calibrateWork is the provenance line on the work done: runs of the
// budget, and the wall time when it is given (the command leaves it to
// run.json, so that a resumed or merged calibration writes the same
// report as an uninterrupted one).
func calibrateWork(in CalibrateInput) string {
	s := fmt.Sprintf("%d of %d runs", in.Result.Runs*in.Arms, in.Budget)
	if in.WallSeconds > 0 {
		s = fmt.Sprintf("wall time %.1f s, %s", in.WallSeconds, s)
	}
	return s
}

func calibrateHTML(in CalibrateInput, figs []figure) ([]byte, error) {
	r := in.Result
	dist := fmt.Sprintf("Weighted distance Q(θ̂) = %s with %d replications per candidate (common random numbers).", num(r.Distance), r.Replications)
	if r.Method != "smm" {
		dist = fmt.Sprintf("Final tolerance %s; effective sample size %.0f.", num(r.Distance), r.Posterior.ESS)
	}
	data := map[string]any{
		"Scenario": in.Scenario, "Complete": in.Complete, "Summary": calibrateSummary(in), "Stop": r.Stop, "Distance": dist,
		"TargetHeader": targetHeader, "Targets": targetRows(r), "ParamHeader": paramHeader, "Params": paramRows(in),
		"Notes": in.Notes, "Figures": figs, "File": in.File, "Hash": short(in.Hash), "Command": in.Command,
		"Work": calibrateWork(in),
	}
	var b bytes.Buffer
	if err := calibrateTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// paramSample returns draws of the parameters for the marginal and
// pairwise plots: ABC's particles (with weights), SMM's bootstrap refits,
// or draws from SMM's normal approximation N(θ̂, Cov) clipped to the
// bounds (deterministic); what says which.
func paramSample(r *calibrate.Result) (xs [][]float64, ws []float64, what string) {
	switch {
	case r.Posterior != nil:
		return r.Posterior.Particles, r.Posterior.Weights, "ABC-SMC posterior particles (weighted)"
	case len(r.Bootstrap) > 0:
		ws = make([]float64, len(r.Bootstrap))
		for i := range ws {
			ws[i] = 1
		}
		return r.Bootstrap, ws, "parametric-bootstrap refits"
	}
	n := len(r.Params)
	// Draws from N(θ̂, Cov) over the identified parameters (a Cholesky
	// factor of their covariance; independent marginals if it is not
	// positive definite), uniform on the bounds for those in a flat
	// direction.
	var idx []int
	for i, p := range r.Params {
		if finite(p.SE) {
			idx = append(idx, i)
		}
	}
	var chol mat.Cholesky
	correlated := false
	if len(idx) > 0 && len(r.Cov) == n {
		sub := mat.NewSymDense(len(idx), nil)
		ok := true
		for a, i := range idx {
			for b, j := range idx {
				ok = ok && finite(r.Cov[i][j])
				sub.SetSym(a, b, r.Cov[i][j])
			}
		}
		correlated = ok && chol.Factorize(sub)
	}
	var L mat.TriDense
	if correlated {
		chol.LTo(&L)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]float64, len(idx))
	for range 1000 {
		x := make([]float64, n)
		for i, p := range r.Params {
			x[i] = p.Lo + rng.Float64()*(p.Hi-p.Lo)
		}
		for a := range z {
			z[a] = rng.NormFloat64()
		}
		for a, i := range idx {
			p := r.Params[i]
			d := p.SE * z[a]
			if correlated {
				d = 0
				for b := 0; b <= a; b++ {
					d += L.At(a, b) * z[b]
				}
			}
			x[i] = math.Min(math.Max(p.Estimate+d, p.Lo), p.Hi)
		}
		xs = append(xs, x)
		ws = append(ws, 1)
	}
	what = "draws from the sandwich normal approximation N(θ̂, Cov)"
	if !correlated {
		what = "draws from the sandwich normal approximation (independent marginals)"
	}
	return xs, ws, what + ", uniform on the bounds where not identified"
}

func calibratePlots(th *theme, in CalibrateInput) []plotSpec {
	r := in.Result
	specs := []plotSpec{targetsPlot(th, r), parametersPlot(th, in)}
	if len(r.Generations) > 0 {
		specs = append(specs, tracePlot(th, r))
	}
	xs, ws, what := paramSample(r)
	specs = append(specs, marginalPlots(th, r, xs, ws, what)...)
	return append(specs, pairPlots(th, r, xs, ws, what)...)
}

// targetsPlot: simulated / observed with CIs, and the tolerance band.
func targetsPlot(th *theme, r *calibrate.Result) plotSpec {
	names := make([]string, len(r.Targets))
	for i, t := range r.Targets {
		names[i] = t.Name
	}
	return plotSpec{
		Name: "calibrate_targets", W: wideW, H: stdH + vg.Inch/2,
		Caption: "Each target's simulated mean at the fit (95% CI) and observed value (± 1.96 SE), both relative to the observed value; the grey band is the tolerance.",
		Make: func() *plot.Plot {
			p := th.newPlot("Targets: simulated vs observed", "", "relative to observed")
			sim := &ciPoints{Offset: 0.1, Color: colorAt(0)}
			obs := &ciPoints{Offset: -0.1, Color: colorAt(1)}
			for i, t := range r.Targets {
				o := t.Observed
				if o == 0 {
					o = 1
				}
				sim.Vals = append(sim.Vals, t.Simulated/o)
				sim.Lo = append(sim.Lo, t.SimLo/o)
				sim.Hi = append(sim.Hi, t.SimHi/o)
				obs.Vals = append(obs.Vals, t.Observed/o)
				obs.Lo = append(obs.Lo, (t.Observed-1.96*t.SE)/o)
				obs.Hi = append(obs.Hi, (t.Observed+1.96*t.SE)/o)
				if t.Tolerance > 0 {
					band, err := plotter.NewPolygon(plotter.XYs{{X: float64(i) - 0.4, Y: 1 - t.Tolerance}, {X: float64(i) + 0.4, Y: 1 - t.Tolerance}, {X: float64(i) + 0.4, Y: 1 + t.Tolerance}, {X: float64(i) - 0.4, Y: 1 + t.Tolerance}})
					if err == nil {
						band.Color = color.Gray{Y: 220}
						band.LineStyle.Width = 0
						p.Add(band)
					}
				}
			}
			p.Add(obs, sim)
			p.Legend.Add("observed", obs)
			p.Legend.Add("simulated at the fit", sim)
			nominal(p, names)
			return p
		},
	}
}

// parametersPlot: start, estimate and interval in units of the bounds.
func parametersPlot(th *theme, in CalibrateInput) plotSpec {
	r := in.Result
	pnames := make([]string, len(r.Params))
	for i, q := range r.Params {
		pnames[i] = q.Name
	}
	return plotSpec{
		Name: "calibrate_parameters", W: wideW, H: stdH + vg.Inch/2,
		Caption: "Each parameter's fitted value with its 95% interval and the scenario's value, as a fraction of its bounds (0 = min, 1 = max); an interval covering most of the bounds means the targets do not pin the parameter down.",
		Make: func() *plot.Plot {
			p := th.newPlot("Fitted parameters within their bounds", "", "position within bounds")
			fit := &ciPoints{Offset: 0.1, Color: colorAt(2)}
			start := &ciPoints{Offset: -0.1, Color: colorAt(7)}
			for i, q := range r.Params {
				u := func(x float64) float64 { return (x - q.Lo) / (q.Hi - q.Lo) }
				fit.Vals = append(fit.Vals, u(q.Estimate))
				fit.Lo = append(fit.Lo, u(q.CILo))
				fit.Hi = append(fit.Hi, u(q.CIHi))
				s := math.NaN()
				if i < len(in.Start) {
					s = u(in.Start[i])
				}
				start.Vals = append(start.Vals, s)
				start.Lo = append(start.Lo, math.NaN())
				start.Hi = append(start.Hi, math.NaN())
			}
			p.Add(start, fit)
			p.Legend.Add("scenario value", start)
			p.Legend.Add("fitted, 95% interval", fit)
			p.Y.Min, p.Y.Max = -0.05, 1.05
			nominal(p, pnames)
			return p
		},
	}
}

// tracePlot: SMM's best distance or ABC's tolerance per generation.
func tracePlot(th *theme, r *calibrate.Result) plotSpec {
	smm := r.Method == "smm"
	caption := "Best weighted distance Q so far per CMA-ES generation (log scale), against runs."
	if !smm {
		caption = "ABC-SMC tolerance ε per generation (log scale), against runs; generation 0 samples the prior."
	}
	return plotSpec{
		Name: "calibrate_trace", W: stdW, H: stdH, Caption: caption,
		Make: func() *plot.Plot {
			p := th.newPlot(map[bool]string{true: "Distance per generation", false: "Tolerance per generation"}[smm], "runs", map[bool]string{true: "best Q", false: "tolerance ε"}[smm])
			var pts plotter.XYs
			for _, g := range r.Generations {
				y := g.Best
				if !smm {
					y = g.Tolerance
				}
				if finite(y) && y > 0 {
					pts = append(pts, plotter.XY{X: float64(g.Runs), Y: y})
				}
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, q := range pts {
				lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
			}
			if lo > 0 && hi > lo { // a log axis needs a positive, non-empty range
				p.Y.Scale = plot.LogScale{}
				p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
			}
			if len(pts) > 0 {
				l, s, err := plotter.NewLinePoints(pts)
				if err == nil {
					l.Color, s.Color = colorAt(0), colorAt(0)
					p.Add(l, s)
				}
			}
			return p
		},
	}
}

// marginalPlots: one weighted histogram per parameter.
func marginalPlots(th *theme, r *calibrate.Result, xs [][]float64, ws []float64, what string) []plotSpec {
	var specs []plotSpec
	for i, q := range r.Params {
		i, q := i, q
		specs = append(specs, plotSpec{
			Name: "calibrate_marginal_" + fmt.Sprint(i+1), W: smallW, H: stdH,
			Caption: fmt.Sprintf("Marginal of %s over its bounds: %s; the vertical line is the fitted value.", q.Name, what),
			Make: func() *plot.Plot {
				p := th.newPlot(q.Name, q.Name, "density")
				const bins = 30
				h := make([]float64, bins)
				tot := 0.0
				for k, x := range xs {
					b := int((x[i] - q.Lo) / (q.Hi - q.Lo) * bins)
					b = min(max(b, 0), bins-1)
					h[b] += ws[k]
					tot += ws[k]
				}
				wdt := (q.Hi - q.Lo) / bins
				var hb plotter.XYs
				for b, v := range h {
					x0 := q.Lo + float64(b)*wdt
					y := v / tot / wdt
					hb = append(hb, plotter.XY{X: x0, Y: y}, plotter.XY{X: x0 + wdt, Y: y})
				}
				if l, err := plotter.NewLine(hb); err == nil {
					l.Color = colorAt(0)
					l.Width = vg.Points(1.5)
					p.Add(l)
				}
				ymax := 0.0
				for _, v := range hb {
					ymax = math.Max(ymax, v.Y)
				}
				if l, err := plotter.NewLine(plotter.XYs{{X: q.Estimate, Y: 0}, {X: q.Estimate, Y: ymax}}); err == nil && finite(q.Estimate) {
					l.Color = colorAt(5)
					p.Add(l)
				}
				p.X.Min, p.X.Max = q.Lo, q.Hi
				return p
			},
		})
	}
	return specs
}

// pairPlots: scatter plots of the first pairs of parameters (at most 10).
func pairPlots(th *theme, r *calibrate.Result, xs [][]float64, ws []float64, what string) []plotSpec {
	var specs []plotSpec
	pairs := 0
	for a := 0; a < len(r.Params) && pairs < 10; a++ {
		for b := a + 1; b < len(r.Params) && pairs < 10; b++ {
			a, b := a, b
			pairs++
			qa, qb := r.Params[a], r.Params[b]
			specs = append(specs, plotSpec{
				Name: fmt.Sprintf("calibrate_pair_%d_%d", a+1, b+1), W: smallW, H: stdH,
				Caption: fmt.Sprintf("%s against %s: %s (darker = more weight).", qa.Name, qb.Name, what),
				Make: func() *plot.Plot {
					p := th.newPlot(qa.Name+" × "+qb.Name, qa.Name, qb.Name)
					wmax := 0.0
					for _, w := range ws {
						wmax = math.Max(wmax, w)
					}
					const shades = 5
					var pts [shades]plotter.XYs
					for k, x := range xs {
						sh := min(int(shades*ws[k]/wmax), shades-1)
						pts[sh] = append(pts[sh], plotter.XY{X: x[a], Y: x[b]})
					}
					for sh, ps := range pts {
						if len(ps) == 0 {
							continue
						}
						s, err := plotter.NewScatter(ps)
						if err != nil {
							continue
						}
						s.GlyphStyle.Color = withAlpha(colorAt(0), uint8(50+40*sh))
						s.GlyphStyle.Radius = vg.Points(1.5)
						p.Add(s)
					}
					p.X.Min, p.X.Max = qa.Lo, qa.Hi
					p.Y.Min, p.Y.Max = qb.Lo, qb.Hi
					return p
				},
			})
		}
	}
	return specs
}
