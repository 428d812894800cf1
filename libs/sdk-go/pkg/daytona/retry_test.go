package daytona

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var retryItem = types.BulkCreateItem{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: "retry"}

// recorded is what a scripted API received.
type recorded struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
}

func (r *recorded) keys(method, path string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var keys []string
	for _, request := range r.requests {
		if request.Method == method && request.URL.Path == "/api"+path {
			keys = append(keys, request.Header.Get("Idempotency-Key"))
		}
	}
	return keys
}

func (r *recorded) count(method, path string) int { return len(r.keys(method, path)) }

// scriptedAPI answers the n-th request with answers[n] (the last one repeating), recording each.
func scriptedAPI(t *testing.T, answers []http.HandlerFunc, opts ...func(*options.Client)) (*Client, *recorded) {
	t.Helper()
	seen := &recorded{}
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen.mu.Lock()
		n := len(seen.requests)
		seen.requests = append(seen.requests, r)
		seen.bodies = append(seen.bodies, string(body))
		seen.mu.Unlock()
		answers[min(n, len(answers)-1)](w, r)
	}, opts...)
	return client, seen
}

func answerJSON(status int, body any, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		writeJSON(w, status, body)
	}
}

func unavailable(headers ...string) http.HandlerFunc {
	return answerJSON(503, errorJSON(503, "database_unavailable", "try later", nil), headers...)
}

func approx(got []time.Duration, want ...time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if d := got[i] - want[i]; d > time.Millisecond || d < -time.Millisecond {
			return false
		}
	}
	return true
}

func TestCreatesSendAFreshUUIDKeyPerCallOrTheCallersOwn(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/sandbox/bulk" {
			writeJSON(w, 200, []any{sandboxJSON("id-1", "retry-00001", "creating")})
			return
		}
		writeJSON(w, 200, sandboxJSON("id-1", "one", "started"))
	}})
	withFakeClock(client, 0.5)
	ctx := context.Background()

	for _, opts := range [][]func(*options.CreateSandbox){nil, nil, {options.WithCreateIdempotencyKey("my-create-1")}} {
		if _, err := client.Create(ctx, types.CreateParams{}, opts...); err != nil {
			t.Fatal(err)
		}
	}
	for _, opts := range [][]func(*options.BulkCreateSandbox){nil, {options.WithIdempotencyKey("my-bulk-1")}} {
		if _, err := client.BulkCreate(ctx, []types.BulkCreateItem{retryItem}, opts...); err != nil {
			t.Fatal(err)
		}
	}

	creates := seen.keys("POST", "/sandbox")
	if len(creates) != 3 || !uuidPattern.MatchString(creates[0]) || !uuidPattern.MatchString(creates[1]) || creates[0] == creates[1] || creates[2] != "my-create-1" {
		t.Errorf("create keys %q, want two different UUIDs, then my-create-1", creates)
	}
	bulks := seen.keys("POST", "/sandbox/bulk")
	if len(bulks) != 2 || !uuidPattern.MatchString(bulks[0]) || bulks[1] != "my-bulk-1" {
		t.Errorf("bulk keys %q, want a UUID, then my-bulk-1", bulks)
	}
}

func TestABulkCreateCutOffMidwayIsSentAgainWithTheSameKeyAndAnswersOnce(t *testing.T) {
	answer := func(w http.ResponseWriter) {
		writeJSON(w, 200, []any{sandboxJSON("id-1", "retry-00001", "creating"), sandboxJSON("id-2", "retry-00002", "creating")})
	}
	client, seen := scriptedAPI(t, []http.HandlerFunc{cutOff(answer), func(w http.ResponseWriter, _ *http.Request) { answer(w) }})
	clock := withFakeClock(client, 0.5)

	sandboxes, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{retryItem})
	if err != nil {
		t.Fatal(err)
	}

	if len(sandboxes) != 2 || sandboxes[1].Name != "retry-00002" {
		t.Errorf("got %d sandboxes", len(sandboxes))
	}
	keys := seen.keys("POST", "/sandbox/bulk")
	if len(keys) != 2 || keys[0] == "" || keys[1] != keys[0] {
		t.Errorf("sent keys %q, want the same key twice", keys)
	}
	if seen.bodies[0] != seen.bodies[1] {
		t.Errorf("the retry sent another body:\n%s\n%s", seen.bodies[0], seen.bodies[1])
	}
	if !approx(clock.sleeps, 250*time.Millisecond) { // half of the first retry's 500 ms ceiling
		t.Errorf("waited %v, want [250ms]", clock.sleeps)
	}
}

