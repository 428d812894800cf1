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
	"sync/atomic"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

func TestBulkCreateSendsTheItemsAndReturnsSandboxesThatRunCommands(t *testing.T) {
	var bulkBody, execBody map[string]any
	var execPath string
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/sandbox/bulk":
			_ = json.Unmarshal(raw, &bulkBody)
			writeJSON(w, 200, []any{sandboxJSON("id-1", "eval-00001", "started"), sandboxJSON("id-2", "eval-00002", "started"), sandboxJSON("id-3", "more-00001", "error")})
		case r.Method == http.MethodPost:
			execPath = r.URL.Path
			_ = json.Unmarshal(raw, &execBody)
			writeJSON(w, 200, map[string]any{"exitCode": 0, "result": "hello\n"})
		default:
			http.NotFound(w, r)
		}
	})

	sandboxes, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: "eval"},
		{SnapshotIdOrName: "snap-2", Count: 5, SandboxNamePrefix: "more", AllowUnder: true},
	}, options.WithAwaitStarted(), options.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}

	wantBody := map[string]any{
		"awaitStarted": true,
		"items": []any{
			map[string]any{"snapshotIdOrName": "default", "count": float64(2), "sandboxNamePrefix": "eval", "allowUnder": false},
			map[string]any{"snapshotIdOrName": "snap-2", "count": float64(5), "sandboxNamePrefix": "more", "allowUnder": true},
		},
	}
	if !reflect.DeepEqual(bulkBody, wantBody) {
		t.Errorf("sent %v\nwant %v", bulkBody, wantBody)
	}
	if len(sandboxes) != 3 {
		t.Fatalf("got %d sandboxes, want 3 (the server created fewer than asked: the caller sees it)", len(sandboxes))
	}
	first := sandboxes[0]
	if first.ID != "id-1" || first.Name != "eval-00001" || first.State != types.SandboxStateStarted ||
		first.CPU != 1 || first.RunnerID != "runner-1" || first.Labels["team"] != "eval" || first.CreatedAt.IsZero() {
		t.Errorf("mapped sandbox %+v", first)
	}
	if sandboxes[2].State != types.SandboxStateError {
		t.Errorf("third sandbox is %s, want error", sandboxes[2].State)
	}

	res, err := sandboxes[1].Process.ExecuteCommand(context.Background(), "echo hello", options.WithCwd("/tmp"), options.WithCommandTimeout(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if *res != (types.ExecuteResponse{ExitCode: 0, Result: "hello\n"}) {
		t.Errorf("got %+v", *res)
	}
	if execPath != "/api/toolbox/id-2/toolbox/process/execute" {
		t.Errorf("executed at %s", execPath)
	}
	if want := map[string]any{"command": "echo hello", "cwd": "/tmp", "timeout": float64(2)}; !reflect.DeepEqual(execBody, want) {
		t.Errorf("sent %v, want %v", execBody, want)
	}
}

func TestBulkCreateWithoutAwaitSaysSo(t *testing.T) {
	var body map[string]any
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, []any{sandboxJSON("id-1", "a-00001", "creating")})
	})

	sandboxes, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{{SnapshotIdOrName: "default", Count: 1, SandboxNamePrefix: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if body["awaitStarted"] != false || sandboxes[0].State != types.SandboxStateCreating {
		t.Errorf("sent %v, got state %s", body, sandboxes[0].State)
	}
}

func TestListSendsFiltersAndMapsThePage(t *testing.T) {
	var query map[string][]string
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Query()
		writeJSON(w, 200, map[string]any{"items": []any{sandboxJSON("id-1", "a", "started")}, "total": 1, "page": 2, "limit": 10, "totalPages": 1, "nextCursor": nil})
	})

	page, err := client.List(context.Background(), types.ListParams{
		States: []types.SandboxState{types.SandboxStateStarted}, Labels: map[string]string{"team": "eval"}, Page: 2, Limit: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if query["labels"][0] != `{"team":"eval"}` || query["page"][0] != "2" || query["limit"][0] != "10" || len(query["states"]) == 0 {
		t.Errorf("sent query %v", query)
	}
	if page.Total != 1 || page.Page != 2 || len(page.Items) != 1 || page.Items[0].ID != "id-1" {
		t.Errorf("got page %+v", page)
	}
}

// sequenceAPI answers GET /sandbox/{id} with the given states in turn, then the last one forever.
func sequenceAPI(t *testing.T, reason string, states ...string) (*Client, *atomic.Int32) {
	var calls atomic.Int32
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		sandbox := sandboxJSON("id-1", "job-00001", states[min(n, len(states)-1)])
		if reason != "" {
			sandbox["errorReason"] = reason
		}
		writeJSON(w, 200, sandbox)
	})
	return client, &calls
}

