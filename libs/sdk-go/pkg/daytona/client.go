// Package daytona is the Go SDK of the Daytona API: create sandboxes one at a time or
// thousands at once, run commands in them, delete them.
//
//	client, err := daytona.NewClient() // DAYTONA_API_KEY / DAYTONA_API_URL, or .env.local from `npm start`
//	if err != nil {
//		log.Fatal(err)
//	}
//	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{
//		{SnapshotIdOrName: "default", Count: 10, SandboxNamePrefix: "eval-7"},
//	}, options.WithAwaitStarted())
//
// Every error is an *Error; its kind (ErrValidation, ErrTimeout, ...) works with errors.Is.
package daytona

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	bulkAwaitDefaultTimeout = 300 * time.Second
	// The server answers an awaitStarted request at its own timeout; the client waits longer so
	// that answer arrives first.
	bulkAwaitMargin       = 30 * time.Second
	bulkDefaultTimeout    = 60 * time.Second
	defaultStartTimeout   = 60 * time.Second
	minCreateRequestLimit = time.Second
)

// Client talks to one Daytona API with one API key. It is safe for concurrent use.
type Client struct {
	// Snapshot manages the organization's snapshots: Create (from an image reference), Get, List, Delete.
	Snapshot *SnapshotService

	api    *apiclient.APIClient
	config config
	retry  *retryPolicy
}

// PaginatedSandboxes is one page of Client.List.
type PaginatedSandboxes struct {
	Items []*Sandbox
	// Matching sandboxes over all pages.
	Total      int
	Page       int
	Limit      int
	TotalPages int
}

// NewClient returns a client configured by opts, then the environment (DAYTONA_API_KEY,
// DAYTONA_API_URL), then a .env.local file in the working directory or a parent (what
// `npm start` writes). The URL defaults to http://127.0.0.1:3000/api. Without an API key it
// returns an error saying how to get one.
//
//	client, err := daytona.NewClient(options.WithAPIKey("dtn_..."), options.WithAPIURL("http://127.0.0.1:3000/api"))
func NewClient(opts ...func(*options.Client)) (*Client, error) {
	var o options.Client
	for _, opt := range opts {
		opt(&o)
	}
	cwd, _ := os.Getwd()
	return newClient(o, os.Getenv, cwd)
}

func newClient(o options.Client, getenv func(string) string, cwd string) (*Client, error) {
	cfg, err := resolveConfig(o, getenv, cwd)
	if err != nil {
		return nil, err
	}
	httpClient := o.HTTPClient
	if httpClient == nil {
		// A client of our own, so changes to http.DefaultClient do not reach SDK calls.
		httpClient = &http.Client{}
	}
	apiConfig := apiclient.NewConfiguration()
	apiConfig.Servers = apiclient.ServerConfigurations{{URL: cfg.apiURL}}
	apiConfig.HTTPClient = httpClient
	apiConfig.UserAgent = "daytona-sdk-go"
	apiConfig.AddDefaultHeader("Authorization", "Bearer "+cfg.apiKey)
	client := &Client{api: apiclient.NewAPIClient(apiConfig), config: cfg, retry: newRetryPolicy(cfg.maxRetries)}
	client.Snapshot = &SnapshotService{client: client}
	return client, nil
}

// Create creates one sandbox and waits until it is started (60 s by default, see
// options.WithStartTimeout). If it ends in error the result is an ErrSandboxState error; after
// the timeout an ErrTimeout error. In both cases the sandbox exists until you delete it. The
// request carries an Idempotency-Key (options.WithCreateIdempotencyKey, or a fresh UUID), the
// same on every retry, so a retry never creates a second sandbox.
//
//	sandbox, err := client.Create(ctx, types.CreateParams{Name: "scratch", Labels: map[string]string{"team": "eval"}})
func (c *Client) Create(ctx context.Context, params types.CreateParams, opts ...func(*options.CreateSandbox)) (*Sandbox, error) {
	var o options.CreateSandbox
	for _, opt := range opts {
		opt(&o)
	}
	startTimeout := o.StartTimeout
	if startTimeout == 0 {
		startTimeout = defaultStartTimeout
	}
	deadline := time.Now().Add(startTimeout)
	body := apiclient.CreateSandbox{}
	if params.Snapshot != "" {
		body.Snapshot = &params.Snapshot
	}
	if params.Name != "" {
		body.Name = &params.Name
	}
	if params.Env != nil {
		body.Env = &params.Env
	}
	if params.Labels != nil {
		body.Labels = &params.Labels
	}
	limit := min(c.config.requestTimeout, max(startTimeout, minCreateRequestLimit))
	key := cmp.Or(o.IdempotencyKey, newIdempotencyKey())
	dto, err := callAPI(ctx, limit, "POST /sandbox", c.retry, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return c.api.SandboxAPI.CreateSandbox(ctx).CreateSandbox(body).IdempotencyKey(key).Execute()
	})
	if err != nil {
		return nil, err
	}
	sandbox := newSandbox(*dto, c)
	remaining := time.Until(deadline)
	if remaining <= 0 {
		remaining = -1 // already past: check once, do not fall back to the default
	}
	return sandbox, sandbox.WaitUntilStarted(ctx, remaining)
}

