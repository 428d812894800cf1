// Command bulk_create bulk-creates sandboxes in both modes and runs a command in each:
//  1. fire and forget (no await), then wait for each sandbox;
//  2. await started, then run commands at once.
//
// Every sandbox it created is deleted at the end, even after a failure; it exits 1 then.
// Against `npm start` (run from the repository or below it, so .env.local is found):
//
//	cd examples/go && go run ./bulk_create
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// Bound on the whole fire-and-forget wait.
const startTimeout = 120 * time.Second

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) (err error) {
	client, err := daytona.NewClient()
	if err != nil {
		return err
	}
	var created []*daytona.Sandbox
	defer func() {
		// Cleanup: on a context of its own, so it runs whatever happened to ctx.
		fmt.Printf("Deleting %d sandboxes...\n", len(created))
		cleanupCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, sandbox := range created {
			if deleteErr := sandbox.Delete(cleanupCtx); deleteErr != nil {
				fmt.Fprintf(os.Stderr, "cleanup of %s failed: %v\n", sandbox.Name, deleteErr)
				if err == nil {
					err = deleteErr
				}
			}
		}
	}()

	// Mode 1: fire and forget, then wait for each.
	fmt.Println("Bulk creating sandboxes (fire and forget)...")
	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 3, SandboxNamePrefix: "go-batch-a"},
	})
	if err != nil {
		return err
	}
	created = append(created, sandboxes...)
	// WaitUntilStarted polls with backoff and fails at once, with the reason, for a sandbox that
	// ends in error; all the waits share one deadline.
	deadline := time.Now().Add(startTimeout)
	for _, sandbox := range sandboxes {
		if err := sandbox.WaitUntilStarted(ctx, max(time.Until(deadline), -1)); err != nil {
			return err
		}
		if err := sayHello(ctx, sandbox); err != nil {
			return err
		}
	}

	// Mode 2: await started.
	fmt.Println("Bulk creating sandboxes (await started)...")
	ready, err := client.BulkCreate(ctx, []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 3, SandboxNamePrefix: "go-batch-b"},
	}, options.WithAwaitStarted(), options.WithTimeout(300*time.Second))
	if err != nil {
		return err
	}
	created = append(created, ready...)
	for _, sandbox := range ready {
		// The server answers at its own timeout even if some sandboxes are not started yet.
		if sandbox.State != types.SandboxStateStarted {
			return fmt.Errorf("%s is %s: %s", sandbox.Name, sandbox.State, sandbox.ErrorReason)
		}
		if err := sayHello(ctx, sandbox); err != nil {
			return err
		}
	}
	return nil
}

func sayHello(ctx context.Context, sandbox *daytona.Sandbox) error {
	res, err := sandbox.Process.ExecuteCommand(ctx, "echo hello", options.WithCommandTimeout(30*time.Second))
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s: echo exited %d: %s", sandbox.Name, res.ExitCode, res.Result)
	}
	fmt.Printf("%s: %s\n", sandbox.Name, strings.TrimSpace(res.Result))
	return nil
}