func TestWaitUntilStartedPollsUntilStarted(t *testing.T) {
	client, calls := sequenceAPI(t, "", "creating", "starting", "started")
	sandbox := newSandbox(mustDTO(t, client, "creating"), client)

	if err := sandbox.WaitUntilStarted(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if sandbox.State != types.SandboxStateStarted || calls.Load() != 3 {
		t.Errorf("state %s after %d polls", sandbox.State, calls.Load())
	}
}

func TestWaitUntilStartedStopsAtAnErrorStateWithTheReason(t *testing.T) {
	client, _ := sequenceAPI(t, "runner lost", "creating", "error")
	sandbox := newSandbox(mustDTO(t, client, "creating"), client)

	err := sandbox.WaitUntilStarted(context.Background(), 10*time.Second)

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrSandboxState) {
		t.Fatalf("got %v, want a sandbox-state error", err)
	}
	if apiErr.State != "error" || apiErr.ErrorReason != "runner lost" || apiErr.SandboxID != "id-1" {
		t.Errorf("got %+v", apiErr)
	}
}

func TestWaitUntilStartedGivesUpAtItsTimeout(t *testing.T) {
	client, _ := sequenceAPI(t, "", "creating")
	sandbox := newSandbox(mustDTO(t, client, "creating"), client)

	started := time.Now()
	err := sandbox.WaitUntilStarted(context.Background(), 300*time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
	if elapsed := time.Since(started); elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("gave up after %s, want about 300ms", elapsed)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if err := sandbox.WaitUntilStarted(ctx, time.Minute); !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout at the context's deadline", err)
	}
}

func mustDTO(t *testing.T, client *Client, state string) apiclientSandbox {
	t.Helper()
	dto, err := client.getSandbox(context.Background(), "id-1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dto.State = apiclientSandboxState(state)
	return *dto
}

func TestBulkCreateSendsEachItemsLabelsAndEnvAndSandboxesReadTheRequestID(t *testing.T) {
	const requestID = "a6f1c8c2-1111-4111-8111-111111111111"
	var body map[string]any
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&body)
		first := sandboxJSON("id-1", "la-00001", "creating")
		first["labels"] = map[string]string{"run": "eval-7", types.BulkRequestLabel: requestID}
		first["env"] = map[string]string{"EVAL_RUN": "7"}
		second := sandboxJSON("id-2", "plain-00001", "creating")
		second["labels"] = map[string]string{types.BulkRequestLabel: requestID}
		writeJSON(w, 200, []any{first, second})
	})

	sandboxes, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{
		{SnapshotIdOrName: "default", Count: 1, SandboxNamePrefix: "la", Labels: map[string]string{"run": "eval-7"}, Env: map[string]string{"EVAL_RUN": "7"}},
		{SnapshotIdOrName: "default", Count: 1, SandboxNamePrefix: "plain"},
	})
	if err != nil {
		t.Fatal(err)
	}

	want := []any{
		map[string]any{"snapshotIdOrName": "default", "count": float64(1), "sandboxNamePrefix": "la", "allowUnder": false,
			"labels": map[string]any{"run": "eval-7"}, "env": map[string]any{"EVAL_RUN": "7"}},
		map[string]any{"snapshotIdOrName": "default", "count": float64(1), "sandboxNamePrefix": "plain", "allowUnder": false},
	}
	if !reflect.DeepEqual(body["items"], want) {
		t.Errorf("sent %v\nwant %v", body["items"], want)
	}
	if sandboxes[0].BulkRequestID() != requestID || sandboxes[1].BulkRequestID() != requestID {
		t.Errorf("bulk request ids %q %q", sandboxes[0].BulkRequestID(), sandboxes[1].BulkRequestID())
	}
	if sandboxes[0].Labels["run"] != "eval-7" || sandboxes[0].Env["EVAL_RUN"] != "7" {
		t.Errorf("got labels %v env %v", sandboxes[0].Labels, sandboxes[0].Env)
	}
}

