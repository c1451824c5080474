package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17, failure 12: the smaller parser failures.
func TestIssue17SmallerFailures(t *testing.T) {
	dir := t.TempDir()
	lib, _ := filepath.Abs("default.yaml")
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		return p
	}
	for _, idx := range []string{"+0", "-0", "+1", "00", "01"} {
		_, err := Load(lib, "merchants."+idx+".budget.paid_traffic=1")
		if err == nil || !strings.Contains(err.Error(), `has no element "`+idx+`"`) {
			t.Errorf("--set index %s: %v", idx, err)
		}
	}
	if _, err := Load(lib, "merchants.0.budget.paid_traffic=1"); err != nil {
		t.Errorf("index 0: %v", err)
	}
	if _, err := Load(lib, "horizon_days=60\n---\n40"); err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
		t.Errorf("multi-document --set: %v", err)
	}
	_, err := Load(write("list.yaml", "extends: [a.yaml, b.yaml]\nname: x\n"))
	if err == nil || strings.Count(err.Error(), "extends") != 1 {
		t.Errorf("a list in extends, want it reported once: %v", err)
	}
	_, err = Load(write("comments.yaml", "# only a comment\n\n# another\n"))
	if err == nil || strings.Contains(err.Error(), "EOF") || !strings.Contains(err.Error(), "only comments") {
		t.Errorf("comments-only file: %v", err)
	}
}

// Issue 17, failure 7: a roster or an extended file that is not what it is
// used as is named, not quoted.
func TestIssue17NotQuoted(t *testing.T) {
	dir := t.TempDir()
	lib, _ := filepath.Abs("default.yaml")
	secret := filepath.Join(dir, "shadow")
	os.WriteFile(secret, []byte("root:$6$TOPSECRET:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n"), 0o600)
	_, err := Load(lib, "creators.roster="+secret)
	if err == nil || strings.Contains(err.Error(), "TOPSECRET") || !strings.Contains(err.Error(), "not a roster CSV") {
		t.Errorf("roster: %v", err)
	}
	s := filepath.Join(dir, "s.yaml")
	for _, content := range []string{"root:x:0:0:TOPSECRET:/root:/bin/bash\n", "root: TOPSECRET\n", "- TOPSECRET\n", "{{{ TOPSECRET"} {
		os.WriteFile(secret, []byte(content), 0o600)
		os.WriteFile(s, []byte("extends: "+secret+"\nname: x\n"), 0o644)
		_, err := Load(s)
		if err == nil || strings.Contains(err.Error(), "TOPSECRET") || !strings.Contains(err.Error(), "s.yaml:1:10: extends: extended file") {
			t.Errorf("extends %q: %v", content, err)
		}
	}
	// A roster that is one, with a hostile header, is quoted escaped.
	os.WriteFile(secret, []byte("id,name,\x1b[2Jtype\n"), 0o600)
	_, err = Load(lib, "creators.roster="+secret)
	if err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `\x1b[2Jtype`) {
		t.Errorf("hostile header: %v", err)
	}
}
