package daytona

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
)

const testKey = "dtn_test_key"

// stubAPI serves handler over real HTTP and returns a client of it: the SDK, the generated
// client and net/http all run for real; only the API's answers are canned.
func stubAPI(t *testing.T, handler http.HandlerFunc, opts ...func(*options.Client)) *Client {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	o := options.Client{APIKey: testKey, APIURL: server.URL + "/api"}
	for _, opt := range opts {
		opt(&o)
	}
	client, err := newClient(o, noEnv, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func noEnv(string) string { return "" }

// fakeClock is time that passes only when the SDK waits between retries: each wait is recorded
// and moves the clock on, so tests check delays without sleeping. draw is the jitter's draw.
type fakeClock struct {
	at     time.Time
	draw   float64
	sleeps []time.Duration
}

// withFakeClock makes client's retries wait on a fake clock.
func withFakeClock(client *Client, draw float64) *fakeClock {
	clock := &fakeClock{at: time.Unix(1_700_000_000, 0), draw: draw}
	client.retry.now = func() time.Time { return clock.at }
	client.retry.random = func() float64 { return clock.draw }
	client.retry.sleep = func(_ context.Context, d time.Duration) error {
		clock.sleeps = append(clock.sleeps, d)
		clock.at = clock.at.Add(d)
		return nil
	}
	return clock
}

// cutOff answers with what write produces, but only its status line, headers and half its
// body, then drops the connection.
func cutOff(write func(w http.ResponseWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		recorder := httptest.NewRecorder()
		write(recorder)
		body := recorder.Body.Bytes()
		conn, buffered, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buffered, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			recorder.Code, http.StatusText(recorder.Code), len(body))
		_, _ = buffered.Write(body[:len(body)/2])
		_ = buffered.Flush()
	}
}

// reset drops the connection with a TCP RST, answering nothing.
func reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// sandboxJSON is a sandbox as the API describes it.
func sandboxJSON(id, name, state string) map[string]any {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339)
	return map[string]any{
		"id": id, "organizationId": "org-1", "name": name, "snapshot": "default", "runnerId": "runner-1",
		"region": "local", "state": state, "desiredState": "started", "cpu": 1, "memory": 1, "disk": 1,
		"env": map[string]string{}, "labels": map[string]string{"team": "eval"}, "createdAt": now, "updatedAt": now,
		"recoverable": false, "toolboxProxyUrl": "http://127.0.0.1:3000/api/toolbox", "target": "local", "user": "daytona",
		"public": false, "networkBlockAll": true, "gpu": 0, "kvm": false, "autoStopInterval": 15, "autoArchiveInterval": 0,
		"autoDeleteInterval": -1, "volumes": []any{}, "lastActivityAt": now,
	}
}

func errorJSON(status int, code, message string, details map[string]any) map[string]any {
	body := map[string]any{"statusCode": status, "code": code, "message": message}
	if details != nil {
		body["details"] = details
	}
	return body
}

type apiclientSandbox = apiclient.Sandbox
type apiclientSandboxState = apiclient.SandboxState
