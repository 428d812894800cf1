// Package options holds the functional options of the Daytona Go SDK: each option struct is
// filled by the With... helpers of the same call, and zero values mean "the default".
//
//	client, err := daytona.NewClient(options.WithAPIKey(key), options.WithRequestTimeout(30*time.Second))
//	sandboxes, err := client.BulkCreate(ctx, items, options.WithAwaitStarted(), options.WithTimeout(2*time.Minute))
package options

import (
	"net/http"
	"time"
)

// Client configures daytona.NewClient. Empty fields are read from the environment
// (DAYTONA_API_KEY, DAYTONA_API_URL), then from a .env.local file in the working directory or a
// parent.
type Client struct {
	APIKey string
	// Base URL of the API, e.g. http://127.0.0.1:3000/api.
	APIURL string
	// The HTTP client to send requests with; a client of the SDK's own when nil.
	HTTPClient *http.Client
	// Deadline of an ordinary call (get, list, delete, bulk delete, the create request); 60 s when zero.
	RequestTimeout time.Duration
	// How many times an idempotent call is tried again after a dropped connection, a 429 or a
	// 503 (README, "Retries and idempotency"); daytona.DefaultMaxRetries (3) when nil, none when 0.
	MaxRetries *int
}

// WithAPIKey sets the API key, overriding DAYTONA_API_KEY and .env.local.
//
//	client, err := daytona.NewClient(options.WithAPIKey("dtn_..."))
func WithAPIKey(key string) func(*Client) {
	return func(o *Client) { o.APIKey = key }
}

// WithAPIURL sets the API's base URL, overriding DAYTONA_API_URL and .env.local.
//
//	client, err := daytona.NewClient(options.WithAPIURL("http://127.0.0.1:3000/api"))
func WithAPIURL(url string) func(*Client) {
	return func(o *Client) { o.APIURL = url }
}

// WithHTTPClient sends every request through httpClient (proxies, TLS settings, tracing).
// The SDK's own deadlines still apply.
//
//	client, err := daytona.NewClient(options.WithHTTPClient(&http.Client{Transport: myTransport}))
func WithHTTPClient(httpClient *http.Client) func(*Client) {
	return func(o *Client) { o.HTTPClient = httpClient }
}

// WithRequestTimeout sets the deadline of ordinary calls (get, list, delete, the create request).
//
//	client, err := daytona.NewClient(options.WithRequestTimeout(10 * time.Second))
func WithRequestTimeout(d time.Duration) func(*Client) {
	return func(o *Client) { o.RequestTimeout = d }
}

// WithMaxRetries sets how many times an idempotent call is tried again after a dropped
// connection, a 429 or a 503; 0 turns retries off.
//
//	client, err := daytona.NewClient(options.WithMaxRetries(5))
func WithMaxRetries(n int) func(*Client) {
	return func(o *Client) { o.MaxRetries = &n }
}

// BulkCreateSandbox configures Client.BulkCreate.
type BulkCreateSandbox struct {
	// Answer only once every sandbox is started, error or build_failed (or at the server's timeout).
	AwaitStarted bool
	// How long the client waits for the answer. With AwaitStarted: the server's wait (default
	// 300 s), the client adding 30 s so the server answers first. Without: 60 s by default.
	// Retries happen within it.
	Timeout *time.Duration
	// The request's Idempotency-Key; a fresh UUID per call when empty (the same on each retry).
	IdempotencyKey string
}

// WithAwaitStarted makes BulkCreate answer only once every sandbox is started, error or
// build_failed, or at the server's timeout; check each sandbox's State.
//
//	sandboxes, err := client.BulkCreate(ctx, items, options.WithAwaitStarted())
func WithAwaitStarted() func(*BulkCreateSandbox) {
	return func(o *BulkCreateSandbox) { o.AwaitStarted = true }
}

// WithTimeout bounds how long BulkCreate waits (see BulkCreateSandbox.Timeout).
//
//	sandboxes, err := client.BulkCreate(ctx, items, options.WithAwaitStarted(), options.WithTimeout(2*time.Minute))
func WithTimeout(d time.Duration) func(*BulkCreateSandbox) {
	return func(o *BulkCreateSandbox) { o.Timeout = &d }
}

// WithIdempotencyKey makes BulkCreate send key as its Idempotency-Key: for 24 h the server
// answers a repeat with the same key and items with the sandboxes of the first, creating
// nothing. Without it each call sends a fresh UUID (the same on each of the SDK's retries).
//
//	sandboxes, err := client.BulkCreate(ctx, items, options.WithIdempotencyKey("eval-7-run-1"))
func WithIdempotencyKey(key string) func(*BulkCreateSandbox) {
	return func(o *BulkCreateSandbox) { o.IdempotencyKey = key }
}

// CreateSandbox configures Client.Create.
type CreateSandbox struct {
	// How long Create waits for the sandbox to be started; 60 s when zero.
	StartTimeout time.Duration
	// The request's Idempotency-Key; a fresh UUID per call when empty (the same on each retry).
	IdempotencyKey string
}

// WithCreateIdempotencyKey makes Create send key as its Idempotency-Key (see WithIdempotencyKey).
//
//	sandbox, err := client.Create(ctx, types.CreateParams{Name: "scratch"}, options.WithCreateIdempotencyKey("scratch-1"))
func WithCreateIdempotencyKey(key string) func(*CreateSandbox) {
	return func(o *CreateSandbox) { o.IdempotencyKey = key }
}

// WithStartTimeout bounds how long Create waits for the new sandbox to be started.
//
//	sandbox, err := client.Create(ctx, types.CreateParams{}, options.WithStartTimeout(30*time.Second))
func WithStartTimeout(d time.Duration) func(*CreateSandbox) {
	return func(o *CreateSandbox) { o.StartTimeout = d }
}
