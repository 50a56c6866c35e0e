// Command mutate is Linli's small mutation tester: it changes one operator at a time in a
// package's code — a comparison flipped or moved across its boundary, && and || swapped, one side
// of a condition dropped, a negation removed, + and - swapped — and runs the package's tests
// against each change, which must fail. Each mutant is handed to `go test -overlay`, so the
// working tree is never modified. Only lines the tests execute are mutated.
//
// It exists beside gremlins (make mutation) for what gremlins cannot do on a shared two-core
// machine: leave test files that need a database out of the build (-skip-tests), so each mutant
// links a small test binary; run only the tests that bear on the mutated code (-run); mutate only
// some functions (-funcs). See docs/development.md, "Mutation testing".
//
//	go run ./internal/tools/mutate -pkg ./internal/workday -files calendar.go,limit.go \
//		-skip-tests service_test.go,http_test.go
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// mutant is one change to one file.
type mutant struct {
	file     string // base name
	line     int
	col      int
	fn       string
	desc     string
	from, to int    // byte range replaced
	text     string // replacement
}

func main() {
	pkg := flag.String("pkg", "", "package directory, e.g. ./internal/workday")
	files := flag.String("files", "", "comma-separated files to mutate (default: every non-test .go file)")
	funcs := flag.String("funcs", "", "regexp of the function names to mutate (default: all)")
	run := flag.String("run", "", "-run pattern for go test (default: every test)")
	skip := flag.String("skip-tests", "", "comma-separated test files left out of the build")
	timeout := flag.Duration("timeout", 5*time.Minute, "time limit of one mutant's test run")
	budget := flag.Duration("budget", 0, "stop starting mutants after this long (0: no limit)")
	list := flag.Bool("list", false, "list the mutants without running them")
	at := flag.String("at", "", "comma-separated file:line places to mutate only (to re-run the survivors of a run)")
	flag.Parse()
	if *pkg == "" {
		fmt.Fprintln(os.Stderr, "mutate: -pkg is required")
		os.Exit(2)
	}
	if err := mutate(*pkg, *files, *funcs, *run, *skip, *at, *timeout, *budget, *list); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
}

func mutate(pkg, files, funcs, run, skip, at string, timeout, budget time.Duration, list bool) error {
	dir, err := filepath.Abs(pkg)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "linli-mutate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	overlay := map[string]string{}
	for _, f := range split(skip) {
		blank, err := blankTest(filepath.Join(dir, f), tmp)
		if err != nil {
			return err
		}
		overlay[filepath.Join(dir, f)] = blank
	}
	targets := split(files)
	if len(targets) == 0 {
		all, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range all {
			if !strings.HasSuffix(f, "_test.go") {
				targets = append(targets, filepath.Base(f))
			}
		}
	}
	var fnRe *regexp.Regexp
	if funcs != "" {
		if fnRe, err = regexp.Compile(funcs); err != nil {
			return err
		}
	}
	cover, err := coverage(pkg, dir, run, tmp, overlay)
	if err != nil {
		return err
	}
	places := map[string]bool{}
	for _, p := range split(at) {
		places[p] = true
	}
	var ms []mutant
	notCovered := 0
	for _, f := range targets {
		found, err := mutants(filepath.Join(dir, f), fnRe)
		if err != nil {
			return err
		}
		for _, m := range found {
			if len(places) > 0 && !places[m.file+":"+strconv.Itoa(m.line)] {
				continue
			}
			if !cover.covers(f, m.line) {
				notCovered++
				continue
			}
			ms = append(ms, m)
		}
	}
	fmt.Printf("mutate %s: %d mutants on covered lines, %d on lines no test runs\n", pkg, len(ms), notCovered)
	if list {
		for _, m := range ms {
			fmt.Printf("  %s:%d:%d %s %s\n", m.file, m.line, m.col, m.fn, m.desc)
		}
		return nil
	}
	counts := map[string]int{}
	start := time.Now()
	for i, m := range ms {
		if budget > 0 && time.Since(start) > budget {
			counts["NOT RUN"] += len(ms) - i
			break
		}
		status, err := try(pkg, dir, run, tmp, overlay, m, timeout)
		if err != nil {
			return err
		}
		counts[status]++
		fmt.Printf("%-11s %s:%d:%d %s: %s\n", status, m.file, m.line, m.col, m.fn, m.desc)
	}
	killed, lived := counts["KILLED"], counts["LIVED"]
	fmt.Printf("\n%s: killed %d, lived %d, timed out %d, not viable %d, not run %d, not covered %d",
		pkg, killed, lived, counts["TIMED OUT"], counts["NOT VIABLE"], counts["NOT RUN"], notCovered)
	if killed+lived > 0 {
		fmt.Printf("; caught %.1f %% (killed ÷ killed + lived)", 100*float64(killed)/float64(killed+lived))
	}
	fmt.Printf(" in %s\n", time.Since(start).Round(time.Second))
	return nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// blankTest writes a file holding only the package clause of test file path, to stand in for it.
func blankTest(path, tmp string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	out := filepath.Join(tmp, "blank_"+filepath.Base(path))
	return out, os.WriteFile(out, []byte("package "+f.Name.Name+"\n"), 0o644)
}

// goTest runs go test on pkg with the overlay, SQLite only.
func goTest(ctx context.Context, pkg, run, tmp string, overlay map[string]string, extra ...string) ([]byte, error) {
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		return nil, err
	}
	ovPath := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o644); err != nil {
		return nil, err
	}
	args := append([]string{"test", "-count=1", "-overlay", ovPath}, extra...)
	if run != "" {
		args = append(args, "-run", run)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "LINLI_TEST_POSTGRES=")
	return cmd.CombinedOutput()
}

