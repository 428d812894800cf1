//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// deleteAndWait deletes the sandboxes (those not destroyed yet) and waits until each is
// destroyed, so the next test has the runner's room.
func deleteAndWait(t *testing.T, sandboxes []*daytona.Sandbox) {
	t.Helper()
	for _, s := range sandboxes {
		if s.State != types.SandboxStateDestroyed {
			if err := s.Delete(context.Background()); err != nil {
				t.Errorf("deleting %s: %v", s.Name, err)
			}
		}
	}
	untilDestroyed(t, sandboxes)
}

func untilDestroyed(t *testing.T, sandboxes []*daytona.Sandbox) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range sandboxes {
		for s.State != types.SandboxStateDestroyed {
			if time.Now().After(deadline) {
				t.Fatalf("%s is still %s", s.Name, s.State)
			}
			time.Sleep(100 * time.Millisecond)
			if err := s.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func ids(sandboxes []*daytona.Sandbox) []string {
	out := make([]string, len(sandboxes))
	for i, s := range sandboxes {
		out[i] = s.ID
	}
	sort.Strings(out)
	return out
}

func liveIDsNamed(t *testing.T, client *daytona.Client, p string) []string {
	return ids(liveSandboxes(t, client, p))
}

// attemptKeys are the Idempotency-Keys of the requests to target the proxy forwarded, and how
// many answers it cut off.
func attemptKeys(proxy *cuttingProxy, target string) ([]string, int) {
	requests, cuts := proxy.seen()
	var keys []string
	for _, r := range requests {
		if r.target == target {
			keys = append(keys, r.idempotencyKey)
		}
	}
	return keys, cuts
}

func TestLabelsAndEnvOfEachItemReachEverySandboxOfIt(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	fleet := prefix("fleet")
	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: prefix("la"), Labels: map[string]string{"fleet": fleet, "item": "a"}, Env: map[string]string{"FLEET_ITEM": "alpha"}},
		{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: prefix("lb"), Labels: map[string]string{"fleet": fleet, "item": "b"}, Env: map[string]string{"FLEET_ITEM": "beta"}},
	}, options.WithAwaitStarted(), options.WithTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer deleteAndWait(t, sandboxes)

	if got, want := names(sandboxes), append(expectedNames(prefix("la"), 2), expectedNames(prefix("lb"), 2)...); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	requestID := sandboxes[0].BulkRequestID()
	if len(requestID) != 36 {
		t.Fatalf("bulk request id %q", requestID)
	}
	for i, s := range sandboxes {
		item, value := "a", "alpha"
		if i >= 2 {
			item, value = "b", "beta"
		}
		wantLabels := map[string]string{"fleet": fleet, "item": item, types.BulkRequestLabel: requestID}
		if s.State != types.SandboxStateStarted || len(s.Labels) != 3 || s.Labels["fleet"] != fleet || s.Labels["item"] != item || s.BulkRequestID() != requestID {
			t.Errorf("%s is %s with labels %v, want started with %v", s.Name, s.State, s.Labels, wantLabels)
		}
		res, err := s.Process.ExecuteCommand(ctx, `echo "$FLEET_ITEM"`)
		if err != nil || res.Result != value+"\n" {
			t.Errorf("%s sees FLEET_ITEM %+v (%v), want %s", s.Name, res, err, value)
		}
	}
	page, err := client.List(ctx, types.ListParams{Labels: map[string]string{types.BulkRequestLabel: requestID}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Items); !slices.Equal(got, ids(sandboxes)) {
		t.Errorf("listed by the request's label: %v, want %v", got, ids(sandboxes))
	}
}

func TestBulkDeleteByLabelDestroysExactlyTheSandboxesCarryingIt(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	fleet := prefix("fleet-del")
	doomed, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 3, SandboxNamePrefix: prefix("del"), Labels: map[string]string{"fleet": fleet, "wave": "doomed"}},
	}, options.WithAwaitStarted(), options.WithTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: prefix("keep"), Labels: map[string]string{"fleet": fleet, "wave": "kept"}},
	}, options.WithAwaitStarted(), options.WithTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer deleteAndWait(t, append(slices.Clone(doomed), kept...))

	deleted, err := client.BulkDelete(ctx, types.BulkDeleteSelector{Labels: map[string]string{"fleet": fleet, "wave": "doomed"}})
	if err != nil || deleted != 3 {
		t.Fatalf("deleted %d, %v; want 3", deleted, err)
	}

	untilDestroyed(t, doomed)
	for _, s := range kept {
		if err := s.Refresh(ctx); err != nil || s.State != types.SandboxStateStarted {
			t.Errorf("%s is %s (%v), want started", s.Name, s.State, err)
		}
	}
	if got := liveIDsNamed(t, client, prefix("")); !slices.Equal(got, ids(kept)) {
		t.Errorf("live: %v, want only the kept %v", got, ids(kept))
	}
	if res, err := kept[0].Process.ExecuteCommand(ctx, "echo still here"); err != nil || res.Result != "still here\n" {
		t.Errorf("kept sandbox answered %+v, %v", res, err)
	}
	if again, err := client.BulkDelete(ctx, types.BulkDeleteSelector{Labels: map[string]string{"fleet": fleet, "wave": "doomed"}}); err != nil || again != 0 {
		t.Errorf("a second bulk delete marked %d, %v; want 0", again, err)
	}
}

