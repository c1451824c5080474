package funclen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// offenders are the functions over MaxLines today, by "dir/file.go:Name"
// (methods as Type.Name) with their length when the list was made. Issue
// 15 stays open while this list is non-empty; split a function and delete
// its line (the test fails on a stale line so that the list only shrinks).
var offenders = map[string]int{
	// Landed on main while this test was being written (sensitivity,
	// calibration and optimiser branches):
}

// moduleRoot is the directory holding go.mod above this package.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = up
	}
}

// functionLengths returns the length in lines of every function declared
// in the module's non-test Go files, by "dir/file.go:Name".
func functionLengths(t *testing.T, root string) map[string]int {
	out := map[string]int{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) > 0 {
				name = receiverType(fn.Recv.List[0].Type) + "." + name
			}
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			out[filepath.ToSlash(rel)+":"+name] = lines
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func receiverType(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverType(x.X)
	case *ast.IndexExpr: // generic receiver T[P]
		return receiverType(x.X)
	case *ast.IndexListExpr:
		return receiverType(x.X)
	case *ast.Ident:
		return x.Name
	}
	return "?"
}

// TestFunctionLength: no function outside tests is over MaxLines lines,
// but for the listed offenders.
func TestFunctionLength(t *testing.T) {
	lengths := functionLengths(t, moduleRoot(t))
	if len(lengths) < 100 {
		t.Fatalf("found only %d functions: is the module root right?", len(lengths))
	}
	var names []string
	for n := range lengths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if l := lengths[n]; l > MaxLines {
			if _, ok := offenders[n]; !ok {
				t.Errorf("%s is %d lines (at most %d): split it along its seams", n, l, MaxLines)
			}
		}
	}
	for n := range offenders {
		if l, ok := lengths[n]; !ok || l <= MaxLines {
			t.Errorf("%s is no longer over %d lines (now %d): delete it from the offenders list", n, MaxLines, l)
		}
	}
}

// TestFunctionLengthCounts: the counter measures from func to the closing
// brace, methods named Type.Name.
func TestFunctionLengthCounts(t *testing.T) {
	dir := t.TempDir()
	src := "package p\n\ntype T struct{}\n\nfunc (t *T) M() {\n\t_ = 1\n\t_ = 2\n}\n\nfunc F() {}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\nfunc G() {\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := functionLengths(t, dir)
	if got["p.go:T.M"] != 4 || got["p.go:F"] != 1 || len(got) != 2 {
		t.Errorf("lengths %v, want p.go:T.M 4, p.go:F 1 and no test file", got)
	}
}