// Get returns a sandbox by id or name; an ErrNotFound error if the organization has none.
//
//	sandbox, err := client.Get(ctx, "batch-a-00001")
func (c *Client) Get(ctx context.Context, idOrName string) (*Sandbox, error) {
	dto, err := c.getSandbox(ctx, idOrName, c.config.requestTimeout)
	if err != nil {
		return nil, err
	}
	return newSandbox(*dto, c), nil
}

func (c *Client) getSandbox(ctx context.Context, idOrName string, limit time.Duration) (*apiclient.Sandbox, error) {
	return callAPI(ctx, limit, "GET /sandbox/"+idOrName, c.retry, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return c.api.SandboxAPI.GetSandbox(ctx, idOrName).Execute()
	})
}

// List returns one page of the organization's sandboxes, newest first.
//
//	page, err := client.List(ctx, types.ListParams{States: []types.SandboxState{types.SandboxStateStarted}, Limit: 1000})
func (c *Client) List(ctx context.Context, params types.ListParams) (*PaginatedSandboxes, error) {
	var labels string
	if params.Labels != nil {
		encoded, err := json.Marshal(params.Labels)
		if err != nil {
			return nil, &Error{Kind: ErrValidation, Message: "labels: " + err.Error(), cause: err}
		}
		labels = string(encoded)
	}
	page, err := callAPI(ctx, c.config.requestTimeout, "GET /sandbox", c.retry, func(ctx context.Context) (*apiclient.PaginatedSandboxes, *http.Response, error) {
		request := c.api.SandboxAPI.ListSandboxes(ctx)
		if len(params.States) > 0 {
			states := make([]apiclient.SandboxState, len(params.States))
			for i, state := range params.States {
				states[i] = apiclient.SandboxState(state)
			}
			request = request.States(states)
		}
		if labels != "" {
			request = request.Labels(labels)
		}
		if params.Page != 0 {
			request = request.Page(clampInt32(params.Page))
		}
		if params.Limit != 0 {
			request = request.Limit(clampInt32(params.Limit))
		}
		return request.Execute()
	})
	if err != nil {
		return nil, err
	}
	items := make([]*Sandbox, len(page.Items))
	for i, dto := range page.Items {
		items[i] = newSandbox(dto, c)
	}
	return &PaginatedSandboxes{Items: items, Total: int(page.Total), Page: int(page.Page), Limit: int(page.Limit), TotalPages: int(page.TotalPages)}, nil
}

// Delete deletes a sandbox by id or name, with its processes and files. (By name, a retry after
// a dropped answer can meet ErrNotFound: the first attempt destroyed it and freed the name.)
//
//	err := client.Delete(ctx, "batch-a-00002")
func (c *Client) Delete(ctx context.Context, idOrName string) error {
	_, err := c.deleteSandbox(ctx, idOrName)
	return err
}

func (c *Client) deleteSandbox(ctx context.Context, idOrName string) (*apiclient.Sandbox, error) {
	return callAPI(ctx, c.config.requestTimeout, "DELETE /sandbox/"+idOrName, c.retry, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return c.api.SandboxAPI.DeleteSandbox(ctx, idOrName).Execute()
	})
}

