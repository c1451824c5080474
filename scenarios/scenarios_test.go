package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func TestLibraryValidates(t *testing.T) {
	names := Library()
	for _, want := range []string{"default.yaml", "apparel-launch.yaml", "super-value.yaml", "mint-manbo-trend.yaml",
		"magpie-bridge.yaml", "xingque-linkage.yaml", "bench-1m.yaml", "bench-100m.yaml"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("library lacks %s", want)
		}
	}
	for _, n := range names {
		sc, err := LoadLibrary(n)
		if err != nil {
			t.Errorf("%s:\n%v", n, err)
			continue
		}
		if sc.Description == "" {
			t.Errorf("%s: no description", n)
		}
		// Marshal is canonical: loading it gives the same bytes.
		b, _ := Marshal(sc)
		again, err := LoadBytes(n, b)
		if err != nil {
			t.Errorf("%s: resolved YAML does not load: %v", n, err)
			continue
		}
		b2, _ := Marshal(again)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: Marshal not stable under reload", n)
		}
		for _, v := range sc.Variants {
			if _, err := ApplyVariant(sc, v); err != nil {
				t.Errorf("%s variant %s: %v", n, v.Name, err)
			}
		}
	}
	bench, _ := LoadLibrary("bench-1m")
	if bench.Population.Users != 1_000_000 || bench.Creators.Generate.Count < 10000 || len(bench.Merchants) < 20 || bench.HorizonDays != 30 {
		t.Errorf("bench-1m does not match its specification")
	}
	big, _ := LoadLibrary("bench-100m")
	if big.Population.Users != 100_000_000 || len(big.Merchants) != len(bench.Merchants) {
		t.Errorf("bench-100m does not extend bench-1m")
	}
	for _, n := range []string{"apparel-launch", "magpie-bridge"} {
		if sc, _ := LoadLibrary(n); sc.Optimize == nil || sc.Optimize.Budget.TotalAtMost == 0 {
			t.Errorf("%s: no optimize block with a budget", n)
		}
	}
}

// TestLibraryShrinks: tests shrink library scenarios with --set, as users can.
func TestLibraryShrinks(t *testing.T) {
	sc, err := LoadLibrary("bench-1m", "population.users=2000", "creators.generate.count=100", "horizon_days=5", "replications=1",
		"campaigns.super_value.window=[1, 3]")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Population.Users != 2000 || sc.HorizonDays != 5 || sc.Campaigns[0].Window != [2]int{1, 3} {
		t.Fatalf("sets not applied: %+v", sc.Population)
	}
}

