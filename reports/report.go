package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// ReportOptions control how reports are drawn.
type ReportOptions struct {
	Font string    // TTF/OTF/TTC file for plot text; "" = look for a CJK-capable system font
	Warn io.Writer // receives at most one warning about undrawable labels; nil = os.Stderr
}

// RenderReports writes report.html, report.md and plots/ for a loaded run
// into dir (usually run.Dir). Plots without data in the run are left out.
func RenderReports(run *Run, dir string, opt ReportOptions) error {
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	d := newPlotData(run, th)
	specs := d.plotSpecs()
	if err := renderPlots(dir, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	substituted := warnSubstituted(th, opt.Warn)
	figs := make([]figure, len(specs))
	for i, s := range specs {
		figs[i] = figure{Name: s.Name, Caption: s.Caption, W: int(s.W.Dots(plotDPI) + 0.5), H: int(s.H.Dots(plotDPI) + 0.5)}
	}
	rd := &reportData{run: run, s: run.Summary, figs: figs, substituted: substituted}
	if err := os.WriteFile(filepath.Join(dir, ReportMDFile), rd.markdown(), 0o644); err != nil {
		return err
	}
	html, err := rd.html()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ReportHTMLFile), html, 0o644)
}

// warnSubstituted prints the one warning about labels shown as ids (to
// os.Stderr when w is nil: never in silence) and reports whether there were
// any.
func warnSubstituted(th *theme, w io.Writer) bool {
	if len(th.missing) == 0 {
		return false
	}
	if w == nil {
		w = os.Stderr
	}
	what := "no CJK-capable font was found for the plots (install fonts-noto-cjk or give one with --font FILE)"
	if th.cjk {
		what = "the plot font cannot draw some labels"
	}
	fmt.Fprintf(w, "startrend: warning: %s; %d plot labels are shown without the characters it lacks, or by number (first: %q)\n", what, len(th.missing), th.missing[0])
	return true
}

// The markers where a command's own section (optimize) is inserted: right
// after the noise note, so its answer is on the first screen.
const (
	sectionsMarkerHTML = `<div id="command-sections"></div>`
	sectionsMarkerMD   = "<!-- sections -->\n\n"
)

type figure struct {
	Name, Caption string
	W, H          int
}

type reportData struct {
	run         *Run
	s           *Summary
	figs        []figure
	substituted bool
}

// ciText is "mean [lo, hi]" for people; "mean (no interval: reason)"
// when only the interval is undefined (one replication).
func ciText(k KPI) string {
	if !k.Mean.Defined() {
		if k.Reason != "" {
			return "n/a (" + k.Reason + ")"
		}
		return "n/a"
	}
	return human(float64(k.Mean)) + bracket(k.CI95, human, k.Reason)
}

// bracket is " [lo, hi]" formatted by f, or " (no interval: reason)" when
// the interval is undefined.
func bracket(ci [2]Num, f func(float64) string, reason string) string {
	if !ci[0].Defined() || !ci[1].Defined() {
		if reason == "" {
			reason = "undefined"
		}
		return " (no interval: " + reason + ")"
	}
	return fmt.Sprintf(" [%s, %s]", f(float64(ci[0])), f(float64(ci[1])))
}

func diffText(df Diff) string {
	if !df.Diff.Mean.Defined() {
		return "n/a"
	}
	return humanSigned(float64(df.Diff.Mean)) + bracket(df.Diff.CI95, humanSigned, df.Reason)
}

func pctText(df Diff) string {
	if !df.Pct.Mean.Defined() {
		return "n/a"
	}
	return humanPct(float64(df.Pct.Mean)) + bracket(df.Pct.CI95, humanPct, df.Reason)
}

func (rd *reportData) provenance() string {
	s := rd.s
	warm := ""
	if s.WarmupDays > 0 {
		warm = fmt.Sprintf(" after %d warm-up days", s.WarmupDays)
	}
	v := ""
	if ver := rd.run.Meta.Version; ver != "" {
		v = ", startrend " + ver
	}
	return fmt.Sprintf("seed %d, %d replications, %d KPI days%s, money in %s%s; scenario hash %s", s.Seed, s.Replications, s.HorizonDays, warm, s.Currency, v, s.Hash)
}