// BulkCreate creates many sandboxes in one request: all or nothing, in item order then name
// order ({prefix}-00001, ...). Without options.WithAwaitStarted it answers at once and the
// sandboxes start in the background (see Sandbox.WaitUntilStarted). With it, the server answers
// when every sandbox is started, error or build_failed, or at its timeout (not an error: check
// each State). With AllowUnder an item may create fewer than Count: compare what came back. An
// item's Labels and Env go to each of its sandboxes; every sandbox of the request carries its id
// (Sandbox.BulkRequestID). The request carries an Idempotency-Key (options.WithIdempotencyKey,
// or a fresh UUID), the same on every retry, so a retry never creates twice.
//
//	sandboxes, err := client.BulkCreate(ctx, []types.BulkCreateItem{
//		{SnapshotIdOrName: "default", Count: 100, SandboxNamePrefix: "eval-run-7", AllowUnder: true,
//			Labels: map[string]string{"run": "eval-7"}, Env: map[string]string{"EVAL_RUN": "7"}},
//	}, options.WithAwaitStarted(), options.WithTimeout(5*time.Minute))
//	fmt.Printf("%d of 100 created\n", len(sandboxes))
func (c *Client) BulkCreate(ctx context.Context, items []types.BulkCreateItem, opts ...func(*options.BulkCreateSandbox)) ([]*Sandbox, error) {
	var o options.BulkCreateSandbox
	for _, opt := range opts {
		opt(&o)
	}
	body := apiclient.BulkCreateSandbox{Items: make([]apiclient.BulkCreateItem, len(items)), AwaitStarted: apiclient.PtrBool(o.AwaitStarted)}
	for i, item := range items {
		if item.Count < math.MinInt32 || item.Count > math.MaxInt32 {
			return nil, &Error{Kind: ErrValidation, Message: fmt.Sprintf("items[%d].count %d is out of range", i, item.Count)}
		}
		body.Items[i] = apiclient.BulkCreateItem{
			SnapshotIdOrName:  item.SnapshotIdOrName,
			Count:             int32(item.Count),
			SandboxNamePrefix: item.SandboxNamePrefix,
			AllowUnder:        apiclient.PtrBool(item.AllowUnder),
		}
		if item.Labels != nil {
			body.Items[i].Labels = &item.Labels
		}
		if item.Env != nil {
			body.Items[i].Env = &item.Env
		}
	}
	key := cmp.Or(o.IdempotencyKey, newIdempotencyKey())
	dtos, err := callAPI(ctx, bulkCreateLimit(o), "POST /sandbox/bulk", c.retry, func(ctx context.Context) ([]apiclient.Sandbox, *http.Response, error) {
		return c.api.SandboxAPI.BulkCreateSandbox(ctx).BulkCreateSandbox(body).IdempotencyKey(key).Execute()
	})
	if err != nil {
		if e, ok := err.(*Error); ok && (e.Kind == ErrTimeout || e.Kind == ErrConnection) {
			names := make([]string, len(items))
			for i, item := range items {
				names[i] = item.SandboxNamePrefix + "-00001..."
			}
			e.Message += ". The sandboxes may have been created anyway: look them up by name (" +
				strings.Join(names, ", ") + ") and delete them if unwanted, or call BulkCreate again with " +
				"options.WithIdempotencyKey(\"" + key + "\") to get them without creating more"
		}
		return nil, err
	}
	sandboxes := make([]*Sandbox, len(dtos))
	for i, dto := range dtos {
		sandboxes[i] = newSandbox(dto, c)
	}
	return sandboxes, nil
}

// BulkDelete destroys every live sandbox matching all the selectors given and returns how many
// it marked for destruction: they are destroying on return and destroyed once their runner has
// removed them. The server marks at most 10,000 per request; BulkDelete asks again until nothing
// more matches, so one call deletes them all. An empty selector is an ErrValidation error with
// Code empty_selector: a bulk delete never means "everything". After a retried request whose
// first answer was lost, the count leaves out what that request marked.
//
//	deleted, err := client.BulkDelete(ctx, types.BulkDeleteSelector{Labels: map[string]string{"run": "eval-7"}})
//	_, err = client.BulkDelete(ctx, types.BulkDeleteSelector{NamePrefix: "eval-7-", IDs: []string{sandbox.ID}}) // both must match
func (c *Client) BulkDelete(ctx context.Context, selector types.BulkDeleteSelector) (int, error) {
	body := apiclient.BulkDeleteSandboxes{Ids: selector.IDs}
	if selector.Labels != nil {
		body.Labels = &selector.Labels
	}
	if selector.NamePrefix != "" {
		body.NamePrefix = &selector.NamePrefix
	}
	total := 0
	for {
		result, err := callAPI(ctx, c.config.requestTimeout, "POST /sandbox/bulk-delete", c.retry, func(ctx context.Context) (*apiclient.BulkDeleteSandboxesResult, *http.Response, error) {
			return c.api.SandboxAPI.BulkDeleteSandboxes(ctx).BulkDeleteSandboxes(body).Execute()
		})
		if err != nil {
			return total, err
		}
		total += int(result.Count)
		// A round that marks nothing ends the loop even if the server says more match.
		if !result.HasMore || result.Count == 0 {
			return total, nil
		}
	}
}

// newIdempotencyKey is a random (version 4) UUID.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// bulkCreateLimit is the client-side deadline of a bulk create.
func bulkCreateLimit(o options.BulkCreateSandbox) time.Duration {
	if o.AwaitStarted {
		if o.Timeout != nil {
			return *o.Timeout + bulkAwaitMargin
		}
		return bulkAwaitDefaultTimeout + bulkAwaitMargin
	}
	if o.Timeout != nil {
		return *o.Timeout
	}
	return bulkDefaultTimeout
}

func clampInt32(n int) int32 {
	return int32(max(min(n, math.MaxInt32), math.MinInt32))
}