func TestASandboxFromCreateHasNoBulkRequestID(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, sandboxJSON("id-1", "one", "started")) })
	sandbox, err := client.Create(context.Background(), types.CreateParams{})
	if err != nil {
		t.Fatal(err)
	}
	if sandbox.BulkRequestID() != "" {
		t.Errorf("got %q", sandbox.BulkRequestID())
	}
}

// bulkDeleteAPI answers POST /sandbox/bulk-delete with the given results in turn (the last
// repeating) and records each body.
func bulkDeleteAPI(t *testing.T, results ...map[string]any) (*Client, *[]map[string]any) {
	var bodies []map[string]any
	var mu sync.Mutex
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		bodies = append(bodies, body)
		n := len(bodies) - 1
		mu.Unlock()
		writeJSON(w, 200, results[min(n, len(results)-1)])
	})
	return client, &bodies
}

func TestBulkDeleteSendsTheSelectorAndCallsAgainWhileHasMore(t *testing.T) {
	client, bodies := bulkDeleteAPI(t,
		map[string]any{"count": 10000, "hasMore": true}, map[string]any{"count": 10000, "hasMore": true}, map[string]any{"count": 7, "hasMore": false})
	ids := []string{"0b0e3f5c-1111-4111-8111-111111111111"}

	deleted, err := client.BulkDelete(context.Background(), types.BulkDeleteSelector{Labels: map[string]string{"run": "eval-7"}, NamePrefix: "eval-7-", IDs: ids})
	if err != nil {
		t.Fatal(err)
	}

	if deleted != 20007 {
		t.Errorf("deleted %d, want 20007", deleted)
	}
	selector := map[string]any{"labels": map[string]any{"run": "eval-7"}, "namePrefix": "eval-7-", "ids": []any{ids[0]}}
	if !reflect.DeepEqual(*bodies, []map[string]any{selector, selector, selector}) {
		t.Errorf("sent %v", *bodies)
	}
}

func TestBulkDeleteSendsOnlyTheSelectorsGiven(t *testing.T) {
	client, bodies := bulkDeleteAPI(t, map[string]any{"count": 0, "hasMore": false})
	deleted, err := client.BulkDelete(context.Background(), types.BulkDeleteSelector{Labels: map[string]string{"run": "none"}})
	if err != nil || deleted != 0 {
		t.Fatalf("got %d, %v", deleted, err)
	}
	if want := []map[string]any{{"labels": map[string]any{"run": "none"}}}; !reflect.DeepEqual(*bodies, want) {
		t.Errorf("sent %v, want %v", *bodies, want)
	}
}

func TestBulkDeleteStopsWhenARoundMarksNothing(t *testing.T) {
	client, bodies := bulkDeleteAPI(t, map[string]any{"count": 5, "hasMore": true}, map[string]any{"count": 0, "hasMore": true})
	deleted, err := client.BulkDelete(context.Background(), types.BulkDeleteSelector{NamePrefix: "stuck-"})
	if err != nil || deleted != 5 || len(*bodies) != 2 {
		t.Errorf("got %d, %v after %d requests; want 5 after 2", deleted, err, len(*bodies))
	}
}

func TestBulkDeleteWithAnEmptySelectorIsTheServersEmptySelectorValidationError(t *testing.T) {
	var body string
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		body = string(raw)
		writeJSON(w, 400, errorJSON(400, "empty_selector", "Name at least one of labels, namePrefix or ids", nil))
	})

	_, err := client.BulkDelete(context.Background(), types.BulkDeleteSelector{})

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrValidation) || apiErr.Code != "empty_selector" || apiErr.StatusCode != 400 {
		t.Fatalf("got %v, want a validation-kind error with code empty_selector", err)
	}
	if strings.TrimSpace(body) != "{}" {
		t.Errorf("sent %q, want {}", body)
	}
}
