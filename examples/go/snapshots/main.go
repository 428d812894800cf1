// Command snapshots makes two snapshots of two images, bulk-creates sandboxes from both in one
// request, and shows in each sandbox which image it runs. The image references come from
// DAYTONA_TEST_IMAGE_ALPHA and DAYTONA_TEST_IMAGE_BETA; against `npm start`, push the test images
// to its registry first (from the repository root, so .env.local is found):
//
//	eval "$(node tools/images/push-test-images.mjs)"
//	cd examples/go && go run ./snapshots
//
// Every sandbox and snapshot it created is deleted at the end, even after a failure; it exits 1 then.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	// For a runner to pull an image: about a second for the test images; raise it for large ones.
	snapshotTimeout = 2 * time.Minute
	// On the test images /marker names the image; other images say what OS they are.
	whichImage = `cat /marker 2>/dev/null || sed -n "s/^PRETTY_NAME=//p" /etc/os-release`
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) (err error) {
	images := []struct{ snapshot, variable string }{{"go-snap-alpha", "DAYTONA_TEST_IMAGE_ALPHA"}, {"go-snap-beta", "DAYTONA_TEST_IMAGE_BETA"}}
	for _, image := range images {
		if os.Getenv(image.variable) == "" {
			return fmt.Errorf("%s is not set: it names an image your runner can pull. Against npm start, push the test images "+
				`to its registry and set both with: eval "$(node tools/images/push-test-images.mjs)"`, image.variable)
		}
	}
	client, err := daytona.NewClient()
	if err != nil {
		return err
	}
	var snapshots []string
	var sandboxes []*daytona.Sandbox
	defer func() {
		// Cleanup, on a context of its own: the sandboxes first, since a snapshot in use cannot be deleted.
		fmt.Printf("Deleting %d sandboxes and %d snapshots...\n", len(sandboxes), len(snapshots))
		cleanupCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var failures []error
		for _, sandbox := range sandboxes {
			if deleteErr := sandbox.Delete(cleanupCtx); deleteErr != nil {
				failures = append(failures, fmt.Errorf("deleting %s: %w", sandbox.Name, deleteErr))
			}
		}
		for _, name := range snapshots {
			if deleteErr := client.Snapshot.Delete(cleanupCtx, name); deleteErr != nil {
				failures = append(failures, fmt.Errorf("deleting snapshot %s: %w", name, deleteErr))
			}
		}
		err = errors.Join(append([]error{err}, failures...)...)
	}()

	for _, image := range images {
		ref := os.Getenv(image.variable)
		fmt.Printf("Creating snapshot %s from %s...\n", image.snapshot, ref)
		_, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: image.snapshot, Image: ref},
			options.WithSnapshotTimeout(snapshotTimeout), options.WithOnLogs(func(line string) { fmt.Println("  " + line) }))
		// Created, or in error or still pulling: this run's to delete. Any other error (a name
		// taken, a bad reference) means it made nothing.
		if err == nil || errors.Is(err, daytona.ErrSnapshotState) || errors.Is(err, daytona.ErrTimeout) {
			snapshots = append(snapshots, image.snapshot)
		}
		if err != nil {
			return err
		}
	}

	fmt.Println("Bulk creating sandboxes from both snapshots in one request (await started)...")
	items := make([]types.BulkCreateItem, len(images))
	for i, image := range images {
		items[i] = types.BulkCreateItem{SnapshotIdOrName: image.snapshot, Count: 2, SandboxNamePrefix: image.snapshot}
	}
	sandboxes, err = client.BulkCreate(ctx, items, options.WithAwaitStarted(), options.WithTimeout(300*time.Second))
	if err != nil {
		return err
	}
	for _, sandbox := range sandboxes {
		// The server answers at its own timeout even if some sandboxes are not started yet.
		if sandbox.State != types.SandboxStateStarted {
			return fmt.Errorf("%s is %s: %s", sandbox.Name, sandbox.State, sandbox.ErrorReason)
		}
		res, err := sandbox.Process.ExecuteCommand(ctx, whichImage, options.WithCommandTimeout(30*time.Second))
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s\n", sandbox.Name, strings.TrimSpace(res.Result))
	}
	return nil
}
