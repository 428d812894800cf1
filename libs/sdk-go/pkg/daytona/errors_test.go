package daytona

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

func TestAPIErrorsMapToOneErrorTypeByStatus(t *testing.T) {
	cases := []struct {
		status int
		code   string
		kind   ErrorKind
	}{
		{400, "validation_failed", ErrValidation},
		{401, "unauthenticated", ErrAuthentication},
		{403, "quota_exceeded", ErrAuthorization},
		{404, "sandbox_not_found", ErrNotFound},
		{409, "name_conflict", ErrConflict},
		{409, "idempotency_key_in_progress", ErrConflict},
		{400, "empty_selector", ErrValidation},
		{400, "reserved_label", ErrValidation},
		{413, "payload_too_large", ErrValidation},
		{422, "idempotency_key_reused", ErrValidation},
		{429, "rate_limited", ErrRateLimit},
		{500, "internal_error", ErrServer},
		{503, "insufficient_capacity", ErrServer},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "7")
				writeJSON(w, tc.status, errorJSON(tc.status, tc.code, "it went wrong", map[string]any{"field": "items.0.count"}))
			}, options.WithMaxRetries(0)) // the mapping, not the retries (retry_test.go), is under test

			_, err := client.Get(context.Background(), "sb-1")

			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v (%T), want *daytona.Error", err, err)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("errors.Is(err, %v) is false; kind is %q", tc.kind, apiErr.Kind)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.Message != "it went wrong" {
				t.Errorf("got status %d code %q message %q", apiErr.StatusCode, apiErr.Code, apiErr.Message)
			}
			if apiErr.Details["field"] != "items.0.count" {
				t.Errorf("got details %v", apiErr.Details)
			}
			if apiErr.RetryAfter != 7*time.Second {
				t.Errorf("got RetryAfter %s, want 7s", apiErr.RetryAfter)
			}
			for _, other := range []ErrorKind{ErrTimeout, ErrConnection, ErrSandboxState} {
				if errors.Is(err, other) {
					t.Errorf("errors.Is(err, %v) is true", other)
				}
			}
		})
	}
}

func TestAProxyAnswerThatIsNotJSONIsStillAServerError(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("Bad gateway from the proxy"))
	})

	_, err := client.List(context.Background(), types.ListParams{})

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) {
		t.Fatalf("got %v (%T), want a server-kind *daytona.Error", err, err)
	}
	if apiErr.StatusCode != 502 || apiErr.Code != "" || apiErr.Message != "Bad gateway from the proxy" {
		t.Errorf("got status %d code %q message %q", apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
}

func TestNoAnswerWithinTheDeadlineIsATimeout(t *testing.T) {
	release := make(chan struct{})
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, options.WithRequestTimeout(100*time.Millisecond))
	defer close(release)

	started := time.Now()
	_, err := client.Get(context.Background(), "sb-1")
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a timeout-kind error wrapping context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(started); elapsed > 2*time.Second {
		t.Errorf("took %s, want about 100ms", elapsed)
	}

	// The caller's own deadline counts too.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = client.BulkCreate(ctx, []types.BulkCreateItem{{SnapshotIdOrName: "default", Count: 1, SandboxNamePrefix: "slow"}})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout-kind error", err)
	}
	if !strings.Contains(err.Error(), "slow-00001") {
		t.Errorf("timeout of a bulk create should name the sandboxes to look for: %v", err)
	}
}

func TestBulkCreateWaitsLongerThanTheServerWhenAwaiting(t *testing.T) {
	two := 2 * time.Minute
	cases := []struct {
		name string
		o    options.BulkCreateSandbox
		want time.Duration
	}{
		{"await, default", options.BulkCreateSandbox{AwaitStarted: true}, 330 * time.Second},
		{"await, 2 min", options.BulkCreateSandbox{AwaitStarted: true, Timeout: &two}, 150 * time.Second},
		{"no await, default", options.BulkCreateSandbox{}, 60 * time.Second},
		{"no await, 2 min", options.BulkCreateSandbox{Timeout: &two}, 2 * time.Minute},
	}
	for _, tc := range cases {
		if got := bulkCreateLimit(tc.o); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestAnUnreachableAPIIsAConnectionError(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL
	server.Close() // nothing listens there any more: connection refused

	client, err := newClient(options.Client{APIKey: testKey, APIURL: url + "/api", MaxRetries: new(int)}, noEnv, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Get(context.Background(), "sb-1")

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrConnection) {
		t.Fatalf("got %v (%T), want a connection-kind *daytona.Error", err, err)
	}
	if apiErr.StatusCode != 0 || !strings.Contains(err.Error(), "DAYTONA_API_URL") {
		t.Errorf("got %v, want no status and a hint about DAYTONA_API_URL", err)
	}
}

func TestRetryAfterAsAnHTTPDateIsReadFromNow(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(time.Minute).UTC().Format(http.TimeFormat))
		writeJSON(w, 503, errorJSON(503, "database_unavailable", "later", nil))
	}, options.WithMaxRetries(0))

	_, err := client.Get(context.Background(), "sb-1")

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) {
		t.Fatalf("got %v, want a server-kind error", err)
	}
	if apiErr.RetryAfter <= 58*time.Second || apiErr.RetryAfter > time.Minute {
		t.Errorf("got RetryAfter %s, want about a minute", apiErr.RetryAfter)
	}
}

func TestAnAnswerCutOffMidwayIsAConnectionError(t *testing.T) {
	client := stubAPI(t, cutOff(func(w http.ResponseWriter) { writeJSON(w, 200, sandboxJSON("id-1", "cut", "started")) }), options.WithMaxRetries(0))

	_, err := client.Get(context.Background(), "cut")

	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrConnection) || apiErr.StatusCode != 0 {
		t.Fatalf("got %v (%T), want a connection-kind *daytona.Error without a status", err, err)
	}
	if !strings.Contains(err.Error(), "GET /sandbox/cut") || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("got %v, want it to say the answer to GET /sandbox/cut was cut off", err)
	}
}

func TestTheAPIKeyIsSentAndNeverInAnError(t *testing.T) {
	client := stubAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			writeJSON(w, 401, errorJSON(401, "unauthenticated", "no key", nil))
			return
		}
		writeJSON(w, 404, errorJSON(404, "sandbox_not_found", "Sandbox nope not found", nil))
	})

	_, err := client.Get(context.Background(), "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want not found (the key was sent)", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("the error reveals the key: %v", err)
	}
}
