//go:build e2e

// Package e2e runs the SDK against a live stack with a real runner. It needs a stack to itself
// with a small runner:
//
//	RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- bash -c 'cd libs/sdk-go && go test -tags e2e -count=1 -v ./e2e/'
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

var (
	run     = uniqueRun()
	mu      sync.Mutex
	created []*daytona.Sandbox
)

func uniqueRun() string {
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	return "sdk-go-" + hex.EncodeToString(suffix)
}

func prefix(name string) string { return run + "-" + name }

func item(name string, count int, allowUnder bool) types.BulkCreateItem {
	return types.BulkCreateItem{SnapshotIdOrName: "default", Count: count, SandboxNamePrefix: prefix(name), AllowUnder: allowUnder}
}

func expectedNames(p string, count int) []string {
	names := make([]string, count)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%05d", p, i+1)
	}
	return names
}

func names(sandboxes []*daytona.Sandbox) []string {
	out := make([]string, len(sandboxes))
	for i, s := range sandboxes {
		out[i] = s.Name
	}
	return out
}

func track(sandboxes []*daytona.Sandbox) {
	mu.Lock()
	defer mu.Unlock()
	created = append(created, sandboxes...)
}

func newClient(t *testing.T) *daytona.Client {
	t.Helper()
	if os.Getenv("DAYTONA_API_URL") == "" || os.Getenv("DAYTONA_API_KEY") == "" {
		t.Fatal("the e2e tests need a live stack: RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- ...")
	}
	client, err := daytona.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// liveNamed lists the names of the organization's live sandboxes whose names start with p.
func liveNamed(t *testing.T, client *daytona.Client, p string) []string {
	return names(liveSandboxes(t, client, p))
}

// liveSandboxes lists the organization's live sandboxes whose names start with p.
func liveSandboxes(t *testing.T, client *daytona.Client, p string) []*daytona.Sandbox {
	t.Helper()
	page, err := client.List(context.Background(), types.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []*daytona.Sandbox
	for _, s := range page.Items {
		if strings.HasPrefix(s.Name, p) {
			out = append(out, s)
		}
	}
	return out
}

// TestMain deletes whatever a failed test left behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if client, err := daytona.NewClient(); err == nil {
		if page, err := client.List(context.Background(), types.ListParams{Limit: 1000}); err == nil {
			for _, s := range page.Items {
				if strings.HasPrefix(s.Name, run) {
					_ = s.Delete(context.Background())
				}
			}
		}
	}
	os.Exit(code)
}

func TestBulkCreateWithoutAwaitThenWaitUntilStarted(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{item("a", 3, false)})
	if err != nil {
		t.Fatal(err)
	}
	track(sandboxes)
	if got, want := names(sandboxes), expectedNames(prefix("a"), 3); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, s := range sandboxes {
		if err := s.WaitUntilStarted(ctx, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		res, err := s.Process.ExecuteCommand(ctx, "echo hello")
		if err != nil {
			t.Fatal(err)
		}
		if *res != (types.ExecuteResponse{ExitCode: 0, Result: "hello\n"}) {
			t.Errorf("%s answered %+v", s.Name, *res)
		}
	}
}

func TestBulkCreateWithAwaitStartedRunsCommandsAtOnce(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{item("b", 3, false)}, options.WithAwaitStarted(), options.WithTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	track(sandboxes)
	if got, want := names(sandboxes), expectedNames(prefix("b"), 3); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, s := range sandboxes {
		if s.State != types.SandboxStateStarted {
			t.Fatalf("%s is %s (%s), want started", s.Name, s.State, s.ErrorReason)
		}
		res, err := s.Process.ExecuteCommand(ctx, "echo hello")
		if err != nil {
			t.Fatal(err)
		}
		if *res != (types.ExecuteResponse{ExitCode: 0, Result: "hello\n"}) {
			t.Errorf("%s answered %+v", s.Name, *res)
		}
		// Each command runs in its own sandbox: a file written there is read back from it.
		res, err = s.Process.ExecuteCommand(ctx, "echo "+s.Name+" > mark && cat mark")
		if err != nil || strings.TrimSpace(res.Result) != s.Name {
			t.Errorf("%s: mark %+v, %v", s.Name, res, err)
		}
	}
}

