//go:build e2e

// Runs the example against a live stack and checks what a user would: every sandbox of both
// modes answered hello, none is left afterwards, and a failure midway still cleans up and exits
// non-zero. Needs a stack to itself:
//
//	node tools/e2e/with-stack.mjs -- bash -c 'cd examples/go && go test -tags e2e -count=1 -v ./bulk_create/'
package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

var allNames = []string{
	"go-batch-a-00001", "go-batch-a-00002", "go-batch-a-00003",
	"go-batch-b-00001", "go-batch-b-00002", "go-batch-b-00003",
}

type result struct {
	code           int
	stdout, stderr string
}

func runExample(t *testing.T) result {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "bulk_create")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatal(err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// exampleSandboxes lists the example's sandboxes (live ones unless states are given), sorted.
func exampleSandboxes(t *testing.T, client *daytona.Client, states ...types.SandboxState) []string {
	t.Helper()
	page, err := client.List(context.Background(), types.ListParams{States: states, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range page.Items {
		if strings.HasPrefix(s.Name, "go-batch-a-") || strings.HasPrefix(s.Name, "go-batch-b-") {
			names = append(names, s.Name)
		}
	}
	slices.Sort(names)
	return names
}

func newClient(t *testing.T) *daytona.Client {
	t.Helper()
	client, err := daytona.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestBothModesSayHelloAndLeaveNothingBehind(t *testing.T) {
	client := newClient(t)
	run := runExample(t)
	if run.code != 0 {
		t.Fatalf("example exited %d:\n%s\n%s", run.code, run.stdout, run.stderr)
	}

	hellos := regexp.MustCompile(`(?m)^(go-batch-[ab]-\d{5}): hello$`).FindAllStringSubmatch(run.stdout, -1)
	var answered []string
	for _, m := range hellos {
		answered = append(answered, m[1])
	}
	if !slices.Equal(answered, allNames) {
		t.Errorf("hello from %v, want %v\n%s", answered, allNames, run.stdout)
	}
	if live := exampleSandboxes(t, client); len(live) != 0 {
		t.Errorf("still live: %v", live)
	}
	// They did exist: all six were destroyed, not merely never created.
	if destroyed := exampleSandboxes(t, client, types.SandboxStateDestroyed); !slices.Equal(destroyed, allNames) {
		t.Errorf("destroyed %v, want %v", destroyed, allNames)
	}
}

func TestAFailureMidwayExitsNonZeroAndStillCleansUp(t *testing.T) {
	client := newClient(t)
	// A sandbox holding one of mode 2's names makes its bulk create fail with name_conflict.
	blocker, err := client.Create(context.Background(), types.CreateParams{Name: "go-batch-b-00002"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = blocker.Delete(context.Background()) }()

	run := runExample(t)
	if run.code != 1 {
		t.Fatalf("example exited %d, want 1:\n%s\n%s", run.code, run.stdout, run.stderr)
	}
	if !strings.Contains(run.stderr, "name_conflict") {
		t.Errorf("stderr does not name the conflict:\n%s", run.stderr)
	}
	if !strings.Contains(run.stdout, "go-batch-a-00003: hello") {
		t.Errorf("mode 1 did not finish before the failure:\n%s", run.stdout)
	}
	if live := exampleSandboxes(t, client); !slices.Equal(live, []string{"go-batch-b-00002"}) {
		t.Errorf("live after the failed run: %v, want only the blocker", live)
	}
}
