package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Emit writes extends: plus only the changed fields (a changed list item
// writes its list whole), rounds them (money to the yuan, rates to 4
// significant digits), and the hash it quotes is the loaded file's.
func TestEmitExtendsOnlyChangedFields(t *testing.T) {
	base, err := filepath.Abs("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Load(base)
	if err != nil {
		t.Fatal(err)
	}
	d := Clone(sc)
	for path, v := range map[string]any{
		"platform.base_rates.a3_a4":                   0.0765432198,
		"merchants.spring_jacket.budget.paid_traffic": 123456.789,
		"trends.mint_manbo.q":                         0.43219876,
	} {
		if err := Set(d, path, v); err != nil {
			t.Fatal(err)
		}
	}
	d.Name = "derived"
	d.Variants = nil
	out := filepath.Join(t.TempDir(), "sub", "derived.yaml")
	os.MkdirAll(filepath.Dir(out), 0o755)
	em, err := Emit(d, EmitOptions{BaseFile: base, OutFile: out, Header: []string{"a test"}})
	if err != nil {
		t.Fatal(err)
	}
	if !em.Short {
		t.Fatalf("not the short form:\n%s", em.Data)
	}
	text := string(em.Data)
	for _, w := range []string{"# a test\n", "extends: \"", "a3_a4: 0.07654\n", "paid_traffic: 123457\n", "q: 0.4322\n", "creator_fees: 300000\n", "variants: null\n", "name: derived\n"} {
		if !strings.Contains(text, w) {
			t.Errorf("emitted file lacks %q", w)
		}
	}
	// only what changed: a changed list item writes its list (extends
	// replaces lists whole), but no unchanged top-level field
	for _, w := range []string{"\nhorizon_days:", "\ncampaigns:", "\ncreators:", "\nusers:", "\nseed:", "paid_traffic: !!float"} {
		if strings.Contains(text, w) {
			t.Errorf("emitted file carries %q", w)
		}
	}
	if err := os.WriteFile(out, em.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if h := Hash(got); h != em.Hash || !strings.Contains(text, "# scenario hash "+h+" ") {
		t.Errorf("hash of the loaded file %s, Emit says %s", h, em.Hash)
	}
	if v := got.Platform.BaseRates.A3A4; v != 0.07654 {
		t.Errorf("a3_a4 loads as %g", v)
	}
	if len(em.Changed) != 5 {
		t.Errorf("changed paths %v, want 5 (3 values, name, variants)", em.Changed)
	}
}

func TestRoundEmitted(t *testing.T) {
	for _, c := range []struct {
		x     float64
		money bool
		want  float64
	}{{123456.789, true, 123457}, {123456.789, false, 123500}, {299.456, true, 299.5}, {0.000123456, false, 0.0001235}, {0, false, 0}} {
		if got := RoundEmitted(c.x, c.money); got != c.want {
			t.Errorf("RoundEmitted(%g, %v) = %g, want %g", c.x, c.money, got, c.want)
		}
	}
}
