package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeCommands returns every startrend command line of the README's sh
// blocks ("./startrend …", "startrend …", "go run ./cmd/startrend …"),
// continuation lines joined and comments dropped, in order. The go build,
// make, go test and benchmark lines are not startrend commands.
func readmeCommands(t *testing.T, readme string) [][]string {
	t.Helper()
	var out [][]string
	inSh := false
	pending := ""
	for _, line := range strings.Split(readme, "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			inSh = trim == "```sh" || trim == "```bash"
			pending = ""
			continue
		}
		if !inSh {
			continue
		}
		if pending != "" {
			trim = pending + " " + trim
			pending = ""
		}
		if strings.HasSuffix(trim, "\\") {
			pending = strings.TrimSuffix(trim, "\\")
			continue
		}
		if i := strings.Index(trim, " #"); i >= 0 {
			trim = strings.TrimSpace(trim[:i])
		}
		var rest string
		for _, p := range []string{"./startrend ", "startrend ", "go run ./cmd/startrend "} {
			if strings.HasPrefix(trim, p) {
				rest = strings.TrimPrefix(trim, p)
			}
		}
		if rest == "" {
			continue
		}
		out = append(out, shellWords(t, rest))
	}
	return out
}

// shellWords splits a command line the way sh would for the README's
// simple lines: words, single and double quotes, a "> FILE" redirection
// kept as one word ">FILE".
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i := 0; i+1 < len(words); i++ {
		if words[i] == ">" {
			words = append(words[:i], append([]string{">" + words[i+1]}, words[i+2:]...)...)
		}
	}
	return words
}

// shrinkSets make every simulating command small enough for a test.
var shrinkSets = []string{"--set", "population.users=400", "--set", "creators.generate.count=60"}

// shrink returns the command with the simulation made small: the
// population and creator pool set small, replications and evaluation
// budgets lowered (a flag the line gives is rewritten in place, so no flag
// meets a --set for the same field).
func shrink(args []string) []string {
	if len(args) == 0 {
		return args
	}
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "--reps" || a == "-reps") && i+1 < len(args):
			out = append(out, a, "2")
			i++
		case (a == "--evals" || a == "-evals") && i+1 < len(args):
			out = append(out, a, "60")
			i++
		case strings.HasPrefix(a, "population.users="):
			out = append(out, "population.users=400")
		default:
			out = append(out, a)
		}
	}
	switch args[0] {
	case "run", "optimize", "sweep", "sensitivity", "calibrate":
		out = append(out, shrinkSets...)
		out = append(out, "--quiet")
		if args[0] == "run" && !slices.Contains(args, "--reps") {
			out = append(out, "--reps", "2")
		}
	}
	return out
}

var yamlBlock = regexp.MustCompile("(?s)## A scenario.*?```yaml\n(.*?)```")

// TestReadmeTour runs every startrend command line of the README, shrunk,
// in a temporary directory holding the files the lines name (my.yaml is
// the README's own scenario; out/base and out/candidate are runs of the
// default scenario), and fails when one does not exit 0.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("the README tour runs simulations")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, string(readme))
	if len(cmds) < 8 {
		t.Fatalf("found only %d startrend command lines in README.md", len(cmds))
	}
	root, _ := filepath.Abs("../..")
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "scenarios"), filepath.Join(dir, "scenarios")); err != nil {
		t.Fatal(err)
	}
	m := yamlBlock.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no scenario under '## A scenario'")
	}
	if err := os.WriteFile(filepath.Join(dir, "my.yaml"), m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, pre := range [][]string{{"run", "-o", "out/base"}, {"run", "-o", "out/candidate"}} {
		if code, _, e := run(t, shrink(pre)...); code != 0 {
			t.Fatalf("preparing %v: exit %d: %s", pre, code, e)
		}
	}
	for _, c := range cmds {
		args := shrink(c)
		var redirect string
		if n := len(args); n > 0 && strings.HasPrefix(args[n-1], ">") {
			redirect, args = strings.TrimPrefix(args[n-1], ">"), args[:n-1]
		}
		var o, e bytes.Buffer
		code := dispatch(context.Background(), args, &o, &e)
		if code != 0 {
			t.Errorf("README: startrend %s\n(ran as: startrend %s)\nexit %d:\n%s", strings.Join(c, " "), strings.Join(args, " "), code, e.String())
			continue
		}
		if redirect != "" {
			if o.Len() == 0 {
				t.Errorf("README: startrend %s: nothing on stdout for %s", strings.Join(c, " "), redirect)
			}
			os.WriteFile(redirect, o.Bytes(), 0o644)
		}
	}
}

// The tour's parser finds the lines it should: a guard against a test that
// silently runs nothing.
func TestReadmeCommandsParsed(t *testing.T) {
	md := "x\n```sh\ngo build -o startrend ./cmd/startrend\n./startrend run a.yaml -o out \\\n    --set 'x=[a, b]'   # comment\nmake test\n./startrend schema > s.json\n```\n```yaml\nstartrend run no\n```\n"
	got := readmeCommands(t, md)
	if len(got) != 2 || strings.Join(got[0], "|") != "run|a.yaml|-o|out|--set|x=[a, b]" || strings.Join(got[1], "|") != "schema|>s.json" {
		t.Errorf("parsed %q", got)
	}
}
