package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gopkg.in/yaml.v3"

	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/stats"
)

// Files written by Compare into its output directory.
const (
	CompareJSONFile = "compare.json"
	CompareMDFile   = "compare.md"
	// CompareDirName is the directory earlier versions wrote into the
	// candidate run by default (still recognised as a comparison there);
	// the default is now DefaultCompareDir.
	CompareDirName = "compare"
)

// Rule is a --fail-on threshold on a KPI's mean: "gmv:-2%" fails when the
// candidate is more than 2% below the base, "spend:+5%" when more than 5%
// above, "roi:-0.1" is absolute; a suffix "@95" ("gmv:-2%@95") fails only
// when the whole 95% CI of the difference lies past the threshold.
type Rule struct {
	Text       string  `json:"rule"`
	KPI        string  `json:"kpi"`
	Change     float64 `json:"change"`   // signed: negative = a drop limit, positive = a rise limit
	Relative   bool    `json:"relative"` // Change is in % of the base mean
	NoiseAware bool    `json:"noise_aware"`
}

// ErrBadRule is wrapped by ParseRule's errors.
var ErrBadRule = errors.New("bad --fail-on rule")

// ParseRule parses "KPI:CHANGE" with CHANGE a signed number, optionally a
// percentage, optionally followed by "@95".
func ParseRule(s string) (Rule, error) {
	r := Rule{Text: s}
	kpi, change, ok := strings.Cut(s, ":")
	kpi = strings.TrimSpace(kpi)
	change = strings.TrimSpace(change)
	if !ok || kpi == "" || change == "" {
		return r, fmt.Errorf("%w %q: want KPI:CHANGE, e.g. gmv:-2%% or roi:-0.1 or gmv:-2%%@95", ErrBadRule, s)
	}
	r.KPI = kpi
	if c, ok := strings.CutSuffix(change, "@95"); ok {
		r.NoiseAware, change = true, c
	} else if i := strings.IndexByte(change, '@'); i >= 0 {
		return r, fmt.Errorf("%w %q: only @95 (the 95%% CI) is supported", ErrBadRule, s)
	}
	if change = strings.TrimSpace(change); change == "" {
		return r, fmt.Errorf("%w %q: no CHANGE before @95 (e.g. %s:-2%%@95)", ErrBadRule, s, kpi)
	}
	if change[0] != '+' && change[0] != '-' {
		return r, fmt.Errorf("%w %q: CHANGE needs a sign: - limits a drop, + a rise (e.g. %s:-%s)", ErrBadRule, s, kpi, change)
	}
	if c, ok := strings.CutSuffix(change, "%"); ok {
		r.Relative, change = true, c
	}
	v, err := strconv.ParseFloat(change, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return r, fmt.Errorf("%w %q: %q is not a number", ErrBadRule, s, change)
	}
	r.Change = v
	return r, nil
}

