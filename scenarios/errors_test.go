package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// base is a small valid scenario; cases edit it by replacing a line.
const base = `name: t
horizon_days: 30
population:
  users: 100
creators:
  generate: {count: 10}
merchants:
  - id: m
    products:
      - {id: p, price: 100}
    budget: {creator_fees: 1000, paid_traffic: 100}
    strategy:
      matrix:
        - {type: seeder, tier: tail, format: short_video, count: 2}
`

func TestBaseValid(t *testing.T) {
	if _, err := LoadBytes("t.yaml", []byte(base)); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old (which must occur in base) by new.
func edit(old, new string) string {
	if !strings.Contains(base, old) {
		panic("edit: not in base: " + old)
	}
	return strings.Replace(base, old, new, 1)
}

func add(extra string) string { return base + extra }

// TestMalformed checks every class of error: each case's errors must
// include the wanted lines (FILE:LINE:COL: path: message...) as prefixes.
func TestMalformed(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		sets []string
		want []string
	}{
		{"unknown key with suggestion", edit("budget: {", "budjet: {"),
			nil, []string{`t.yaml:11:5: merchants.m: unknown field "budjet" (did you mean "budget"?)`}},
		{"unknown top-level key", add("horizon: 3\n"),
			nil, []string{`t.yaml:15:1: unknown field "horizon" (did you mean "horizon_days"?)`}},
		{"type error number", edit("horizon_days: 30", "horizon_days: abc"),
			nil, []string{`t.yaml:2:15: horizon_days: expected an integer (got "abc")`}},
		{"type error float", edit("price: 100", "price: cheap"),
			nil, []string{`t.yaml:10:24: merchants.m.products.p.price: expected a number (got "cheap")`}},
		{"non-integral int", edit("count: 2}", "count: 2.5}"),
			nil, []string{`t.yaml:14:66: merchants.m.strategy.matrix.any-seeder-tail-short_video.count: expected an integer (got "2.5")`}},
		{"expected mapping", edit("population:\n  users: 100", "population: 5"),
			nil, []string{`t.yaml:3:13: population: expected a mapping (got "5")`}},
		{"expected list", edit("merchants:\n", "merchants: {a: 1}\nx:\n"),
			nil, []string{`t.yaml:7:12: merchants: expected a list (got a mapping)`}},
		{"duplicate key", edit("horizon_days: 30", "horizon_days: 30\nhorizon_days: 31"),
			nil, []string{`t.yaml:3:1: horizon_days: duplicate key (got "horizon_days")`}},
		{"non-scalar field name", edit("horizon_days: 30", "horizon_days: 30\n? [a, b]\n: 1"),
			nil, []string{`t.yaml:3:3: expected a field name (got`}},
		{"missing required", edit("name: t\n", ""),
			nil, []string{`t.yaml:1:1: name: missing required field`}},
		{"missing product price", edit("{id: p, price: 100}", "{id: p}"),
			nil, []string{`t.yaml:10:9: merchants.m.products.p.price: missing required field`}},
		{"probability out of range", edit("price: 100}", "price: 100, margin: 1.5}"),
			nil, []string{`t.yaml:10:37: merchants.m.products.p.margin: out of range (got 1.5, allowed [0, 1])`}},
		{"negative money", edit("creator_fees: 1000", "creator_fees: -5"),
			nil, []string{`t.yaml:11:28: merchants.m.budget.creator_fees: out of range (got -5, allowed ≥ 0)`}},
		{"horizon out of range", edit("horizon_days: 30", "horizon_days: 0"),
			nil, []string{`t.yaml:2:15: horizon_days: out of range (got 0, allowed [1, 3650])`}},
		{"users zero", edit("users: 100", "users: 0"),
			nil, []string{`t.yaml:4:10: population.users: out of range (got 0, allowed [1, 2e+08])`}},
		{"misplaced key", add("groups: []\n"),
			nil, []string{`t.yaml:15:1: unknown field "groups"`}},
		{"group shares", edit("  users: 100", "  users: 100\n  groups:\n    - {id: gen_z, share: 0.5}\n    - {id: urban_silver, share: 0.4}"),
			nil, []string{`t.yaml:6:5: population.groups: shares must sum to 1 (within 1e-6) (got 0.9, allowed 1)`}},
		{"tier shares", edit("{count: 10}", "{count: 10, tiers: {head: 0.5, waist: 0.5, tail: 0.5, koc: 0}}"),
			nil, []string{`t.yaml:6:32: creators.generate.tiers: shares must sum to 1 (within 1e-6) (got 1.5, allowed 1)`}},
		{"enum with suggestion", edit("tier: tail", "tier: tial"),
			nil, []string{`t.yaml:14:32: merchants.m.strategy.matrix.any-seeder-tial-short_video.tier: invalid value (did you mean "tail"?) (got "tial", allowed head, waist, tail, koc)`}},
		{"bad format", edit("format: short_video", "format: video"),
			nil, []string{`t.yaml:14:46: merchants.m.strategy.matrix.any-seeder-tail-video.format: invalid value (got "video", allowed short_video, live, post, storefront)`}},
		{"dangling creator type", edit("type: seeder", "type: seedr"),
			nil, []string{`t.yaml:14:18: merchants.m.strategy.matrix.any-seedr-tail-short_video.type: unknown creator type (did you mean "seeder"?) (got "seedr"`}},
		{"dangling product", edit("count: 2}", "count: 2, product: q}"),
			nil, []string{`t.yaml:14:78: merchants.m.strategy.matrix.any-seeder-tail-short_video.product: unknown product of m (did you mean "p"?) (got "q", allowed p)`}},
		{"dangling campaign merchant", add("campaigns:\n  - {id: sv, window: [1, 5], eligible: {merchants: [n]}}\n"),
			nil, []string{`t.yaml:16:53: campaigns.sv.eligible.merchants.0: unknown merchant (did you mean "m"?) (got "n", allowed m)`}},
		{"campaign window outside horizon", add("campaigns:\n  - {id: sv, window: [20, 40], eligible: {merchants: [m]}}\n"),
			nil, []string{`t.yaml:16:22: campaigns.sv.window: must be [first, last] inside the horizon with first ≤ last (got [20, 40], allowed 1 ≤ first ≤ last ≤ 30)`}},
		{"window wrong length", add("campaigns:\n  - {id: sv, window: [1, 2, 3], eligible: {merchants: [m]}}\n"),
			nil, []string{`t.yaml:16:22: campaigns.sv.window: expected a list of 2 values (got a list)`}},
		{"dangling trend rider", add("trends:\n  - {id: tr, start_day: 3, p: 0.01, q: 0.3, riders: [x]}\n"),
			nil, []string{`t.yaml:16:54: trends.tr.riders.0: unknown merchant (did you mean "m"?) (got "x", allowed m)`}},
		{"trend start outside horizon", add("trends:\n  - {id: tr, start_day: 31, p: 0.01, q: 0.3}\n"),
			nil, []string{`t.yaml:16:25: trends.tr.start_day: outside the simulated days (got 31, allowed [1, 30])`}},
		{"duplicate ids", edit("      - {id: p, price: 100}", "      - {id: p, price: 100}\n      - {id: p, price: 50}"),
			nil, []string{`t.yaml:11:9: merchants.m.products.p: duplicate product id (got "p")`}},
		{"id with dot", edit("id: m", "id: m.x"),
			nil, []string{`t.yaml:8:5: merchants.m.x: merchant id must not contain '.', '=' or white space (got "m.x")`}},
		{"variant bad path", add("variants:\n  - name: v\n    set: {merchants.m.budget.paid: 5}\n"),
			nil, []string{`t.yaml:17:36: variants.v.set.merchants.m.budget.paid: merchants.m.budget has no field "paid" (did you mean "paid_traffic"?)`}},
		{"variant invalid value", add("variants:\n  - name: v\n    set: {merchants.m.products.p.margin: 2}\n"),
			nil, []string{`t.yaml:17:42: merchants.m.products.p.margin: in variant v: out of range (got 2, allowed [0, 1])`}},
		{"variant named baseline", add("variants:\n  - name: baseline\n    set: {horizon_days: 5}\n"),
			nil, []string{`t.yaml:16:11: variants.baseline.name: "baseline" names the scenario itself`}},
		{"optimize bad merchant and path", add("optimize:\n  merchant: n\n  decide:\n    - {path: merchants.m.budget.pacing, max: 5}\n"),
			nil, []string{
				`t.yaml:16:13: optimize.merchant: unknown merchant (did you mean "m"?) (got "n", allowed m)`,
				`t.yaml:18:14: optimize.decide.0.path: must name a numeric field: is not a number (it is a string)`}},
		{"sweep bad path", add("sweep:\n  parameters:\n    - {path: platform.cmp, min: 1, max: 2, step: 0.5}\n"),
			nil, []string{`t.yaml:17:14: sweep.parameters.0.path: platform has no field "cmp" (did you mean "cpm"?) (got "platform.cmp")`}},
		{"yaml syntax error", "name: t\nhorizon_days: [1, 2\n",
			nil, []string{`t.yaml:2:1: YAML syntax error: did not find expected ',' or ']'`}},
		{"empty file", "   \n",
			nil, []string{`t.yaml:1:1: empty file`}},
		{"not a mapping", "- a\n- b\n",
			nil, []string{`t.yaml:1:1: not a scenario file (its top level is a list, not a mapping)`}},
		{"no creators", edit("creators:\n  generate: {count: 10}\n", ""),
			nil, []string{`t.yaml:1:1: creators: no creators: give generate, roster or both`}},
		{"set unknown path", base, []string{"horizon_dayz=3"},
			[]string{`--set:1:14: horizon_dayz: the scenario has no field "horizon_dayz" (did you mean "horizon_days"?)`}},
		{"set bad type", base, []string{"seed=1", "population.users=many"},
			[]string{`--set:2:18: population.users: expected an integer (got "many")`}},
		{"set out of range", base, []string{"merchants.m.products.p.refund_rate=3"},
			[]string{`--set:1:36: merchants.m.products.p.refund_rate: out of range (got 3, allowed [0, 1])`}},
		{"set without =", base, []string{"horizon_days"},
			[]string{`--set:1:1: expected PATH=VALUE (got "horizon_days")`}},
		{"task without terms", edit("count: 2}", "count: 2, contract: task}"),
			nil, []string{`t.yaml:14:11: merchants.m.strategy.matrix.any-seeder-tail-short_video.task: a task contract needs task terms`}},
		{"stage and bass", edit("{id: p, price: 100}", "{id: p, price: 100, stage: growth, bass: {p: 0.01, q: 0.1}}"),
			nil, []string{`t.yaml:10:50: merchants.m.products.p.bass: give stage or bass, not both`}},
		{"nan", edit("price: 100", "price: .nan"),
			nil, []string{`t.yaml:10:24: merchants.m.products.p.price: expected a finite number (got ".nan")`}},
		{"missing extends", add("extends: nothere.yaml\n"),
			nil, []string{`t.yaml:15:10: extends: file not found (got "nothere.yaml")`}},
		{"missing roster", edit("generate: {count: 10}", "roster: nothere.csv"),
			nil, []string{`t.yaml:6:11: creators.roster: roster file not found (got "nothere.csv")`}},
		{"all problems at once", strings.Replace(edit("horizon_days: 30", "horizon_days: x"), "users: 100", "users: -1", 1),
			nil, []string{`t.yaml:2:15: horizon_days:`, `t.yaml:4:10: population.users: out of range`}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadBytes("t.yaml", []byte(c.yaml), c.sets...)
			if err == nil {
				t.Fatal("no error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error is %T, not Errors: %v", err, err)
			}
			for _, w := range c.want {
				found := false
				for _, e := range es {
					if strings.HasPrefix(e.Error(), w) {
						found = true
					}
					if e.Line == 0 && e.File != "t.yaml" && e.File != "--set" {
						t.Errorf("error without position: %v", e)
					}
				}
				if !found {
					t.Errorf("want prefix\n  %s\ngot\n  %s", w, strings.ReplaceAll(err.Error(), "\n", "\n  "))
				}
			}
		})
	}
}