func (rd *reportData) markdown() []byte {
	s := rd.s
	var b bytes.Buffer
	fmt.Fprintf(&b, "# startrend report: %s\n\n", mdEscape(s.Scenario))
	fmt.Fprintf(&b, "%s.\n\n", mdEscape(rd.provenance()))
	fmt.Fprintf(&b, "> %s\n\n", NoiseNote)
	b.WriteString(sectionsMarkerMD)
	rd.answerMarkdown(&b)
	if len(s.Warnings) > 0 {
		b.WriteString("## Warnings\n\nThese fields of the scenario cannot act in this run:\n\n")
		for _, w := range s.Warnings {
			fmt.Fprintf(&b, "- %s: %s\n", mdCode(w.Path), mdEscape(w.Message))
		}
		b.WriteString("\n")
	}
	if len(s.Variants) > 0 {
		b.WriteString("## Verdicts\n\n")
		for i := range s.Variants {
			v := &s.Variants[i]
			fmt.Fprintf(&b, "- **%s** vs %s: %s\n", mdEscape(v.Name), mdEscape(s.Baseline), mdEscape(Verdict(s, v)))
		}
		b.WriteString("\n")
	}
	kpiTable := func(idx []int) {
		b.WriteString("| KPI | unit |")
		for _, name := range s.VariantNames() {
			fmt.Fprintf(&b, " %s |", mdEscape(name))
		}
		b.WriteString("\n|---|---|")
		for range s.VariantNames() {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, i := range idx {
			m := s.Metrics[i]
			fmt.Fprintf(&b, "| %s | %s |", mdEscape(m.Label), mdEscape(m.Unit))
			for _, name := range s.VariantNames() {
				fmt.Fprintf(&b, " %s |", mdEscape(ciText(s.variantKPIs(name)[m.Name])))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Headline KPIs\n\nMean over replications [95% CI].\n\n")
	kpiTable(headline(s))
	all := make([]int, len(s.Metrics))
	for i := range all {
		all[i] = i
	}
	fmt.Fprintf(&b, "## All KPIs\n\n<details><summary>%d KPIs, mean over replications [95%% CI]</summary>\n\n", len(all))
	kpiTable(all)
	b.WriteString("</details>\n\n")
	for i := range s.Variants {
		v := &s.Variants[i]
		fmt.Fprintf(&b, "## %s vs %s (paired differences)\n\n", mdEscape(v.Name), mdEscape(s.Baseline))
		b.WriteString("<details><summary>every KPI's paired difference</summary>\n\n")
		b.WriteString("| KPI | difference [95% CI] | % of baseline [95% CI] | verdict |\n|---|---:|---:|---|\n")
		for _, m := range s.Metrics {
			df := v.VsBaseline[m.Name]
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdEscape(m.Label), diffText(df), pctText(df), judgement(m, direction(df)))
		}
		b.WriteString("\n</details>\n\n")
	}
	if len(rd.figs) > 0 {
		b.WriteString("## Plots\n\n")
		for _, f := range rd.figs {
			fmt.Fprintf(&b, "![%s](%s/%s.png)\n\n", mdEscape(f.Caption), PlotsDir, f.Name)
		}
	}
	b.WriteString("## Provenance\n\n")
	fmt.Fprintf(&b, "Scenario %s, hash %s, seed %d. The resolved scenario is `%s` in the run directory.\n", mdCode(s.Scenario), mdCode(s.Hash), s.Seed, ScenarioFile)
	return b.Bytes()
}

type htmlKPIRow struct {
	Name, Label, Unit, Description string
	Cells                          []htmlCell
}

type htmlCell struct {
	Variant, Text    string
	Mean, Lo, Hi, SD string // exact values as in summary.json ("" = null)
	N                int
}

type htmlDiffRow struct {
	Name, Label, Diff, Pct, Verdict string
	Mean, Lo, Hi, PctMean           string
}

type htmlVariant struct {
	Name, Verdict string
	Rows          []htmlDiffRow
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>startrend report: {{.Scenario}}</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.text{text-align:left}
th{background:#f3f3f3}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem .8rem}
.warn{background:#fdecea;border-left:4px solid #d33;padding:.5rem .8rem}
.better{color:#0a6b2c}.worse{color:#b00020}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#555}
pre{background:#f7f7f7;padding:.8rem;overflow:auto;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere}
.answer{font-size:1.05rem;background:#eef6ee;border-left:4px solid #1a853c;padding:.6rem .9rem}
.answer.undecided{background:#f3f3f3;border-left-color:#888}
tr.winner td{font-weight:600}
table{display:block;overflow-x:auto;max-width:100%}
</style>
</head>
<body>
<h1>startrend report: {{.Scenario}}</h1>
<p>{{.Provenance}}.</p>
<p class="note" id="noise-note">{{.Note}}</p>
<div id="command-sections"></div>
{{with .Recommendation}}<h2 id="answer">Answer</h2>
<p class="answer {{if .Decided}}decided{{else}}undecided{{end}}"><strong>{{.Text}}</strong></p>
<table id="recommendation" class="sortable">
<thead><tr><th>variant</th><th>{{.ObjectiveLabel}} [95% CI]</th><th>ROI [95% CI]</th><th>best − this [95% CI]</th><th>p (Holm)</th></tr></thead>
<tbody>
{{range $.Candidates}}<tr{{if .Winner}} class="winner"{{end}}><td>{{.Variant}}{{if not .Admissible}} (not admissible){{end}}</td><td>{{.Objective}}</td><td>{{.ROI}}</td><td>{{.VsBest}}</td><td>{{.P}}</td></tr>
{{end}}</tbody>
</table>
<p class="method">Method: {{.Method}}.</p>{{end}}
{{if .MerchantTables}}<h2 id="merchants">Per merchant</h2>
<p>Mean over replications [95% CI]; for variants, the paired difference against the baseline in % [95% CI].</p>
{{range .MerchantTables}}<h3>{{.Name}}</h3>
<table class="merchant sortable" data-merchant="{{.ID}}">
<thead><tr><th>KPI</th>{{range .Variants}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr data-kpi="{{.Name}}"><td>{{.Label}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}
{{if .Warnings}}<h2>Warnings</h2>
<p>These fields of the scenario cannot act in this run:</p>
<ul id="warnings">
{{range .Warnings}}<li><code>{{.Path}}</code>: {{.Message}}</li>
{{end}}</ul>{{end}}
{{if .Variants}}<h2>Verdicts</h2>
<ul id="verdicts">
{{range .Variants}}<li><strong>{{.Name}}</strong> vs {{$.Baseline}}: {{.Verdict}}</li>
{{end}}</ul>{{end}}
<h2>Headline KPIs</h2>
<p>Mean over replications [95% CI]; every KPI is in the full table below.</p>
<table id="kpis-headline">
<thead><tr><th>KPI</th><th>unit</th>{{range .VariantNames}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .HeadlineRows}}<tr data-kpi="{{.Name}}"><td title="{{.Description}}">{{.Label}}</td><td class="text">{{.Unit}}</td>{{range .Cells}}<td>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{if .Figures}}<h2>Plots</h2>
{{if .Substituted}}<p class="warn">No CJK-capable font was available when these plots were drawn: labels it could not draw are shown as ids (variant 1, key 2, …). Install fonts-noto-cjk or pass --font.</p>{{end}}
{{range .Figures}}<figure id="fig-{{.Name}}"><img src="plots/{{.Name}}.png" width="{{.W}}" height="{{.H}}" alt="{{.Caption}}"><figcaption>{{.Caption}} <a href="plots/{{.Name}}.svg">SVG</a></figcaption></figure>
{{end}}{{end}}
<h2>All KPIs</h2>
<details><summary>{{len .KPIRows}} KPIs, mean over replications [95% CI]</summary>
<table id="kpis">
<thead><tr><th>KPI</th><th>unit</th>{{range .VariantNames}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .KPIRows}}<tr data-kpi="{{.Name}}"><td title="{{.Description}}">{{.Label}}</td><td class="text">{{.Unit}}</td>{{range .Cells}}<td data-variant="{{.Variant}}" data-mean="{{.Mean}}" data-lo="{{.Lo}}" data-hi="{{.Hi}}" data-sd="{{.SD}}" data-n="{{.N}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</details>
{{range .Variants}}<h2>{{.Name}} vs {{$.Baseline}} (paired differences)</h2>
<details><summary>every KPI's paired difference</summary>
<table class="diffs" data-variant="{{.Name}}">
<thead><tr><th>KPI</th><th>difference [95% CI]</th><th>% of baseline [95% CI]</th><th>verdict</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-kpi="{{.Name}}" data-diff="{{.Mean}}" data-lo="{{.Lo}}" data-hi="{{.Hi}}" data-pct="{{.PctMean}}"><td>{{.Label}}</td><td>{{.Diff}}</td><td>{{.Pct}}</td><td class="text {{.Verdict}}">{{.Verdict}}</td></tr>
{{end}}</tbody>
</table>
</details>
{{end}}
<h2>Provenance</h2>
<table id="provenance">
<tr><th>scenario</th><td class="text">{{.Scenario}}</td></tr>
<tr><th>hash (SHA-256 of the resolved scenario)</th><td class="text"><code>{{.Hash}}</code></td></tr>
<tr><th>seed</th><td class="text">{{.Seed}}</td></tr>
<tr><th>replications</th><td class="text">{{.Replications}}</td></tr>
<tr><th>startrend version</th><td class="text">{{if .BuildVersion}}{{.BuildVersion}}{{else}}not recorded{{end}}</td></tr>
</table>
<details id="scenario"><summary>The resolved scenario (<code>scenario.yaml</code>)</summary>
<pre id="scenario-yaml">{{.YAML}}</pre>
</details>
<script>
// Sortable tables: click a header to sort by that column (numbers by value).
document.querySelectorAll("table.sortable, #kpis, #kpis-headline, table.diffs").forEach(function (t) {
  t.querySelectorAll("thead th").forEach(function (th, col) {
    th.style.cursor = "pointer";
    th.title = "sort";
    th.addEventListener("click", function () {
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var dir = th.dataset.dir === "asc" ? -1 : 1;
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      var key = function (r) {
        var s = (r.cells[col] ? r.cells[col].textContent : "").trim();
        var n = parseFloat(s.replace(/[,%+]/g, "").replace(/^\u2212/, "-"));
        return isNaN(n) ? s : n;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (typeof x === "number" && typeof y === "number") return dir * (x - y);
        return dir * String(x).localeCompare(String(y));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
</script>
</body>
</html>
`))

func (rd *reportData) html() ([]byte, error) {
	s := rd.s
	data := struct {
		*Summary
		Provenance     string
		VariantNames   []string
		KPIRows        []htmlKPIRow
		HeadlineRows   []htmlKPIRow
		Variants       []htmlVariant
		Figures        []figure
		Substituted    bool
		YAML           string
		BuildVersion   string
		Candidates     []htmlCandidate
		MerchantTables []htmlMerchant
	}{BuildVersion: rd.run.Meta.Version, Candidates: rd.htmlCandidates(), MerchantTables: rd.htmlMerchants(), Summary: s, Provenance: rd.provenance(), VariantNames: s.VariantNames(), Figures: rd.figs,
		Substituted: rd.substituted, YAML: string(rd.run.ScenarioYAML)}
	for _, m := range s.Metrics {
		row := htmlKPIRow{Name: m.Name, Label: m.Label, Unit: m.Unit, Description: m.Description}
		for _, name := range s.VariantNames() {
			k := s.variantKPIs(name)[m.Name]
			row.Cells = append(row.Cells, htmlCell{Variant: name, Text: ciText(k),
				Mean: formatFloat(float64(k.Mean)), Lo: formatFloat(float64(k.CI95[0])), Hi: formatFloat(float64(k.CI95[1])),
				SD: formatFloat(float64(k.SD)), N: k.N})
		}
		data.KPIRows = append(data.KPIRows, row)
	}
	for _, i := range headline(s) {
		data.HeadlineRows = append(data.HeadlineRows, data.KPIRows[i])
	}
	for i := range s.Variants {
		v := &s.Variants[i]
		hv := htmlVariant{Name: v.Name, Verdict: Verdict(s, v)}
		for _, m := range s.Metrics {
			df := v.VsBaseline[m.Name]
			hv.Rows = append(hv.Rows, htmlDiffRow{Name: m.Name, Label: m.Label, Diff: diffText(df), Pct: pctText(df),
				Verdict: judgement(m, direction(df)),
				Mean:    formatFloat(float64(df.Diff.Mean)), Lo: formatFloat(float64(df.Diff.CI95[0])), Hi: formatFloat(float64(df.Diff.CI95[1])),
				PctMean: formatFloat(float64(df.Pct.Mean))})
		}
		data.Variants = append(data.Variants, hv)
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
