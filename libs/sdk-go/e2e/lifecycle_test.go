//go:build e2e

package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

func TestStopKeepsFilesAndStartBringsThemBackWithNewProcesses(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandbox, err := client.Create(ctx, types.CreateParams{Name: prefix("life")})
	if err != nil {
		t.Fatal(err)
	}
	track([]*daytona.Sandbox{sandbox})
	if _, err := sandbox.Process.ExecuteCommand(ctx, "echo kept > note.txt; nohup sleep 600 >/dev/null 2>&1 & echo $! > sleeper.pid"); err != nil {
		t.Fatal(err)
	}
	alive := `if kill -0 "$(cat sleeper.pid)" 2>/dev/null; then echo alive; else echo gone; fi`
	if res, err := sandbox.Process.ExecuteCommand(ctx, alive); err != nil || res.Result != "alive\n" {
		t.Fatalf("the background process before the stop: %v %+v", err, res)
	}

	if err := sandbox.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStopped {
		t.Fatalf("state %s after Stop", sandbox.State)
	}
	if _, err := sandbox.Process.ExecuteCommand(ctx, "true"); !errors.Is(err, daytona.ErrConflict) {
		t.Fatalf("a command in a stopped sandbox: %v, want the server's conflict", err)
	}
	// Stopping again does nothing.
	if err := client.Stop(ctx, sandbox); err != nil || sandbox.State != types.SandboxStateStopped {
		t.Fatalf("second stop: %v, %s", err, sandbox.State)
	}

	if err := client.Start(ctx, sandbox); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStarted {
		t.Fatalf("state %s after Start", sandbox.State)
	}
	res, err := sandbox.Process.ExecuteCommand(ctx, "cat note.txt; "+alive)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != "kept\ngone\n" {
		t.Errorf("after start: %q, want the file kept and no old process", res.Result)
	}
}

func TestIntervalsAreSetAndReadBack(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandbox, err := client.Create(ctx, types.CreateParams{Name: prefix("intervals")})
	if err != nil {
		t.Fatal(err)
	}
	track([]*daytona.Sandbox{sandbox})

	if err := sandbox.SetAutostopInterval(ctx, 45); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.SetAutoDeleteInterval(ctx, 90); err != nil {
		t.Fatal(err)
	}
	if sandbox.AutoStopInterval != 45 || sandbox.AutoDeleteInterval != 90 {
		t.Errorf("answered %d / %d", sandbox.AutoStopInterval, sandbox.AutoDeleteInterval)
	}
	again, err := client.Get(ctx, sandbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.AutoStopInterval != 45 || again.AutoDeleteInterval != 90 {
		t.Errorf("stored %d / %d", again.AutoStopInterval, again.AutoDeleteInterval)
	}

	// Refused before it is sent (the spec's minimum is 0), and nothing changes.
	err = sandbox.SetAutostopInterval(ctx, -5)
	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrValidation) || apiErr.Code != "validation_failed" {
		t.Fatalf("a negative auto-stop: %v", err)
	}
	if again, err := client.Get(ctx, sandbox.ID); err != nil || again.AutoStopInterval != 45 {
		t.Errorf("after the refused change: %v, %+v", err, again)
	}
}

func TestAutoDeleteZeroDestroysTheSandboxWhenItStops(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandbox, err := client.Create(ctx, types.CreateParams{Name: prefix("autodelete")})
	if err != nil {
		t.Fatal(err)
	}
	track([]*daytona.Sandbox{sandbox})
	if err := sandbox.SetAutoDeleteInterval(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Stop(ctx); err != nil && !errors.Is(err, daytona.ErrSandboxState) {
		t.Fatal(err) // the reconciler may destroy it before the wait sees it stopped
	}
	deadline := time.Now().Add(30 * time.Second)
	for sandbox.State != types.SandboxStateDestroyed {
		if time.Now().After(deadline) {
			t.Fatalf("still %s 30 s after stopping with auto-delete 0", sandbox.State)
		}
		time.Sleep(200 * time.Millisecond)
		if err := sandbox.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStartOfADestroyedSandboxIsTheServersError(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()

	sandbox, err := client.Create(ctx, types.CreateParams{Name: prefix("gone")})
	if err != nil {
		t.Fatal(err)
	}
	track([]*daytona.Sandbox{sandbox})
	if err := sandbox.Delete(ctx); err != nil {
		t.Fatal(err)
	}

	// Found by its id, destroying or destroyed: a state no start leaves.
	err = sandbox.Start(ctx)
	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, daytona.ErrConflict) || apiErr.Code != "sandbox_state_conflict" {
		t.Fatalf("got %v, want ErrConflict sandbox_state_conflict", err)
	}
	if again, err := client.Get(ctx, sandbox.ID); err == nil && again.State == types.SandboxStateStarted {
		t.Errorf("the destroyed sandbox is started again")
	}
}
