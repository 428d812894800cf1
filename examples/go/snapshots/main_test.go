//go:build e2e

// Runs the example against a live stack and checks what a user would: each sandbox of the one
// bulk request runs its own snapshot's image, and neither a sandbox nor a snapshot is left
// afterwards, also when the run fails. Needs a stack with the test images:
//
//	node tools/e2e/with-stack.mjs -- bash -c 'cd examples/go && go test -tags e2e -count=1 -v ./snapshots/'
package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

type result struct {
	code           int
	stdout, stderr string
}

// freshImages pushes the test images under a repository of their own in the stack's registry:
// each run needs references no earlier snapshot of this stack used (a snapshot of an image its
// runner already holds stays pending: an API bug, see examples/typescript/README.md).
func freshImages(t *testing.T, repository string) map[string]string {
	t.Helper()
	alpha := os.Getenv("DAYTONA_TEST_IMAGE_ALPHA")
	if alpha == "" {
		t.Fatal("DAYTONA_TEST_IMAGE_ALPHA is not set: run under tools/e2e/with-stack.mjs")
	}
	registry, _, _ := strings.Cut(alpha, "/")
	out, err := exec.Command("node", "../../../tools/images/push-test-images.mjs", registry, repository).Output()
	if err != nil {
		t.Fatalf("pushing the test images: %v", err)
	}
	images := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+)=(.*)$`).FindAllStringSubmatch(string(out), -1) {
		images[m[1]] = m[2]
	}
	return images
}

func runExample(t *testing.T, images map[string]string) result {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "snapshots")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary)
	cmd.Env = os.Environ()
	for name, value := range images {
		cmd.Env = append(cmd.Env, name+"="+value)
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatal(err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// leftBehind lists the example's live sandboxes and its snapshots, sorted.
func leftBehind(t *testing.T, client *daytona.Client) (sandboxes, snapshots []string) {
	t.Helper()
	ctx := context.Background()
	page, err := client.List(ctx, types.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range page.Items {
		if strings.HasPrefix(s.Name, "go-snap-") {
			sandboxes = append(sandboxes, s.Name)
		}
	}
	snapshotPage, err := client.Snapshot.List(ctx, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snapshotPage.Items {
		if strings.HasPrefix(s.Name, "go-snap-") {
			snapshots = append(snapshots, s.Name)
		}
	}
	slices.Sort(sandboxes)
	slices.Sort(snapshots)
	return sandboxes, snapshots
}

func newClient(t *testing.T) *daytona.Client {
	t.Helper()
	client, err := daytona.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestEachSandboxOfOneBulkRunsItsOwnSnapshotsImageAndNothingIsLeft(t *testing.T) {
	client := newClient(t)
	run := runExample(t, freshImages(t, "daytona/examples-go-1"))
	if run.code != 0 {
		t.Fatalf("example exited %d:\n%s\n%s", run.code, run.stdout, run.stderr)
	}

	var answers []string
	for _, m := range regexp.MustCompile(`(?m)^(go-snap-\w+-\d{5}): (.*)$`).FindAllStringSubmatch(run.stdout, -1) {
		answers = append(answers, m[1]+": "+m[2])
	}
	want := []string{"go-snap-alpha-00001: alpha", "go-snap-alpha-00002: alpha", "go-snap-beta-00001: beta", "go-snap-beta-00002: beta"}
	if !slices.Equal(answers, want) {
		t.Errorf("answers %v, want %v\n%s", answers, want, run.stdout)
	}
	if sandboxes, snapshots := leftBehind(t, client); len(sandboxes)+len(snapshots) != 0 {
		t.Errorf("left behind: sandboxes %v, snapshots %v", sandboxes, snapshots)
	}
}

func TestAFailureAfterBothSnapshotsExistExitsNonZeroAndStillDeletesThem(t *testing.T) {
	client := newClient(t)
	// A sandbox holding one of the bulk's names makes it fail with name_conflict.
	blocker, err := client.Create(context.Background(), types.CreateParams{Name: "go-snap-beta-00002"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = blocker.Delete(context.Background()) }()

	run := runExample(t, freshImages(t, "daytona/examples-go-2"))
	if run.code != 1 {
		t.Fatalf("example exited %d, want 1:\n%s\n%s", run.code, run.stdout, run.stderr)
	}
	if !strings.Contains(run.stderr, "name_conflict") || !strings.Contains(run.stdout, "Created snapshot go-snap-beta (active)") {
		t.Errorf("want both snapshots created, then the conflict:\n%s\n%s", run.stdout, run.stderr)
	}
	if sandboxes, snapshots := leftBehind(t, client); !slices.Equal(sandboxes, []string{"go-snap-beta-00002"}) || len(snapshots) != 0 {
		t.Errorf("left behind: sandboxes %v (want only the blocker), snapshots %v", sandboxes, snapshots)
	}
}

func TestAnImageTheRegistryLacksFailsWithItsReasonAndNothingIsLeft(t *testing.T) {
	client := newClient(t)
	images := freshImages(t, "daytona/examples-go-3")
	images["DAYTONA_TEST_IMAGE_BETA"] = strings.TrimSuffix(images["DAYTONA_TEST_IMAGE_BETA"], ":beta") + ":no-such-tag"

	run := runExample(t, images)
	if run.code != 1 {
		t.Fatalf("example exited %d, want 1:\n%s\n%s", run.code, run.stdout, run.stderr)
	}
	if !regexp.MustCompile(`go-snap-beta.*manifest unknown`).MatchString(run.stderr) {
		t.Errorf("stderr does not give the registry's reason:\n%s", run.stderr)
	}
	if sandboxes, snapshots := leftBehind(t, client); len(sandboxes)+len(snapshots) != 0 {
		t.Errorf("left behind: sandboxes %v, snapshots %v", sandboxes, snapshots)
	}
}