func TestBulkDeleteWithAnEmptySelectorIsEmptySelectorAndDeletesNothing(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{item("empty", 1, false)})
	if err != nil {
		t.Fatal(err)
	}
	defer deleteAndWait(t, sandboxes)

	for _, selector := range []types.BulkDeleteSelector{{}, {Labels: map[string]string{}}, {IDs: []string{}}} {
		_, err := client.BulkDelete(ctx, selector)
		var apiErr *daytona.Error
		if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrValidation) || apiErr.StatusCode != 400 || apiErr.Code != "empty_selector" {
			t.Errorf("%+v: got %v, want a validation-kind error with code empty_selector", selector, err)
		}
	}
	if got := liveIDsNamed(t, client, prefix("empty")); !slices.Equal(got, ids(sandboxes)) {
		t.Errorf("live: %v, want %v", got, ids(sandboxes))
	}
}

func TestABulkCreateRetriedAfterADroppedAnswerCreatesOnce(t *testing.T) {
	client := newClient(t)
	proxy := startCuttingProxy(t, os.Getenv("DAYTONA_API_URL"), "POST /api/sandbox/bulk")
	viaProxy, err := daytona.NewClient(options.WithAPIURL(proxy.URL()))
	if err != nil {
		t.Fatal(err)
	}

	sandboxes, err := viaProxy.BulkCreate(context.Background(), []types.BulkCreateItem{item("cut", 2, false)},
		options.WithAwaitStarted(), options.WithTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer deleteAndWait(t, sandboxes)

	keys, cuts := attemptKeys(proxy, "POST /api/sandbox/bulk")
	if cuts != 1 || len(keys) != 2 || keys[0] == "" || keys[1] != keys[0] {
		t.Fatalf("%d cuts, keys %q; want one cut and the same key on both attempts", cuts, keys)
	}
	if got, want := names(sandboxes), expectedNames(prefix("cut"), 2); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	page, err := client.List(context.Background(), types.ListParams{Labels: map[string]string{types.BulkRequestLabel: sandboxes[0].BulkRequestID()}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Items); !slices.Equal(got, ids(sandboxes)) {
		t.Errorf("the request's sandboxes: %v, want %v", got, ids(sandboxes))
	}
	if got := liveIDsNamed(t, client, prefix("cut")); !slices.Equal(got, ids(sandboxes)) {
		t.Errorf("live sandboxes named %s: %v, want %v", prefix("cut"), got, ids(sandboxes))
	}
}

func TestACreateRetriedAfterADroppedAnswerCreatesOnce(t *testing.T) {
	client := newClient(t)
	proxy := startCuttingProxy(t, os.Getenv("DAYTONA_API_URL"), "POST /api/sandbox")
	viaProxy, err := daytona.NewClient(options.WithAPIURL(proxy.URL()))
	if err != nil {
		t.Fatal(err)
	}

	sandbox, err := viaProxy.Create(context.Background(), types.CreateParams{Name: prefix("one")}, options.WithStartTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer deleteAndWait(t, []*daytona.Sandbox{sandbox})

	keys, cuts := attemptKeys(proxy, "POST /api/sandbox")
	if cuts != 1 || len(keys) != 2 || keys[0] == "" || keys[1] != keys[0] {
		t.Fatalf("%d cuts, keys %q; want one cut and the same key on both attempts", cuts, keys)
	}
	if got := liveIDsNamed(t, client, prefix("one")); !slices.Equal(got, []string{sandbox.ID}) {
		t.Errorf("live sandboxes named %s: %v, want [%s]", prefix("one"), got, sandbox.ID)
	}
}