// try runs the tests against one mutant.
func try(pkg, dir, run, tmp string, base map[string]string, m mutant, timeout time.Duration) (string, error) {
	src, err := os.ReadFile(filepath.Join(dir, m.file))
	if err != nil {
		return "", err
	}
	mutated := append(append(append([]byte{}, src[:m.from]...), m.text...), src[m.to:]...)
	path := filepath.Join(tmp, "mutant_"+m.file)
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return "", err
	}
	overlay := map[string]string{filepath.Join(dir, m.file): path}
	for k, v := range base {
		overlay[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := goTest(ctx, pkg, run, tmp, overlay)
	switch {
	case ctx.Err() != nil:
		return "TIMED OUT", nil
	case err == nil:
		return "LIVED", nil
	case strings.Contains(string(out), "[build failed]") || strings.Contains(string(out), "[setup failed]"):
		return "NOT VIABLE", nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return "", err
	}
	return "KILLED", nil
}

// profile holds, per file, the line ranges of the blocks the tests executed.
type profile map[string][][2]int

func (p profile) covers(file string, line int) bool {
	for _, r := range p[file] {
		if r[0] <= line && line <= r[1] {
			return true
		}
	}
	return false
}

// coverage runs the tests once with a cover profile.
func coverage(pkg, dir, run, tmp string, overlay map[string]string) (profile, error) {
	out := filepath.Join(tmp, "cover.out")
	if b, err := goTest(context.Background(), pkg, run, tmp, overlay, "-coverprofile", out); err != nil {
		return nil, fmt.Errorf("the tests fail without a mutant:\n%s", b)
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := profile{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// name.go:12.34,15.2 3 1
		line := sc.Text()
		colon := strings.LastIndex(line, ":")
		fields := strings.Fields(line[colon+1:])
		if colon < 0 || len(fields) != 3 || fields[2] == "0" {
			continue
		}
		span := strings.Split(fields[0], ",")
		if len(span) != 2 {
			continue
		}
		from, _ := strconv.Atoi(strings.Split(span[0], ".")[0])
		to, _ := strconv.Atoi(strings.Split(span[1], ".")[0])
		p[filepath.Base(line[:colon])] = append(p[filepath.Base(line[:colon])], [2]int{from, to})
	}
	return p, sc.Err()
}

var (
	flips    = map[token.Token][]token.Token{token.EQL: {token.NEQ}, token.NEQ: {token.EQL}, token.LSS: {token.LEQ, token.GEQ}, token.LEQ: {token.LSS, token.GTR}, token.GTR: {token.GEQ, token.LEQ}, token.GEQ: {token.GTR, token.LSS}, token.LAND: {token.LOR}, token.LOR: {token.LAND}, token.ADD: {token.SUB}, token.SUB: {token.ADD}}
	anchored = map[token.Token]bool{token.LAND: true, token.LOR: true}
)

// mutants lists the mutants of one file, function by function.
func mutants(path string, fnRe *regexp.Regexp) ([]mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, err
	}
	var out []mutant
	base := filepath.Base(path)
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil || (fnRe != nil && !fnRe.MatchString(fd.Name.Name)) {
			continue
		}
		name := fd.Name.Name
		// Case expressions are not inside a cover block: they count as run when their clause's
		// body runs, whose block starts at the colon.
		anchor := map[ast.Expr]token.Pos{}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					ast.Inspect(e, func(x ast.Node) bool {
						if ex, ok := x.(ast.Expr); ok {
							anchor[ex] = cc.Colon
						}
						return true
					})
				}
			}
			return true
		})
		at := func(e ast.Expr, pos token.Pos) (int, int) {
			p := fset.Position(pos)
			if a, ok := anchor[e]; ok {
				return fset.Position(a).Line, p.Column
			}
			return p.Line, p.Column
		}
		off := func(pos token.Pos) int { return fset.Position(pos).Offset }
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch e := n.(type) {
			case *ast.BinaryExpr:
				if (e.Op == token.ADD || e.Op == token.SUB) && (isString(e.X) || isString(e.Y)) {
					return true
				}
				line, col := at(e, e.OpPos)
				for _, to := range flips[e.Op] {
					out = append(out, mutant{file: base, line: line, col: col, fn: name,
						desc: e.Op.String() + " → " + to.String(), from: off(e.OpPos), to: off(e.OpPos) + len(e.Op.String()), text: to.String()})
				}
				if anchored[e.Op] {
					out = append(out,
						mutant{file: base, line: line, col: col, fn: name, desc: "drop the right side of " + e.Op.String(),
							from: off(e.X.End()), to: off(e.Y.End()), text: ""},
						mutant{file: base, line: line, col: col, fn: name, desc: "drop the left side of " + e.Op.String(),
							from: off(e.X.Pos()), to: off(e.Y.Pos()), text: ""})
				}
			case *ast.UnaryExpr:
				if e.Op == token.NOT {
					line, col := at(e, e.OpPos)
					out = append(out, mutant{file: base, line: line, col: col, fn: name, desc: "drop !",
						from: off(e.OpPos), to: off(e.OpPos) + 1, text: ""})
				}
			}
			return true
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].from < out[j].from })
	return out, nil
}

func isString(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING
	case *ast.BinaryExpr:
		return isString(x.X) || isString(x.Y)
	case *ast.ParenExpr:
		return isString(x.X)
	}
	return false
}
