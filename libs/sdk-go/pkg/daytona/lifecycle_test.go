package daytona

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// lifecycleAPI answers POST /sandbox/id-1/{change} with the sandbox in answerState, then
// GET /sandbox/id-1 with the states in turn (the last one forever), and records each request.
type lifecycleAPI struct {
	mu       sync.Mutex
	requests []string
	queries  []string
}

func (l *lifecycleAPI) serve(t *testing.T, answerState string, polled ...string) *Client {
	polls := 0
	return stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.requests = append(l.requests, r.Method+" "+r.URL.Path)
		l.queries = append(l.queries, r.URL.RawQuery)
		if r.Method == http.MethodPost {
			writeJSON(w, 200, sandboxJSON("id-1", "job", answerState))
			return
		}
		state := polled[min(polls, len(polled)-1)]
		polls++
		writeJSON(w, 200, sandboxJSON("id-1", "job", state))
	})
}

func sandboxIn(t *testing.T, client *Client, state string) *Sandbox {
	t.Helper()
	dto := mustDTO(t, client, state)
	return newSandbox(dto, client)
}

func TestStartAsksTheServerThenWaitsUntilStarted(t *testing.T) {
	api := &lifecycleAPI{}
	client := api.serve(t, "starting", "stopped", "starting", "started")
	sandbox := sandboxIn(t, client, "stopped")
	api.requests = nil

	if err := sandbox.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStarted {
		t.Errorf("state %s", sandbox.State)
	}
	if len(api.requests) < 2 || api.requests[0] != "POST /api/sandbox/id-1/start" || api.requests[1] != "GET /api/sandbox/id-1" {
		t.Errorf("requests %v", api.requests)
	}
}

func TestStopSendsForceAndWaitsUntilStopped(t *testing.T) {
	api := &lifecycleAPI{}
	client := api.serve(t, "stopping", "started", "stopping", "stopped")
	sandbox := sandboxIn(t, client, "started")
	api.requests, api.queries = nil, nil

	if err := sandbox.StopWithTimeout(context.Background(), 10*time.Second, true); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStopped {
		t.Errorf("state %s", sandbox.State)
	}
	if api.requests[0] != "POST /api/sandbox/id-1/stop" || api.queries[0] != "force=true" {
		t.Errorf("requests %v %v", api.requests, api.queries)
	}

	api.queries = nil
	if err := client.Stop(context.Background(), sandbox); err != nil {
		t.Fatal(err)
	}
	if api.queries[0] != "force=false" {
		t.Errorf("client.Stop sent %q", api.queries[0])
	}
}

func TestClientStartStartsTheSandboxItIsGiven(t *testing.T) {
	api := &lifecycleAPI{}
	client := api.serve(t, "started", "stopped")
	sandbox := sandboxIn(t, client, "stopped")
	api.requests = nil

	if err := client.Start(context.Background(), sandbox); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStarted || api.requests[0] != "POST /api/sandbox/id-1/start" || len(api.requests) != 1 {
		t.Errorf("state %s after %v (an answer already started needs no poll)", sandbox.State, api.requests)
	}
}

func TestStopGivesUpAtItsTimeoutAndAStartThatEndsInErrorSaysWhy(t *testing.T) {
	api := &lifecycleAPI{}
	client := api.serve(t, "stopping", "started", "stopping")
	sandbox := sandboxIn(t, client, "started")

	err := sandbox.StopWithTimeout(context.Background(), 300*time.Millisecond, false)
	if !errors.Is(err, ErrTimeout) || sandbox.State != types.SandboxStateStopping || !strings.Contains(err.Error(), "still stopping after 300ms") {
		t.Fatalf("got %v in %s, want a timeout while stopping", err, sandbox.State)
	}

	failing := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		body := sandboxJSON("id-1", "job", "starting")
		if r.Method == http.MethodGet {
			body["state"], body["errorReason"] = "error", "image gone"
		}
		writeJSON(w, 200, body)
	})
	sandbox = sandboxIn(t, failing, "stopped")
	err = sandbox.Start(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Kind != ErrSandboxState || apiErr.ErrorReason != "image gone" {
		t.Fatalf("got %v, want a sandbox-state error with the reason", err)
	}
}

func TestStartOfASandboxThatCannotStartIsTheServersConflict(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			writeJSON(w, 200, sandboxJSON("id-1", "job", "destroyed"))
			return
		}
		writeJSON(w, 409, errorJSON(409, "sandbox_state_conflict", `Sandbox "job" is destroyed: only a sandbox stopped can be started`, map[string]any{"state": "destroyed"}))
	})
	sandbox := sandboxIn(t, client, "destroyed")

	err := sandbox.Start(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrConflict) || apiErr.Code != "sandbox_state_conflict" || apiErr.Details["state"] != "destroyed" {
		t.Fatalf("got %#v", err)
	}
}

func TestSetIntervalsSendTheMinutesAndRefreshTheFields(t *testing.T) {
	var paths []string
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		body := sandboxJSON("id-1", "job", "started")
		body["autoStopInterval"], body["autoDeleteInterval"] = 42, 0
		writeJSON(w, 200, body)
	})
	sandbox := sandboxIn(t, client, "started")
	paths = nil

	if err := sandbox.SetAutostopInterval(context.Background(), 42); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.SetAutoDeleteInterval(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if paths[0] != "POST /api/sandbox/id-1/autostop/42" || paths[1] != "POST /api/sandbox/id-1/autodelete/0" {
		t.Errorf("requests %v", paths)
	}
	if sandbox.AutoStopInterval != 42 || sandbox.AutoDeleteInterval != 0 || sandbox.ToolboxProxyURL != "http://127.0.0.1:3000/api/toolbox" || sandbox.User != "daytona" {
		t.Errorf("fields %+v", sandbox)
	}
}

func TestSetAutoDeleteIntervalTakesNegativeForNeverAndRefusesWhatDoesNotFit(t *testing.T) {
	var path string
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		writeJSON(w, 200, sandboxJSON("id-1", "job", "started"))
	})
	sandbox := sandboxIn(t, client, "started")

	if err := sandbox.SetAutoDeleteInterval(context.Background(), -1); err != nil || path != "/api/sandbox/id-1/autodelete/-1" {
		t.Fatalf("got %v at %s", err, path)
	}
	path = ""
	if err := sandbox.SetAutostopInterval(context.Background(), 1<<40); !errors.Is(err, ErrValidation) || path != "" {
		t.Fatalf("got %v, sent to %q", err, path)
	}
	// Below the spec's minimum: the generated client's own check, the SDK's validation error.
	var apiErr *Error
	if err := sandbox.SetAutostopInterval(context.Background(), -5); !errors.As(err, &apiErr) || apiErr.Kind != ErrValidation || apiErr.Code != "validation_failed" || path != "" {
		t.Fatalf("got %#v, sent to %q", err, path)
	}
}