func TestACreateWhoseConnectionIsResetIsSentAgainWithTheSameKey(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{reset, reset, answerJSON(200, sandboxJSON("id-1", "once", "started"))})
	clock := withFakeClock(client, 0.999)

	sandbox, err := client.Create(context.Background(), types.CreateParams{Name: "once"})
	if err != nil {
		t.Fatal(err)
	}

	keys := seen.keys("POST", "/sandbox")
	if sandbox.ID != "id-1" || len(keys) != 3 || keys[0] == "" || keys[1] != keys[0] || keys[2] != keys[0] {
		t.Errorf("got %s after keys %q, want one key on three attempts", sandbox.ID, keys)
	}
	if !approx(clock.sleeps, 499500*time.Microsecond, 999*time.Millisecond) {
		t.Errorf("waited %v, want full jitter below 500ms, then below 1s", clock.sleeps)
	}
}

func TestARefusedConnectionIsTriedOnePlusMaxRetriesTimes(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL
	server.Close()
	client, err := newClient(options.Client{APIKey: testKey, APIURL: url + "/api", MaxRetries: ptr(2)}, noEnv, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := withFakeClock(client, 0.999)

	_, err = client.List(context.Background(), types.ListParams{})

	if !errors.Is(err, ErrConnection) {
		t.Fatalf("got %v, want a connection error", err)
	}
	if !approx(clock.sleeps, 499500*time.Microsecond, 999*time.Millisecond) {
		t.Errorf("waited %v, want two waits (three attempts)", clock.sleeps)
	}
}

func TestA503WithoutRetryAfterBacksOffDoublingUpTo8sUntilMaxRetries(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{unavailable()}, options.WithMaxRetries(6), options.WithRequestTimeout(10*time.Minute))
	clock := withFakeClock(client, 0.999)

	_, err := client.Get(context.Background(), "busy")

	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Code != "database_unavailable" {
		t.Fatalf("got %v, want the last 503", err)
	}
	if n := seen.count("GET", "/sandbox/busy"); n != 7 {
		t.Errorf("%d attempts, want 7", n)
	}
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	if !approx(clock.sleeps, ms(499.5), ms(999), ms(1998), ms(3996), ms(7992), ms(7992)) {
		t.Errorf("waited %v", clock.sleeps)
	}
}

func TestEachWaitIsARandomFractionOfItsCeiling(t *testing.T) {
	client, _ := scriptedAPI(t, []http.HandlerFunc{unavailable(), unavailable(), answerJSON(200, sandboxJSON("id-1", "busy", "started"))})
	clock := withFakeClock(client, 0.1)
	if _, err := client.Get(context.Background(), "busy"); err != nil {
		t.Fatal(err)
	}
	if !approx(clock.sleeps, 50*time.Millisecond, 100*time.Millisecond) {
		t.Errorf("waited %v, want [50ms 100ms]", clock.sleeps)
	}
}

func TestA429WithRetryAfterInSecondsWaitsExactlyThatLong(t *testing.T) {
	client, _ := scriptedAPI(t, []http.HandlerFunc{
		answerJSON(429, errorJSON(429, "rate_limited", "slow down", nil), "Retry-After", "2"),
		answerJSON(200, sandboxJSON("id-1", "x", "started")),
	})
	clock := withFakeClock(client, 0.5)
	if _, err := client.Get(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(clock.sleeps, []time.Duration{2 * time.Second}) {
		t.Errorf("waited %v, want [2s]", clock.sleeps)
	}
}

func TestA503WithRetryAfterAsAnHTTPDateWaitsUntilThen(t *testing.T) {
	at := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat) // whole seconds: 4-5 s from now
	client, _ := scriptedAPI(t, []http.HandlerFunc{unavailable("Retry-After", at), answerJSON(200, sandboxJSON("id-1", "later", "destroyed"))})
	clock := withFakeClock(client, 0.5)
	if err := client.Delete(context.Background(), "later"); err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] <= 3*time.Second || clock.sleeps[0] > 5*time.Second {
		t.Errorf("waited %v, want one wait of 3-5s", clock.sleeps)
	}
}

