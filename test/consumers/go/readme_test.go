package consumer

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The line that precedes the README's complete Go program.
const readmeMarker = "<!-- consumer:go -->"

// goBlockAfterMarker returns the fenced ```go block that follows the marker line in a README: the marker
// must appear exactly once, followed (blank lines aside) by a ```go fence, a closing ``` fence, and the
// block must be a complete program (package main, func main).
func goBlockAfterMarker(readme string) (string, error) {
	lines := strings.Split(strings.ReplaceAll(readme, "\r\n", "\n"), "\n")
	at := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == readmeMarker {
			if at >= 0 {
				return "", fmt.Errorf("the line %s appears more than once (lines %d and %d)", readmeMarker, at+1, i+1)
			}
			at = i
		}
	}
	if at < 0 {
		return "", fmt.Errorf("no line %s: the README's Go program is missing", readmeMarker)
	}
	i := at + 1
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) || strings.TrimSpace(lines[i]) != "```go" {
		return "", fmt.Errorf("line %d: %s is not followed by a ```go fence", at+1, readmeMarker)
	}
	var body []string
	for i++; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "```" {
			program := strings.Join(body, "\n") + "\n"
			if !strings.Contains(program, "package main") || !strings.Contains(program, "func main()") {
				return "", fmt.Errorf("the Go block after line %d is not a complete program (package main, func main)", at+1)
			}
			return program, nil
		}
		body = append(body, lines[i])
	}
	return "", fmt.Errorf("the ```go block after line %d is never closed", at+1)
}

func goBinary() string {
	if bin := os.Getenv("CONSUMER_GO_BIN"); bin != "" {
		return bin
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s: %.1f s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("%s %s in %s failed: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// Mirrors README.md 'A complete app' (the TypeScript program there): the README's Go program, taken from
// the block after <!-- consumer:go --> as written, is built in a module of its own (this module's go.mod
// and go.sum: the same pins and replace) and run; it must synthesize a template with an
// AWS::CodeBuild::Project. Fails when the block is missing.
func TestReadmeGoProgram(t *testing.T) {
	t.Run("extractor fails on a README without the block", func(t *testing.T) {
		if _, err := goBlockAfterMarker("# title\n\n```go\npackage main\nfunc main() {}\n```\n"); err == nil {
			t.Errorf("no error for a README without %s", readmeMarker)
		}
		if _, err := goBlockAfterMarker(readmeMarker + "\n```ts\nconst a = 1;\n```\n"); err == nil {
			t.Errorf("no error for a marker followed by a ts block")
		}
		got, err := goBlockAfterMarker("x\n" + readmeMarker + "\n```go\npackage main\n\nfunc main() {}\n```\ny\n")
		if err != nil || got != "package main\n\nfunc main() {}\n" {
			t.Errorf("extracted %q, %v", got, err)
		}
	})

	readmePath := os.Getenv("CONSUMER_GO_README")
	if readmePath == "" {
		t.Fatalf("CONSUMER_GO_README is not set: run this suite with test/consumers/go/run.sh")
	}
	text, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("cannot read the README: %v", err)
	}
	program, err := goBlockAfterMarker(string(text))
	if err != nil {
		t.Fatalf("%s: %v", readmePath, err)
	}

	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// a sibling of this module, so that the replace ../cdkecrcodebuild of the copied go.mod holds
	dir := filepath.Join(here, "..", "readme")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(here, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	goBin := goBinary()
	run(t, dir, nil, goBin, "mod", "edit", "-module", "example.com/cdk-ecr-codebuild-readme")
	run(t, dir, nil, goBin, "build", "-o", "readme-app", ".")

	outdir := filepath.Join(dir, "cdk.out")
	out := run(t, dir, []string{"CDK_OUTDIR=" + outdir}, filepath.Join(dir, "readme-app"))
	if strings.TrimSpace(out) != "" {
		t.Logf("the program printed:\n%s", out)
	}

	templates, err := filepath.Glob(filepath.Join(outdir, "*.template.json"))
	if err != nil || len(templates) == 0 {
		entries, _ := os.ReadDir(outdir)
		t.Fatalf("the program synthesized no template into %s (%v): %v", outdir, err, entries)
	}
	projects := 0
	for _, file := range templates {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var template struct {
			Resources map[string]struct{ Type string }
		}
		if err := json.Unmarshal(b, &template); err != nil {
			t.Fatalf("%s is not a template: %v", file, err)
		}
		for _, r := range template.Resources {
			if r.Type == "AWS::CodeBuild::Project" {
				projects++
			}
		}
		t.Logf("%s: %d resources", filepath.Base(file), len(template.Resources))
	}
	if projects == 0 {
		t.Errorf("no AWS::CodeBuild::Project in %v", templates)
	}
}
