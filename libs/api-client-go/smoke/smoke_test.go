// Package smoke checks the generated Go client against a running API: the types it hands back for
// list, bulk create, delete and an error. Needs DAYTONA_API_URL and DAYTONA_API_KEY.
//
//	cd libs/api-client-go && go test -count=1 ./smoke/
//
// It holds only tests, so `go build ./...` has nothing to build here.
package smoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
)

func newClient(t *testing.T) (*apiclient.APIClient, context.Context) {
	t.Helper()
	url, key := os.Getenv("DAYTONA_API_URL"), os.Getenv("DAYTONA_API_KEY")
	if url == "" || key == "" {
		t.Fatal("DAYTONA_API_URL and DAYTONA_API_KEY must be set to a running API and one of its keys")
	}
	config := apiclient.NewConfiguration()
	config.Servers = apiclient.ServerConfigurations{{URL: url}}
	ctx := context.WithValue(context.Background(), apiclient.ContextAccessToken, key)
	return apiclient.NewAPIClient(config), ctx
}

func uniquePrefix(t *testing.T) string {
	t.Helper()
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	return "smoke-go-" + hex.EncodeToString(suffix)
}

func TestListBulkCreateAndDelete(t *testing.T) {
	client, ctx := newClient(t)

	page, _, err := client.SandboxAPI.ListSandboxes(ctx).Execute()
	if err != nil {
		t.Fatalf("listing sandboxes: %v", err)
	}
	var _ []apiclient.Sandbox = page.Items

	prefix := uniquePrefix(t)
	sandboxes, _, err := client.SandboxAPI.BulkCreateSandbox(ctx).BulkCreateSandbox(apiclient.BulkCreateSandbox{
		Items:        []apiclient.BulkCreateItem{{SnapshotIdOrName: "default", Count: 2, SandboxNamePrefix: prefix}},
		AwaitStarted: apiclient.PtrBool(false),
	}).Execute()
	if err != nil {
		t.Fatalf("bulk create: %v", err)
	}

	// Errorf, not Fatalf, below: the sandboxes are deleted whatever these checks find.
	names := make([]string, 0, len(sandboxes))
	for _, sandbox := range sandboxes {
		names = append(names, sandbox.Name)
		// Typed declarations: these stop compiling if the generator changes the field types.
		var state apiclient.SandboxState = sandbox.State
		if !state.IsValid() {
			t.Errorf("sandbox %s has state %q, not a SandboxState value", sandbox.Name, state)
		}
		var createdAt time.Time = sandbox.CreatedAt
		if createdAt.IsZero() {
			t.Errorf("sandbox %s has no createdAt", sandbox.Name)
		}
	}
	if want := []string{prefix + "-00001", prefix + "-00002"}; !slices.Equal(names, want) {
		t.Errorf("got sandboxes %v, want %v", names, want)
	}

	for _, sandbox := range sandboxes {
		_, response, err := client.SandboxAPI.DeleteSandbox(ctx, sandbox.Id).Execute()
		if err != nil {
			t.Errorf("deleting %s: %v", sandbox.Name, err)
		} else if response.StatusCode != http.StatusOK {
			t.Errorf("deleting %s answered %d, want 200", sandbox.Name, response.StatusCode)
		}
	}
}

func TestBadRequestIsAnOpenAPIErrorWithTheErrorCode(t *testing.T) {
	client, ctx := newClient(t)

	_, response, err := client.SandboxAPI.BulkCreateSandbox(ctx).BulkCreateSandbox(apiclient.BulkCreateSandbox{
		Items: []apiclient.BulkCreateItem{{SnapshotIdOrName: "default", Count: 0, SandboxNamePrefix: uniquePrefix(t)}},
	}).Execute()

	var apiErr *apiclient.GenericOpenAPIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got error %v (%T), want *apiclient.GenericOpenAPIError", err, err)
	}
	if response == nil || response.StatusCode != http.StatusBadRequest {
		t.Fatalf("got response %v, want status 400", response)
	}
	body, ok := apiErr.Model().(apiclient.ErrorResponse)
	if !ok {
		t.Fatalf("error model is %T, want apiclient.ErrorResponse", apiErr.Model())
	}
	if body.Code != "validation_failed" {
		t.Errorf("error code is %q, want validation_failed", body.Code)
	}
}