func TestARetryAfterBeyondTheDeadlineIsNotWaitedFor(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{answerJSON(429, errorJSON(429, "rate_limited", "later", nil), "Retry-After", "30")},
		options.WithRequestTimeout(10*time.Second))
	clock := withFakeClock(client, 0.5)

	_, err := client.Get(context.Background(), "x")

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimit) || apiErr.RetryAfter != 30*time.Second {
		t.Fatalf("got %v, want the 429 with RetryAfter 30s", err)
	}
	if seen.count("GET", "/sandbox/x") != 1 || len(clock.sleeps) != 0 {
		t.Errorf("%d attempts, waits %v; want one attempt and no wait", seen.count("GET", "/sandbox/x"), clock.sleeps)
	}
}

func TestRetriesStopAtTheCallsDeadlineWhateverMaxRetriesAllows(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{unavailable("Retry-After", "1")},
		options.WithRequestTimeout(2500*time.Millisecond), options.WithMaxRetries(10))
	clock := withFakeClock(client, 0.5)

	if _, err := client.Get(context.Background(), "x"); !errors.Is(err, ErrServer) {
		t.Fatalf("got %v, want the last 503", err)
	}
	// Tried at 0 s and 1 s, then a wait to 2 s; a wait to 3 s would pass the 2.5 s deadline.
	if n := seen.count("GET", "/sandbox/x"); n != 3 || !reflect.DeepEqual(clock.sleeps, []time.Duration{time.Second, time.Second}) {
		t.Errorf("%d attempts, waits %v; want 3 and [1s 1s]", n, clock.sleeps)
	}
}

func TestMaxRetries0MakesOneAttempt(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{unavailable()}, options.WithMaxRetries(0))
	withFakeClock(client, 0.5)
	if _, err := client.Get(context.Background(), "x"); !errors.Is(err, ErrServer) {
		t.Fatalf("got %v", err)
	}
	if n := seen.count("GET", "/sandbox/x"); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestA409IdempotencyKeyInProgressIsRetriedWithTheSameKey(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{
		answerJSON(409, errorJSON(409, "idempotency_key_in_progress", "still creating", nil)),
		answerJSON(200, []any{sandboxJSON("id-1", "retry-00001", "creating")}),
	})
	withFakeClock(client, 0.5)
	if _, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{retryItem}); err != nil {
		t.Fatal(err)
	}
	if keys := seen.keys("POST", "/sandbox/bulk"); len(keys) != 2 || keys[0] == "" || keys[1] != keys[0] {
		t.Errorf("sent keys %q, want the same key twice", keys)
	}
}

func TestNoRetryOf(t *testing.T) {
	cases := []struct {
		name   string
		answer http.HandlerFunc
		kind   ErrorKind
		call   func(*Client) error
		method string
		path   string
	}{
		{"a command (it may have run)", unavailable(), ErrServer, func(c *Client) error {
			_, err := newSandbox(apiclientSandbox{Id: "sb-1", State: "started"}, c).Process.ExecuteCommand(context.Background(), "date >> log")
			return err
		}, "POST", "/toolbox/sb-1/toolbox/process/execute"},
		{"a 500", answerJSON(500, errorJSON(500, "internal_error", "boom", nil)), ErrServer, func(c *Client) error {
			_, err := c.Get(context.Background(), "x")
			return err
		}, "GET", "/sandbox/x"},
		{"a 409 name_conflict", answerJSON(409, errorJSON(409, "name_conflict", "taken", nil)), ErrConflict, func(c *Client) error {
			_, err := c.Create(context.Background(), types.CreateParams{Name: "x"})
			return err
		}, "POST", "/sandbox"},
		{"a 422 idempotency_key_reused", answerJSON(422, errorJSON(422, "idempotency_key_reused", "other body", nil)), ErrValidation, func(c *Client) error {
			_, err := c.Create(context.Background(), types.CreateParams{Name: "x"})
			return err
		}, "POST", "/sandbox"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, seen := scriptedAPI(t, []http.HandlerFunc{tc.answer})
			clock := withFakeClock(client, 0.5)
			if err := tc.call(client); !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if n := seen.count(tc.method, tc.path); n != 1 || len(clock.sleeps) != 0 {
				t.Errorf("%d attempts, waits %v; want one attempt", n, clock.sleeps)
			}
		})
	}
}

