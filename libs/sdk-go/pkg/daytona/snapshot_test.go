package daytona

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// snapshotJSON is a snapshot as the API describes it.
func snapshotJSON(id, name, state string) map[string]any {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339)
	return map[string]any{
		"id": id, "organizationId": "org-1", "name": name, "imageName": "registry.example.com/team/python:3.12",
		"general": false, "state": state, "errorReason": nil, "size": nil, "entrypoint": nil,
		"cpu": 1, "gpu": 0, "memory": 1, "mem": 1, "disk": 3, "regions": []string{"local"}, "regionIds": []string{"local"},
		"createdAt": now, "updatedAt": now, "lastUsedAt": nil,
	}
}

// recorder keeps what the stub API received, for handlers that run on the server's goroutines.
type recorder struct {
	mu       sync.Mutex
	requests []string
	bodies   []map[string]any
}

func (r *recorder) record(req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req.Method+" "+req.URL.RequestURI())
	r.bodies = append(r.bodies, body)
}

func (r *recorder) seen() ([]string, []map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...), append([]map[string]any(nil), r.bodies...)
}

func TestSnapshotCreateSendsTheImageAndResourcesThenPollsByIDUntilActive(t *testing.T) {
	var rec recorder
	states := []string{"pulling", "pulling", "active"}
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/snapshots":
			writeJSON(w, 200, snapshotJSON("snap-1", "py", "pending"))
		case r.Method == http.MethodGet && r.URL.Path == "/api/snapshots/snap-1":
			answer := snapshotJSON("snap-1", "py", states[0])
			if len(states) > 1 {
				states = states[1:]
			} else {
				answer["size"] = 0.5
			}
			writeJSON(w, 200, answer)
		default:
			http.NotFound(w, r)
		}
	})
	var logs []string

	snapshot, err := client.Snapshot.Create(context.Background(), types.CreateSnapshotParams{
		Name: "py", Image: "registry.example.com/py:3.12", Resources: &types.Resources{CPU: 2, Memory: 4, Disk: 8},
		Entrypoint: []string{"sleep", "infinity"},
	}, options.WithSnapshotTimeout(30*time.Second), options.WithOnLogs(func(line string) { logs = append(logs, line) }))
	if err != nil {
		t.Fatal(err)
	}

	requests, bodies := rec.seen()
	want := map[string]any{
		"name": "py", "imageName": "registry.example.com/py:3.12", "entrypoint": []any{"sleep", "infinity"},
		"cpu": float64(2), "memory": float64(4), "disk": float64(8),
	}
	if !reflect.DeepEqual(bodies[0], want) {
		t.Errorf("sent %v\nwant %v", bodies[0], want)
	}
	if wantRequests := []string{"POST /api/snapshots", "GET /api/snapshots/snap-1", "GET /api/snapshots/snap-1", "GET /api/snapshots/snap-1"}; !reflect.DeepEqual(requests, wantRequests) {
		t.Errorf("requests %v, want %v", requests, wantRequests)
	}
	if snapshot.ID != "snap-1" || snapshot.State != types.SnapshotStateActive || snapshot.Size != 0.5 || snapshot.Disk != 3 || snapshot.CreatedAt.IsZero() {
		t.Errorf("mapped snapshot %+v", snapshot)
	}
	if wantLogs := []string{"Creating snapshot py (pending)", "Creating snapshot py (pulling)", "Created snapshot py (active)"}; !reflect.DeepEqual(logs, wantLogs) {
		t.Errorf("logs %q, want %q", logs, wantLogs)
	}
}

func TestSnapshotCreateEndsInASnapshotStateErrorWithTheRegistryReason(t *testing.T) {
	const reason = "error reading manifest 1 in registry.example.com/nope: manifest unknown: manifest unknown"
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 200, snapshotJSON("snap-1", "nope", "pending"))
			return
		}
		answer := snapshotJSON("snap-1", "nope", "error")
		answer["errorReason"] = reason
		writeJSON(w, 200, answer)
	})

	_, err := client.Snapshot.Create(context.Background(), types.CreateSnapshotParams{Name: "nope", Image: "registry.example.com/nope:1"})

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrSnapshotState) {
		t.Fatalf("got %v, want an ErrSnapshotState *Error", err)
	}
	if apiErr.SnapshotName != "nope" || apiErr.State != "error" || apiErr.ErrorReason != reason || !strings.Contains(err.Error(), "manifest unknown") {
		t.Errorf("got %+v", apiErr)
	}
}

func TestSnapshotCreateGivesUpAtItsTimeoutAndAtTheContextDeadline(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, snapshotJSON("snap-1", "stuck", "pending"))
	})
	params := types.CreateSnapshotParams{Name: "stuck", Image: "x:1"}

	started := time.Now()
	_, err := client.Snapshot.Create(context.Background(), params, options.WithSnapshotTimeout(600*time.Millisecond))
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), `"stuck" is still pending after 600ms`) {
		t.Fatalf("got %v, want a timeout naming the snapshot", err)
	}
	if elapsed := time.Since(started); elapsed < 550*time.Millisecond || elapsed > 2500*time.Millisecond {
		t.Errorf("gave up after %s, want about 600ms", elapsed)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := client.Snapshot.Create(ctx, params); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a timeout at the context's deadline", err)
	}
}