// RunRef identifies a compared run.
type RunRef struct {
	Dir          string `json:"dir"`
	Scenario     string `json:"scenario"`
	Hash         string `json:"hash"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
}

// KPIComparison is one KPI of the two baselines.
type KPIComparison struct {
	Name      string   `json:"name"`
	Label     string   `json:"label"`
	Unit      string   `json:"unit"`
	Base      Interval `json:"base"`
	Candidate Interval `json:"candidate"`
	Diff      Interval `json:"diff"` // candidate − base
	Pct       Interval `json:"pct"`  // diff in % of |base mean|
	Verdict   string   `json:"verdict"`
}

// RuleResult is a rule's outcome.
type RuleResult struct {
	Rule
	Threshold Num    `json:"threshold"` // the limit on candidate − base, absolute
	Base      Num    `json:"base"`
	Candidate Num    `json:"candidate"`
	Passed    bool   `json:"passed"`
	Message   string `json:"message"`
}

// Comparison is compare.json.
type Comparison struct {
	FormatVersion int    `json:"format_version"`
	Base          RunRef `json:"base"`
	Candidate     RunRef `json:"candidate"`
	SameScenario  bool   `json:"same_scenario"`
	// Difference says how the two runs' scenarios relate: "same", "seeds
	// differ" (the same scenario run with another seed and/or replication
	// count: compared unpaired, its differences mix noise with any change
	// of the code; DifferingFields says which of the two), or "scenarios
	// differ" (DifferingFields lists the top-level fields that differ).
	Difference      string          `json:"difference"`
	DifferingFields []string        `json:"differing_fields,omitempty"`
	Paired          bool            `json:"paired"`
	Pairing         string          `json:"pairing"`
	Note            string          `json:"note"`
	KPIs            []KPIComparison `json:"kpis"`
	MissingKPIs     []string        `json:"missing_kpis"` // in one run only
	Rules           []RuleResult    `json:"rules"`
	Passed          bool            `json:"passed"`

	base, cand *Run
	metrics    []MetricDecl
}

// ErrCompareInput is wrapped by Compare's errors about its input (a rule
// naming a KPI one run lacks or does not define): exit status 2.
var ErrCompareInput = errors.New("cannot compare")

func ref(r *Run) RunRef {
	s := r.Summary
	return RunRef{Dir: r.Dir, Scenario: s.Scenario, Hash: s.Hash, Seed: s.Seed, Replications: s.Replications}
}

// Compare compares the baselines of two runs KPI by KPI and checks rules.
// Replications are paired (and the CIs paired) when both runs used the same
// seed and number of replications; otherwise the difference has a Welch CI.
func Compare(base, cand *Run, rules []Rule) (*Comparison, error) {
	c := &Comparison{
		FormatVersion: FormatVersion, Base: ref(base), Candidate: ref(cand),
		SameScenario: base.Summary.Hash == cand.Summary.Hash, Note: NoiseNote,
		KPIs: []KPIComparison{}, MissingKPIs: []string{}, Rules: []RuleResult{}, Passed: true,
		base: base, cand: cand,
	}
	c.Difference, c.DifferingFields = scenarioDifference(base, cand)
	bs, cs := base.Summary, cand.Summary
	bv := base.Replications[bs.Baseline]
	cv := cand.Replications[cs.Baseline]
	c.Paired = bs.Seed == cs.Seed && bs.Replications == cs.Replications
	switch {
	case c.Paired:
		c.Pairing = fmt.Sprintf("paired by seed: both runs used seed %d and %d replications, so replication i of one is compared with replication i of the other", bs.Seed, bs.Replications)
	case bs.Seed != cs.Seed:
		c.Pairing = fmt.Sprintf("unpaired (Welch): the seeds differ (%d vs %d)", bs.Seed, cs.Seed)
	default:
		c.Pairing = fmt.Sprintf("unpaired (Welch): the replication counts differ (%d vs %d)", bs.Replications, cs.Replications)
	}
	inCand := map[string]MetricDecl{}
	for _, m := range cs.Metrics {
		inCand[m.Name] = m
	}
	inBase := map[string]bool{}
	for _, m := range bs.Metrics {
		inBase[m.Name] = true
		if _, ok := inCand[m.Name]; !ok {
			c.MissingKPIs = append(c.MissingKPIs, m.Name)
			continue
		}
		c.metrics = append(c.metrics, m)
		c.KPIs = append(c.KPIs, compareKPI(m, bv[m.Name], cv[m.Name], c.Paired))
	}
	for _, m := range cs.Metrics {
		if !inBase[m.Name] {
			c.MissingKPIs = append(c.MissingKPIs, m.Name)
		}
	}
	var errs []error
	for _, r := range rules {
		var kc *KPIComparison
		for i := range c.KPIs {
			if c.KPIs[i].Name == r.KPI {
				kc = &c.KPIs[i]
			}
		}
		if kc == nil {
			switch {
			case inBase[r.KPI]:
				errs = append(errs, fmt.Errorf("%w: rule %q: KPI %q is missing from the candidate %s", ErrCompareInput, r.Text, r.KPI, cand.Dir))
			case inCand[r.KPI].Name != "":
				errs = append(errs, fmt.Errorf("%w: rule %q: KPI %q is missing from the base %s", ErrCompareInput, r.Text, r.KPI, base.Dir))
			default:
				errs = append(errs, fmt.Errorf("%w: rule %q: no KPI %q in either run (KPIs: %s)", ErrCompareInput, r.Text, r.KPI, strings.Join(metricNames(bs.Metrics), ", ")))
			}
			continue
		}
		if !kc.Base.Mean.Defined() || !kc.Candidate.Mean.Defined() {
			which := base.Dir
			if kc.Base.Mean.Defined() {
				which = cand.Dir
			}
			errs = append(errs, fmt.Errorf("%w: rule %q: KPI %q is undefined in %s (no replication defines it)", ErrCompareInput, r.Text, r.KPI, which))
			continue
		}
		rr := checkRule(r, kc)
		if !rr.Passed {
			c.Passed = false
		}
		c.Rules = append(c.Rules, rr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func metricNames(ms []MetricDecl) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func compareKPI(m MetricDecl, b, c []float64, paired bool) KPIComparison {
	kc := KPIComparison{Name: m.Name, Label: m.Label, Unit: m.Unit,
		Base: intervalOf(b), Candidate: intervalOf(c)}
	be := stats.MeanCI(b, stats.DefaultLevel)
	var de stats.Estimate
	if paired {
		de = stats.PairedDiff(c, b, stats.DefaultLevel)
	} else {
		de = stats.WelchDiff(stats.MeanCI(c, stats.DefaultLevel), be, stats.DefaultLevel)
	}
	if de.N == 0 || !finite(de.Mean) {
		kc.Diff = Interval{nan(), [2]Num{nan(), nan()}}
		kc.Pct = kc.Diff
		kc.Verdict = "undefined"
		return kc
	}
	kc.Diff = intervalFrom(de)
	kc.Pct = pctOf(de, be)
	kc.Verdict = judgement(m, direction(Diff{Diff: kc.Diff}))
	return kc
}

func checkRule(r Rule, kc *KPIComparison) RuleResult {
	base, cand := float64(kc.Base.Mean), float64(kc.Candidate.Mean)
	thr := r.Change
	if r.Relative {
		thr = r.Change / 100 * math.Abs(base)
	}
	rr := RuleResult{Rule: r, Threshold: Num(thr), Base: kc.Base.Mean, Candidate: kc.Candidate.Mean, Passed: true}
	diff := cand - base
	lo, hi := float64(kc.Diff.CI95[0]), float64(kc.Diff.CI95[1])
	past := func(x float64) bool {
		if r.Change < 0 {
			return x < thr
		}
		return x > thr
	}
	var test float64
	switch {
	case !r.NoiseAware:
		test = diff
	case r.Change < 0:
		test = hi // the whole CI must lie below the threshold
	default:
		test = lo
	}
	if r.NoiseAware && (!finite(lo) || !finite(hi)) {
		test = diff
	}
	rr.Passed = !past(test)
	dir, limit := "below", "drop"
	if r.Change > 0 {
		dir, limit = "above", "rise"
	}
	amount := human(math.Abs(r.Change))
	if r.Relative {
		amount = strconv.FormatFloat(math.Abs(r.Change), 'g', -1, 64) + "%"
	}
	chg := humanSigned(diff)
	if kc.Pct.Mean.Defined() {
		chg = humanPct(float64(kc.Pct.Mean))
	}
	label := kc.Label
	if label == "" {
		label = kc.Name
	}
	vals := fmt.Sprintf("%s: base %s, candidate %s (%s)", label, human(base), human(cand), chg)
	switch {
	case rr.Passed && r.NoiseAware:
		rr.Message = fmt.Sprintf("ok   %s — %s; the 95%% CI of the change [%s, %s] does not lie wholly more than %s %s the base", r.Text, vals, humanSigned(lo), humanSigned(hi), amount, dir)
	case rr.Passed:
		rr.Message = fmt.Sprintf("ok   %s — %s; within the allowed %s of %s", r.Text, vals, limit, amount)
		if (r.Change <= 0 && diff >= 0) || (r.Change > 0 && diff <= 0) {
			rr.Message = fmt.Sprintf("ok   %s — %s; no %s at all", r.Text, vals, limit)
		}
	case r.NoiseAware:
		rr.Message = fmt.Sprintf("FAIL %s — %s; the whole 95%% CI of the change [%s, %s] is more than %s %s the base", r.Text, vals, humanSigned(lo), humanSigned(hi), amount, dir)
	default:
		rr.Message = fmt.Sprintf("FAIL %s — %s; more than %s %s the base", r.Text, vals, amount, dir)
	}
	return rr
}

// Violations lists the failed rules.
func (c *Comparison) Violations() []RuleResult {
	var out []RuleResult
	for _, r := range c.Rules {
		if !r.Passed {
			out = append(out, r)
		}
	}
	return out
}

// Markdown renders compare.md (for a CI job summary or a pull request).
func (c *Comparison) Markdown(figs []figure) []byte {
	var b bytes.Buffer
	status := "✅ passed"
	if !c.Passed {
		status = fmt.Sprintf("❌ FAILED — %d rule(s) violated", len(c.Violations()))
	} else if len(c.Rules) == 0 {
		status = "no rules given"
	}
	fmt.Fprintf(&b, "# startrend compare: %s\n\n", status)
	fmt.Fprintf(&b, "**%s**\n\n", mdEscape(c.Summary()))
	if w := c.differenceNote(); w != "" {
		fmt.Fprintf(&b, "> [!WARNING]\n> %s\n\n", mdEscape(w))
	}
	fmt.Fprintf(&b, "| | run | scenario | hash | seed | replications |\n|---|---|---|---|---:|---:|\n")
	for _, r := range []struct {
		n string
		r RunRef
	}{{"base", c.Base}, {"candidate", c.Candidate}} {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d |\n", r.n, mdCode(r.r.Dir), mdEscape(r.r.Scenario), mdCode(short(r.r.Hash)), r.r.Seed, r.r.Replications)
	}
	fmt.Fprintf(&b, "\nComparison: %s.\n\n> %s\n\n", c.Pairing, NoiseNote)
	if len(c.Rules) > 0 {
		b.WriteString("## Rules\n\n| rule | KPI | base | candidate | change | result |\n|---|---|---:|---:|---:|---|\n")
		for _, r := range c.Rules {
			kc := c.kpi(r.KPI)
			res := "✅ ok"
			if !r.Passed {
				res = "❌ **FAIL**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCode(r.Text), mdEscape(kc.Label), human(float64(r.Base)), human(float64(r.Candidate)), pctOrDiff(kc), res)
		}
		b.WriteString("\n")
	}
	b.WriteString("## KPIs (each run's baseline variant)\n\nMean over replications [95% CI]; difference = candidate − base.\n\n")
	b.WriteString("| KPI | unit | base | candidate | difference [95% CI] | % of base [95% CI] | verdict |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, k := range c.KPIs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(k.Label), mdEscape(k.Unit), intervalText(k.Base), intervalText(k.Candidate),
			diffText(Diff{Diff: k.Diff}), pctText(Diff{Pct: k.Pct}), k.Verdict)
	}
	if len(c.MissingKPIs) > 0 {
		fmt.Fprintf(&b, "\nKPIs in one run only (not compared): %s.\n", mdEscape(strings.Join(c.MissingKPIs, ", ")))
	}
	if len(figs) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, f := range figs {
			fmt.Fprintf(&b, "![%s](%s/%s.png)\n\n", mdEscape(f.Caption), PlotsDir, f.Name)
		}
	}
	return b.Bytes()
}

func (c *Comparison) kpi(name string) *KPIComparison {
	for i := range c.KPIs {
		if c.KPIs[i].Name == name {
			return &c.KPIs[i]
		}
	}
	return &KPIComparison{Name: name, Label: name}
}

func pctOrDiff(k *KPIComparison) string {
	if k.Pct.Mean.Defined() {
		return humanPct(float64(k.Pct.Mean))
	}
	return humanSigned(float64(k.Diff.Mean))
}

func intervalText(iv Interval) string {
	if !iv.Mean.Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%s [%s, %s]", human(float64(iv.Mean)), human(float64(iv.CI95[0])), human(float64(iv.CI95[1])))
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// CompareOptions control WriteComparison.
type CompareOptions struct {
	Font string    // plot font (see ReportOptions)
	Warn io.Writer // one warning about undrawable labels; nil = os.Stderr
	// Force replaces a comparison already in the output directory (and
	// only a comparison); without it an existing output is refused.
	Force bool
}

// DefaultCompareDir is the output directory of a comparison without -o: a
// sibling of the candidate run named BASE-vs-CANDIDATE (the runs'
// directory names), so that neither run directory is written into.
func DefaultCompareDir(baseDir, candDir string) string {
	name := func(d string) string {
		b := filepath.Base(filepath.Clean(d))
		if b == "." || b == string(filepath.Separator) {
			if abs, err := filepath.Abs(d); err == nil {
				b = filepath.Base(abs)
			}
		}
		return b
	}
	return filepath.Join(filepath.Dir(filepath.Clean(candDir)), name(baseDir)+"-vs-"+name(candDir))
}

// WriteComparison writes compare.json, compare.md and plots/ into dir,
// atomically (a staging sibling swapped into place; see package outdir).
// An existing comparison in dir is replaced only with opt.Force; anything
// else that is not empty is never replaced.
func WriteComparison(dir string, c *Comparison, opt CompareOptions) error {
	begin := func(d string) (*outdir.Staging, error) { return outdir.Begin(d, outdir.Compare, false) }
	if opt.Force {
		begin = func(d string) (*outdir.Staging, error) { return outdir.BeginOwn(d, outdir.Compare) }
	}
	st, err := begin(filepath.Clean(dir))
	if err != nil {
		return err
	}
	defer st.Abort()
	tmp := st.Dir
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	specs := c.plotSpecs(th)
	if err := renderPlots(tmp, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	warnSubstituted(th, opt.Warn)
	figs := make([]figure, len(specs))
	for i, s := range specs {
		figs[i] = figure{Name: s.Name, Caption: s.Caption}
	}
	if err := writeJSONFile(filepath.Join(tmp, CompareJSONFile), c); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, CompareMDFile), c.Markdown(figs), 0o644); err != nil {
		return err
	}
	return st.Commit()
}

// plotSpecs: side by side (base vs candidate with 95% CIs) for every KPI,
// the differences of every KPI in one figure, and the daily series overlaid.
func (c *Comparison) plotSpecs(th *theme) []plotSpec {
	var specs []plotSpec
	names := []string{th.label("base", "base"), th.label("candidate", "candidate")}
	if len(c.KPIs) > 0 {
		var es []effect
		for _, k := range c.KPIs {
			lo, hi := float64(k.Pct.CI95[0]), float64(k.Pct.CI95[1])
			clear := lo > 0 || hi < 0
			better := k.Verdict == "better"
			es = append(es, effect{Label: th.label(k.Label, k.Name), Mean: float64(k.Pct.Mean), Lo: lo, Hi: hi, Clear: clear, Better: better})
		}
		kept, dropped := topEffects(es, maxEffects)
		caption := fmt.Sprintf("Candidate − base: the %d largest changes in %% of the base mean, with 95%% CIs (%s); green better, red worse, grey not clear.", len(kept), c.pairingShort())
		if dropped > 0 {
			caption += fmt.Sprintf(" %d smaller ones are in the table.", dropped)
		}
		specs = append(specs, plotSpec{
			Name:    "compare_diff",
			Caption: caption,
			W:       wideW, H: effectsHeight(len(kept)),
			Make: func() *plot.Plot {
				return th.effectsChart("Candidate vs base", "change (% of base mean)", kept)
			},
		})
	}
	for _, k := range c.KPIs {
		k := k
		label := th.label(k.Label, k.Name)
		specs = append(specs, plotSpec{
			Name:    "compare_kpi_" + fileStem(k.Name, "kpi"),
			Caption: fmt.Sprintf("%s: base vs candidate, mean over replications with 95%% CIs.", label),
			W:       smallW, H: stdH,
			Make: func() *plot.Plot {
				p := th.newPlot(label+": base vs candidate", "run", fmt.Sprintf("%s (%s)", label, k.Unit))
				for i, iv := range []Interval{k.Base, k.Candidate} {
					vals := []float64{math.NaN(), math.NaN()}
					lo, hi := []float64{math.NaN(), math.NaN()}, []float64{math.NaN(), math.NaN()}
					vals[i], lo[i], hi[i] = float64(iv.Mean), float64(iv.CI95[0]), float64(iv.CI95[1])
					b := &bars{Vals: vals, Lo: lo, Hi: hi, Width: 0.6, Color: colorAt(i)}
					p.Add(b)
				}
				nominal(p, names)
				return p
			},
		})
	}
	bs, cs := c.base.Summary, c.cand.Summary
	for _, name := range kpiSeries {
		sb, sc := c.base.Timeseries[bs.Baseline][name], c.cand.Timeseries[cs.Baseline][name]
		if sb == nil || sc == nil {
			continue
		}
		name := name
		label := name
		unit := ""
		for _, m := range c.metrics {
			if m.Name == name {
				label, unit = th.label(m.Label, name), m.Unit
			}
		}
		specs = append(specs, plotSpec{
			Name:    "compare_series_" + name,
			Caption: fmt.Sprintf("%s per day, base vs candidate (mean with 95%% band).", label),
			W:       stdW, H: stdH,
			Make: func() *plot.Plot {
				p := th.newPlot(label+" per day: base vs candidate", "day (KPI days after warm-up)", fmt.Sprintf("%s (%s per day)", label, unit))
				addBandLine(p, sb, colorAt(0), names[0])
				addBandLine(p, sc, colorAt(1), names[1])
				return p
			},
		})
	}
	return specs
}

func (c *Comparison) pairingShort() string {
	if c.Paired {
		return "paired by seed"
	}
	return "unpaired, Welch"
}

// Exit statuses of CompareDirs (and `startrend compare`).
const (
	CompareOK        = 0 // every rule passed
	CompareViolation = 1 // at least one rule failed
	CompareBadInput  = 2 // bad arguments, unreadable or unfinished runs, a KPI one run lacks
)

// CompareDirs is `startrend compare`: it reads two run directories, checks
// the rules (--fail-on), writes compare.json, compare.md and plots into out
// (default: DefaultCompareDir) and returns the exit status. stdout gets the
// verdict of each rule and the output directory; stderr the errors.
func CompareDirs(baseDir, candDir, out string, ruleTexts []string, opt CompareOptions, stdout, stderr io.Writer) int {
	var rules []Rule
	bad := false
	for _, t := range ruleTexts {
		r, err := ParseRule(t)
		if err != nil {
			fmt.Fprintf(stderr, "startrend compare: %v\n", err)
			bad = true
			continue
		}
		rules = append(rules, r)
	}
	base, err := ReadRun(baseDir)
	if err != nil {
		fmt.Fprintf(stderr, "startrend compare: base: %v\n", err)
		bad = true
	}
	cand, err := ReadRun(candDir)
	if err != nil {
		fmt.Fprintf(stderr, "startrend compare: candidate: %v\n", err)
		bad = true
	}
	if bad {
		return CompareBadInput
	}
	c, err := Compare(base, cand, rules)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "startrend compare: %s\n", line)
		}
		return CompareBadInput
	}
	if out == "" {
		out = DefaultCompareDir(baseDir, candDir)
	}
	if opt.Warn == nil {
		opt.Warn = stderr
	}
	if w := c.differenceNote(); w != "" {
		fmt.Fprintf(stderr, "startrend compare: note: %s\n", w)
	}
	if err := WriteComparison(out, c, opt); err != nil {
		fmt.Fprintf(stderr, "startrend compare: writing %s: %v\n", out, err)
		return CompareBadInput
	}
	fmt.Fprintf(stdout, "compare: %s\n", c.Summary())
	fmt.Fprintf(stdout, "compare: %s\n", c.Pairing)
	for _, r := range c.Rules {
		fmt.Fprintln(stdout, r.Message)
	}
	fmt.Fprintln(stdout, out)
	if !c.Passed {
		fmt.Fprintf(stderr, "startrend compare: %d rule(s) violated\n", len(c.Violations()))
		return CompareViolation
	}
	return CompareOK
}

// scenarioDifference classifies how the runs' scenarios (their resolved
// scenario.yaml) relate: "same"; "seeds differ" when they differ only in
// seed and/or replications — the same scenario, other random numbers; or
// "scenarios differ", with the top-level fields that differ.
func scenarioDifference(base, cand *Run) (string, []string) {
	if base.Summary.Hash == cand.Summary.Hash {
		return "same", nil
	}
	var a, b map[string]any
	if yaml.Unmarshal(base.ScenarioYAML, &a) != nil || yaml.Unmarshal(cand.ScenarioYAML, &b) != nil || a == nil || b == nil {
		return "scenarios differ", nil
	}
	var fields []string
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			fields = append(fields, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		if f != "seed" && f != "replications" {
			return "scenarios differ", fields
		}
	}
	if len(fields) == 0 { // same content, another hash (e.g. a roster's bytes)
		return "scenarios differ", nil
	}
	return "seeds differ", fields
}

// differenceNote explains a difference of the runs' scenarios ("" when
// they are the same).
func (c *Comparison) differenceNote() string {
	switch c.Difference {
	case "same", "":
		return ""
	case "seeds differ":
		if c.Base.Seed == c.Candidate.Seed {
			return fmt.Sprintf("The replication counts differ (base %d, candidate %d) but the scenario and seed are the same: the runs are compared unpaired (Welch). "+
				"Run both with the same --reps to pair them.", c.Base.Replications, c.Candidate.Replications)
		}
		return fmt.Sprintf("The seeds differ (base seed %d, %d replications; candidate seed %d, %d replications) but the scenario is the same: "+
			"the runs drew different random numbers, so their differences are not paired — they mix simulation noise with any change of the code. "+
			"Run both with the same --seed and --reps to pair them.", c.Base.Seed, c.Base.Replications, c.Candidate.Seed, c.Candidate.Replications)
	}
	what := "the scenarios differ"
	if len(c.DifferingFields) > 0 {
		what += " in " + strings.Join(c.DifferingFields, ", ")
	}
	return fmt.Sprintf("The scenarios differ (base hash %s, candidate hash %s): %s, so the KPIs may differ because the scenario changed, not only the code.",
		short(c.Base.Hash), short(c.Candidate.Hash), what)
}

// Summary is the comparison's verdict in one sentence: the rules' outcome
// and how many KPIs are clearly better, clearly worse or not clearly
// different at 95%, and how they were compared.
func (c *Comparison) Summary() string {
	var better, worse, unclear, undefined []string
	for _, k := range c.KPIs {
		label := k.Label
		if label == "" {
			label = k.Name
		}
		switch k.Verdict {
		case "better":
			better = append(better, label)
		case "worse":
			worse = append(worse, label)
		case "undefined":
			undefined = append(undefined, label)
		default:
			unclear = append(unclear, label)
		}
	}
	var b strings.Builder
	switch v := len(c.Violations()); {
	case len(c.Rules) == 0:
		b.WriteString("No rules given. ")
	case v == 0:
		fmt.Fprintf(&b, "All %d rules passed. ", len(c.Rules))
	default:
		fmt.Fprintf(&b, "%d of %d rules violated. ", v, len(c.Rules))
	}
	list := func(ls []string) string {
		if len(ls) == 0 {
			return ""
		}
		if len(ls) > 3 {
			return " (" + strings.Join(ls[:3], ", ") + fmt.Sprintf(", and %d more)", len(ls)-3)
		}
		return " (" + strings.Join(ls, ", ") + ")"
	}
	fmt.Fprintf(&b, "Candidate against base, at 95%%: %d KPIs better%s, %d worse%s, %d without a clear difference", len(better), list(better), len(worse), list(worse), len(unclear))
	if len(undefined) > 0 {
		fmt.Fprintf(&b, ", %d undefined", len(undefined))
	}
	fmt.Fprintf(&b, " (%s).", c.pairingShort())
	return b.String()
}