func TestSchemaValidatesLibrary(t *testing.T) {
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("scenario.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	toJSON := func(b []byte) any {
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		x, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, n := range Library() {
		raw, _ := library.ReadFile(n)
		if err := schema.Validate(toJSON(raw)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		sc, _ := LoadLibrary(n)
		resolved, _ := Marshal(sc)
		if err := schema.Validate(toJSON(resolved)); err != nil {
			t.Errorf("%s resolved: %v", n, err)
		}
	}
	// And the schema rejects what the loader rejects.
	if err := schema.Validate(toJSON([]byte(edit("budget: {", "budjet: {")))); err == nil {
		t.Error("schema accepts an unknown field")
	}
	if err := schema.Validate(toJSON([]byte(edit("tier: tail", "tier: tial")))); err == nil {
		t.Error("schema accepts a bad enum")
	}
	if !strings.Contains(string(data), "PriceSensitivity in [0, 3]") {
		t.Error("schema lacks doc descriptions")
	}
}

func TestDefaultsAndExplicitZero(t *testing.T) {
	sc, err := LoadBytes("t.yaml", []byte(strings.Replace(base, "horizon_days: 30", "horizon_days: 30\nseed: 0\nplatform: {cpm: 0, formats: {live: {reach: 2}}}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 0 || sc.Platform.CPM != 0 {
		t.Errorf("explicit zero replaced by default: seed %d cpm %g", sc.Seed, sc.Platform.CPM)
	}
	if sc.Platform.Formats.Live.Reach != 2 || sc.Platform.Formats.Live.Conversion != 1.6 || sc.Platform.Formats.Post.LifetimeDays != 5 {
		t.Errorf("partial mapping did not keep defaults: %+v", sc.Platform.Formats)
	}
	if sc.Replications != 10 || sc.Currency != "CNY" || len(sc.Population.Groups) != 8 || len(sc.CreatorTypes) != 6 {
		t.Errorf("defaults missing")
	}
	e := sc.Merchants[0].Strategy.Matrix[0]
	if e.ID != "any-seeder-tail-short_video" || e.Contract != "fee_cps" || e.Partners != "new" || e.Posts != 1 {
		t.Errorf("matrix defaults: %+v", e)
	}
	// A default group overridden by id keeps its other values.
	sc, err = LoadBytes("t.yaml", []byte(strings.Replace(base, "  users: 100", "  users: 100\n  groups: [{id: gen_z, share: 0.6}, {id: mine, share: 0.4, activity: 0.5, price_sensitivity: 1, spending_level: 100}]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if g := sc.Population.Groups[0]; g.Activity != 0.75 || g.Share != 0.6 {
		t.Errorf("group override: %+v", g)
	}
}

func TestSetGet(t *testing.T) {
	sc, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for path, val := range map[string]any{
		"merchants.spring_jacket.budget.paid_traffic":                                 5000.0,
		"merchants.0.budget.creator_fees":                                             1.0,
		"merchants.spring_jacket.strategy.matrix.growth-live_seller-waist-live.count": 7,
		"creator_types.live_seller.affinity.gen_z":                                    1.5,
		"creators.generate.tiers.head":                                                0.01,
		"campaigns.super_value.eligible.merchants":                                    []any{"glow_beauty"},
		"platform.formats.live.conversion":                                            2.0,
		"campaigns.super_value.window.1":                                              40,
	} {
		if err := Set(sc, path, val); err != nil {
			t.Errorf("Set %s: %v", path, err)
			continue
		}
		got, err := Get(sc, path)
		if err != nil {
			t.Errorf("Get %s: %v", path, err)
			continue
		}
		if !reflect.DeepEqual(got, val) && !(reflect.TypeOf(got).Kind() == reflect.Slice && reflect.DeepEqual(got, []string{"glow_beauty"})) {
			t.Errorf("%s: got %#v, want %#v", path, got, val)
		}
	}
	if err := Validate(sc); err == nil {
		t.Error("tier shares no longer sum to 1, but Validate passed")
	}
	for _, bad := range []string{"merchants.nope.budget", "platform.cpm.x", "variants.x.set", "merchants.spring_jacket.budjet"} {
		if err := Set(sc, bad, 1); err == nil {
			t.Errorf("Set %s: no error", bad)
		}
	}
	if err := Set(sc, "horizon_days", "abc"); err == nil || !strings.Contains(err.Error(), "expected an integer") {
		t.Errorf("type error: %v", err)
	}
	if x, err := GetFloat(sc, "merchants.glow_beauty.budget.paid_traffic"); err != nil || x != 80000 {
		t.Errorf("GetFloat: %v %v", x, err)
	}
}

func TestApplyVariantIsACopy(t *testing.T) {
	sc, err := LoadLibrary("super-value")
	if err != nil {
		t.Fatal(err)
	}
	before := Hash(sc)
	v, err := ApplyVariant(sc, sc.Variants[1])
	if err != nil {
		t.Fatal(err)
	}
	if Hash(sc) != before {
		t.Error("ApplyVariant changed its base")
	}
	if v.Campaigns[0].Discount != 0.2 || len(v.Campaigns[0].Eligible.Merchants) != 2 || v.Variants != nil {
		t.Errorf("variant not applied: %+v", v.Campaigns[0])
	}
}

func TestExtendsAndRoster(t *testing.T) {
	sc, err := Load("testdata/extends/child.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "child" || sc.Replications != 3 || sc.Platform.CPM != 55 || sc.Population.Users != 500 || sc.Population.FollowsPerUser != 12 {
		t.Errorf("extends not merged: %s %d %g %d", sc.Name, sc.Replications, sc.Platform.CPM, sc.Population.Users)
	}
	if sc.Extends != "" {
		t.Error("resolved scenario keeps extends")
	}
	if len(sc.Creators.RosterCreators) != 2 || sc.Creators.RosterCreators[0].ID != "李佳" || sc.Creators.RosterCreators[0].Capacity.Live != 3 {
		t.Errorf("roster: %+v", sc.Creators.RosterCreators)
	}
	h := Hash(sc)
	sc.rosterData = append([]byte(nil), sc.rosterData...)
	sc.rosterData[len(sc.rosterData)-2] = '1'
	if Hash(sc) == h {
		t.Error("hash ignores the roster CSV")
	}

	_, err = Load("testdata/extends/cycle_a.yaml")
	if err == nil || !strings.Contains(err.Error(), "extends cycle") {
		t.Errorf("cycle: %v", err)
	}
}

func TestRosterErrors(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/roster/bad.csv")
	os.WriteFile(filepath.Join(dir, "creators.csv"), data, 0o644)
	y := strings.Replace(base, "generate: {count: 10}", "roster: creators.csv", 1)
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(y), 0o644)
	_, err := Load(filepath.Join(dir, "s.yaml"))
	csv := filepath.Join(dir, "creators.csv")
	for _, want := range []string{
		csv + `:2:4: followers: expected a number (got "lots")`,
		csv + `:3:1: id: duplicate id (first on row 2) (got "a")`,
		csv + `:3:5: quality: out of range (got 1.5, allowed [0, 1])`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %s\ngot %v", want, err)
		}
	}
	os.WriteFile(filepath.Join(dir, "creators.csv"), []byte("id,name,typ\n"), 0o644)
	_, err = Load(filepath.Join(dir, "s.yaml"))
	if err == nil || !strings.Contains(err.Error(), `:1:3: typ: unknown column (did you mean "type"?)`) {
		t.Errorf("header error: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "creators.csv"), nil, 0o644)
	_, err = Load(filepath.Join(dir, "s.yaml"))
	if err == nil || !strings.Contains(err.Error(), "empty roster file") {
		t.Errorf("empty roster: %v", err)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || es[0].File != "testdata/does-not-exist.yaml" {
		t.Errorf("missing file: %#v", err)
	}
}

func TestAliasBomb(t *testing.T) {
	_, err := Load("testdata/fuzz/bomb.yaml")
	if err == nil {
		t.Fatal("no error")
	}
}