func TestSnapshotCreateMapsTheServerRefusals(t *testing.T) {
	var rec recorder
	answers := []struct {
		status int
		body   map[string]any
	}{
		{409, errorJSON(409, "snapshot_name_conflict", `A snapshot named "py" already exists`, map[string]any{"name": "py"})},
		{400, errorJSON(400, "unsupported_field", "gpu: GPUs are not available on this server", map[string]any{"field": "gpu"})},
	}
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		answer := answers[0]
		answers = answers[1:]
		writeJSON(w, answer.status, answer.body)
	})

	_, err := client.Snapshot.Create(context.Background(), types.CreateSnapshotParams{Name: "py", Image: "py:3.12"})
	var conflict *Error
	if !errors.As(err, &conflict) || !errors.Is(err, ErrConflict) || conflict.Code != "snapshot_name_conflict" {
		t.Fatalf("got %v, want ErrConflict snapshot_name_conflict", err)
	}
	_, err = client.Snapshot.Create(context.Background(), types.CreateSnapshotParams{Name: "gpu", Image: "py:3.12", Resources: &types.Resources{GPU: 1}})
	var gpu *Error
	if !errors.As(err, &gpu) || !errors.Is(err, ErrValidation) || gpu.Code != "unsupported_field" || gpu.Details["field"] != "gpu" {
		t.Fatalf("got %v, want ErrValidation unsupported_field on gpu", err)
	}
	if _, bodies := rec.seen(); bodies[1]["gpu"] != float64(1) {
		t.Errorf("sent %v, want gpu 1", bodies[1])
	}
}

func TestSnapshotGetListAndDelete(t *testing.T) {
	var rec recorder
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		switch r.Method + " " + r.URL.Path {
		case "GET /api/snapshots/py":
			writeJSON(w, 200, snapshotJSON("snap-1", "py", "active"))
		case "GET /api/snapshots/gone":
			writeJSON(w, 404, errorJSON(404, "snapshot_not_found", `Snapshot "gone" not found`, nil))
		case "GET /api/snapshots":
			general := snapshotJSON("snap-0", "default", "active")
			general["general"], general["organizationId"] = true, nil
			writeJSON(w, 200, map[string]any{"items": []any{snapshotJSON("snap-1", "py", "active"), general}, "total": 12, "page": 2, "totalPages": 6})
		case "DELETE /api/snapshots/py":
			w.WriteHeader(200)
		case "DELETE /api/snapshots/used":
			writeJSON(w, 409, errorJSON(409, "snapshot_in_use", "in use", map[string]any{"snapshot": "used", "sandboxes": 2}))
		case "DELETE /api/snapshots/default":
			writeJSON(w, 403, errorJSON(403, "general_snapshot_read_only", "general", nil))
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()

	snapshot, err := client.Snapshot.Get(ctx, "py")
	if err != nil || snapshot.Name != "py" || snapshot.State != types.SnapshotStateActive || snapshot.ImageName != "registry.example.com/team/python:3.12" {
		t.Fatalf("got %+v, %v", snapshot, err)
	}
	if _, err := client.Snapshot.Get(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	page, err := client.Snapshot.List(ctx, 2, 2)
	if err != nil || page.Total != 12 || page.Page != 2 || page.TotalPages != 6 || len(page.Items) != 2 ||
		!page.Items[1].General || page.Items[1].OrganizationID != "" {
		t.Fatalf("got %+v, %v", page, err)
	}
	if _, err := client.Snapshot.List(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := client.Snapshot.Delete(ctx, "py"); err != nil {
		t.Fatal(err)
	}
	var inUse *Error
	if err := client.Snapshot.Delete(ctx, "used"); !errors.As(err, &inUse) || !errors.Is(err, ErrConflict) || inUse.Code != "snapshot_in_use" {
		t.Fatalf("got %v, want ErrConflict snapshot_in_use", err)
	}
	if err := client.Snapshot.Delete(ctx, "default"); !errors.Is(err, ErrAuthorization) {
		t.Fatalf("got %v, want ErrAuthorization", err)
	}

	requests, _ := rec.seen()
	want := []string{
		// Zero page and limit: the generated client sends the spec's defaults.
		"GET /api/snapshots/py", "GET /api/snapshots/gone", "GET /api/snapshots?limit=2&page=2", "GET /api/snapshots?limit=100&page=1",
		"DELETE /api/snapshots/py", "DELETE /api/snapshots/used", "DELETE /api/snapshots/default",
	}
	if !reflect.DeepEqual(requests, want) {
		t.Errorf("requests %v\nwant %v", requests, want)
	}
}
