package daytona

import (
	"encoding/json"
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