func TestServerValidationErrorIsTheValidationKind(t *testing.T) {
	client := newClient(t)

	_, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{item("zero", 0, false)})

	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrValidation) {
		t.Fatalf("got %v (%T), want a validation-kind *daytona.Error", err, err)
	}
	if apiErr.StatusCode != 400 || apiErr.Code != "validation_failed" || apiErr.Details["field"] != "items.0.count" {
		t.Errorf("got status %d code %q details %v", apiErr.StatusCode, apiErr.Code, apiErr.Details)
	}
	if left := liveNamed(t, client, prefix("zero")); len(left) != 0 {
		t.Errorf("created %v", left)
	}
}

// holdsCapacity: the states in which a sandbox holds runner capacity (the API's rule).
func holdsCapacity(s *daytona.Sandbox) bool {
	switch s.State {
	case types.SandboxStateDestroyed, types.SandboxStateError, types.SandboxStateBuildFailed:
		return false
	}
	return true
}

func TestAllowUnderShortfallIsVisibleAndAFullRunnerIsAServerError(t *testing.T) {
	capacity, err := strconv.Atoi(os.Getenv("RUNNER_CAPACITY_CPU"))
	if err != nil || capacity < 8 || capacity > 100 {
		t.Fatal("set RUNNER_CAPACITY_CPU to a small runner capacity (8-100) for the stack and the tests, e.g. RUNNER_CAPACITY_CPU=10; " +
			"with the default 4,000 the shortfall would need 4,000 real sandboxes")
	}
	client := newClient(t)
	ctx := context.Background()
	page, err := client.List(ctx, types.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	free := capacity
	for _, s := range page.Items {
		if holdsCapacity(s) {
			free -= s.CPU
		}
	}
	if free < 2 {
		t.Fatalf("only %d cpu free on the runner", free)
	}
	requested := free + 3

	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{item("c", 1, false), item("d", requested, true)})
	if err != nil {
		t.Fatal(err)
	}
	track(sandboxes)
	if got, want := names(sandboxes), append(expectedNames(prefix("c"), 1), expectedNames(prefix("d"), free-1)...); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (fewer than the %d requested)", got, want, requested)
	}

	_, err = client.BulkCreate(ctx, []types.BulkCreateItem{item("e", 1, false)})
	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrServer) {
		t.Fatalf("got %v, want a server-kind *daytona.Error", err)
	}
	if apiErr.StatusCode != 503 || apiErr.Code != "insufficient_capacity" {
		t.Errorf("got status %d code %q", apiErr.StatusCode, apiErr.Code)
	}
	if left := liveNamed(t, client, prefix("e")); len(left) != 0 {
		t.Errorf("created %v", left)
	}
}

func TestUnknownSandboxIsNotFoundAndWrongKeyIsAuthentication(t *testing.T) {
	client := newClient(t)
	_, err := client.Get(context.Background(), prefix("missing"))
	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrNotFound) || apiErr.Code != "sandbox_not_found" {
		t.Errorf("got %v, want not found with code sandbox_not_found", err)
	}

	stranger, err := daytona.NewClient(options.WithAPIKey("dtn_not_a_key"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = stranger.List(context.Background(), types.ListParams{})
	if !errors.Is(err, daytona.ErrAuthentication) {
		t.Errorf("got %v, want an authentication-kind error", err)
	}
}

// Runs after the other tests of this file (Go runs tests in source order): deletes everything they
// created. The tests of fleet_test.go, which run later, clean up after themselves.
func TestCleanupLeavesNoneOfTheSuitesSandboxes(t *testing.T) {
	client := newClient(t)
	mu.Lock()
	toDelete := slices.Clone(created)
	mu.Unlock()
	if len(toDelete) == 0 {
		t.Fatal("the suite created nothing")
	}
	for _, s := range toDelete {
		if err := s.Delete(context.Background()); err != nil {
			t.Errorf("deleting %s: %v", s.Name, err)
		} else if s.State != types.SandboxStateDestroyed {
			t.Errorf("%s is %s after delete", s.Name, s.State)
		}
	}
	if left := liveNamed(t, client, run); len(left) != 0 {
		t.Errorf("still live: %v", left)
	}
}
