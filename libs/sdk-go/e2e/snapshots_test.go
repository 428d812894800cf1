//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// testImage is a busybox test image in the stack's registry; its /marker holds the tag.
func testImage(t *testing.T, tag string) string {
	t.Helper()
	image := os.Getenv("DAYTONA_TEST_IMAGE_" + strings.ToUpper(tag))
	if image == "" {
		t.Fatalf("DAYTONA_TEST_IMAGE_%s is not set: run the suite through tools/e2e/with-stack.mjs", strings.ToUpper(tag))
	}
	return image
}

// deleteSnapshotsAtEnd deletes, after the test, the live sandboxes and then the snapshots whose
// names start with p: whatever a failed test left behind.
func deleteSnapshotsAtEnd(t *testing.T, client *daytona.Client, p string) {
	t.Cleanup(func() {
		ctx := context.Background()
		if page, err := client.List(ctx, types.ListParams{Limit: 1000}); err == nil {
			for _, s := range page.Items {
				if strings.HasPrefix(s.Name, p) {
					_ = s.Delete(ctx)
				}
			}
		}
		if page, err := client.Snapshot.List(ctx, 1, 1000); err == nil {
			for _, s := range page.Items {
				if strings.HasPrefix(s.Name, p) {
					_ = client.Snapshot.Delete(ctx, s.Name)
				}
			}
		}
	})
}

func TestSnapshotsOfTwoImagesGiveEachSandboxOfOneBulkItsOwnImage(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	alpha, beta := prefix("snap-alpha"), prefix("snap-beta")
	deleteSnapshotsAtEnd(t, client, prefix("snap-"))

	var logs []string
	snapshot, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: alpha, Image: testImage(t, "alpha"), Resources: &types.Resources{Disk: 1}},
		options.WithSnapshotTimeout(2*time.Minute), options.WithOnLogs(func(line string) { logs = append(logs, line) }))
	if err != nil {
		t.Fatal(err)
	}
	if snapshot.Name != alpha || snapshot.ImageName != testImage(t, "alpha") || snapshot.State != types.SnapshotStateActive ||
		snapshot.ErrorReason != "" || snapshot.Disk != 1 {
		t.Errorf("created %+v", snapshot)
	}
	if len(logs) < 2 || logs[0] != "Creating snapshot "+alpha+" (pending)" || logs[len(logs)-1] != "Created snapshot "+alpha+" (active)" {
		t.Errorf("logs %q", logs)
	}
	if got, err := client.Snapshot.Get(ctx, alpha); err != nil || got.ID != snapshot.ID {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if _, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: beta, Image: testImage(t, "beta"), Resources: &types.Resources{Disk: 1}},
		options.WithSnapshotTimeout(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	page, err := client.Snapshot.List(ctx, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, s := range page.Items {
		listed = append(listed, s.Name)
	}
	for _, name := range []string{"default", alpha, beta} {
		if !slices.Contains(listed, name) {
			t.Errorf("list has %v, not %s", listed, name)
		}
	}

	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: alpha, Count: 2, SandboxNamePrefix: prefix("snap-a")},
		{SnapshotIdOrName: beta, Count: 2, SandboxNamePrefix: prefix("snap-b")},
	}, options.WithAwaitStarted(), options.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var markers []string
	for _, s := range sandboxes {
		if s.State != types.SandboxStateStarted {
			t.Fatalf("%s is %s (%s), want started", s.Name, s.State, s.ErrorReason)
		}
		res, err := s.Process.ExecuteCommand(ctx, "cat /marker")
		if err != nil {
			t.Fatal(err)
		}
		markers = append(markers, s.Snapshot+": "+strings.TrimSpace(res.Result))
	}
	if want := []string{alpha + ": alpha", alpha + ": alpha", beta + ": beta", beta + ": beta"}; !slices.Equal(markers, want) {
		t.Errorf("markers %v, want %v", markers, want)
	}

	err = client.Snapshot.Delete(ctx, alpha)
	var inUse *daytona.Error
	if !errors.As(err, &inUse) || !errors.Is(err, daytona.ErrConflict) || inUse.Code != "snapshot_in_use" || inUse.Details["sandboxes"] != float64(2) {
		t.Fatalf("deleting a snapshot in use: got %v, want ErrConflict snapshot_in_use for 2 sandboxes", err)
	}
	for _, s := range sandboxes {
		if err := s.Delete(ctx); err != nil || s.State != types.SandboxStateDestroyed {
			t.Fatalf("deleting %s: %v (%s)", s.Name, err, s.State)
		}
	}
	for _, name := range []string{alpha, beta} {
		if err := client.Snapshot.Delete(ctx, name); err != nil {
			t.Fatalf("deleting %s once unused: %v", name, err)
		}
		var gone *daytona.Error
		if _, err := client.Snapshot.Get(ctx, name); !errors.As(err, &gone) || !errors.Is(err, daytona.ErrNotFound) || gone.Code != "snapshot_not_found" {
			t.Errorf("get of deleted %s: %v", name, err)
		}
	}
}

func TestSnapshotOfAnImageTheRegistryLacksEndsInItsReason(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	name := prefix("snap-missing")
	deleteSnapshotsAtEnd(t, client, name)
	image := strings.TrimSuffix(testImage(t, "alpha"), ":alpha") + ":no-such-tag"

	_, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: name, Image: image}, options.WithSnapshotTimeout(2*time.Minute))

	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrSnapshotState) {
		t.Fatalf("got %v, want an ErrSnapshotState *daytona.Error", err)
	}
	if apiErr.SnapshotName != name || apiErr.State != "error" || !strings.Contains(apiErr.ErrorReason, "manifest unknown") {
		t.Errorf("got %+v", apiErr)
	}
	// It stays, in error, until deleted.
	if snapshot, err := client.Snapshot.Get(ctx, name); err != nil || snapshot.State != types.SnapshotStateError {
		t.Errorf("after the error: %+v, %v", snapshot, err)
	}
	if err := client.Snapshot.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
}