func TestNoRetryOfATimeoutTheDeadlineHasPassed(t *testing.T) {
	release := make(chan struct{})
	client, seen := scriptedAPI(t, []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}}, options.WithRequestTimeout(200*time.Millisecond))
	defer close(release)
	withFakeClock(client, 0.5)
	if _, err := client.Get(context.Background(), "slow"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
	if n := seen.count("GET", "/sandbox/slow"); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestABulkCreateThatCannotGetThroughNamesItsKeyToRepeatIt(t *testing.T) {
	client, seen := scriptedAPI(t, []http.HandlerFunc{reset}, options.WithMaxRetries(1))
	withFakeClock(client, 0.5)

	_, err := client.BulkCreate(context.Background(), []types.BulkCreateItem{retryItem}, options.WithIdempotencyKey("bulk-7"))

	if !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "retry-00001") || !strings.Contains(err.Error(), `WithIdempotencyKey("bulk-7")`) {
		t.Fatalf("got %v, want a connection error naming the sandboxes and the key", err)
	}
	if n := seen.count("POST", "/sandbox/bulk"); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSnapshotReadsDeletesAndPollsAreRetriedButASnapshotCreateIsNot(t *testing.T) {
	// Each route answers its n-th request with its n-th answer, the last one repeating.
	routes := map[string][]http.HandlerFunc{
		"POST /api/snapshots":       {answerJSON(200, snapshotJSON("snap-1", "py", "pending")), unavailable()},
		"GET /api/snapshots/snap-1": {unavailable(), answerJSON(200, snapshotJSON("snap-1", "py", "active"))},
		"GET /api/snapshots":        {unavailable(), answerJSON(200, map[string]any{"items": []any{snapshotJSON("snap-1", "py", "active")}, "total": 1, "page": 1, "totalPages": 1})},
		"DELETE /api/snapshots/py":  {unavailable(), func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }},
	}
	var mu sync.Mutex
	counts := map[string]int{}
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		route := r.Method + " " + r.URL.Path
		mu.Lock()
		n := counts[route]
		counts[route]++
		mu.Unlock()
		answers, ok := routes[route]
		if !ok {
			t.Errorf("unexpected %s", route)
			w.WriteHeader(404)
			return
		}
		answers[min(n, len(answers)-1)](w, r)
	})
	withFakeClock(client, 0.5)
	ctx := context.Background()

	snapshot, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: "py", Image: "py:1"}, options.WithSnapshotTimeout(30*time.Second))
	if err != nil || snapshot.State != types.SnapshotStateActive {
		t.Fatalf("Create: %v, %+v", err, snapshot)
	}
	if page, err := client.Snapshot.List(ctx, 0, 0); err != nil || len(page.Items) != 1 {
		t.Fatalf("List: %v, %+v", err, page)
	}
	if err := client.Snapshot.Delete(ctx, "py"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{Name: "py2", Image: "py:1"}); !errors.Is(err, ErrServer) {
		t.Fatalf("second Create: want ErrServer, got %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"POST /api/snapshots": 2, "GET /api/snapshots/snap-1": 2, "GET /api/snapshots": 2, "DELETE /api/snapshots/py": 2}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("requests %v, want %v", counts, want)
	}
}
