package daytona

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
)

// ErrorKind classifies an *Error. The kinds are sentinels for errors.Is:
//
//	if errors.Is(err, daytona.ErrNotFound) { ... }
type ErrorKind string

func (k ErrorKind) Error() string { return "daytona: " + string(k) + " error" }

const (
	// ErrValidation: 400, 413 or 422, the request was rejected as invalid (validation_failed, empty_selector,
	// reserved_label, snapshot_not_active, payload_too_large; 422 idempotency_key_reused: the
	// Idempotency-Key was used with another request).
	ErrValidation ErrorKind = "validation"
	// ErrAuthentication: 401, the API key is missing, unknown or expired (unauthenticated).
	ErrAuthentication ErrorKind = "authentication"
	// ErrAuthorization: 403, the key lacks a permission (missing_permission) or a quota is spent (quota_exceeded).
	ErrAuthorization ErrorKind = "authorization"
	// ErrNotFound: 404, no such sandbox or snapshot in the key's organization.
	ErrNotFound ErrorKind = "not found"
	// ErrConflict: 409, a name is taken (name_conflict), the sandbox's state does not allow the call, or
	// a request with the same Idempotency-Key is still being processed (idempotency_key_in_progress).
	ErrConflict ErrorKind = "conflict"
	// ErrRateLimit: 429, too many requests; Error.RetryAfter holds the server's hint.
	ErrRateLimit ErrorKind = "rate limit"
	// ErrServer: 5xx, the API failed or runners lack room (insufficient_capacity, 503).
	ErrServer ErrorKind = "server"
	// ErrTimeout: no answer within the SDK's deadline or the context's. The operation may still complete.
	ErrTimeout ErrorKind = "timeout"
	// ErrConnection: no complete answer (refused, reset, unknown host, an answer cut off midway).
	ErrConnection ErrorKind = "connection"
	// ErrSandboxState: a wait found the sandbox in error, build_failed or destroyed.
	ErrSandboxState ErrorKind = "sandbox state"
	// ErrSnapshotState: SnapshotService.Create found the snapshot in error (ErrorReason: the registry's reason).
	ErrSnapshotState ErrorKind = "snapshot state"
)

// Error is the one error type the SDK returns. Branch on its kind with errors.Is, or read the
// API's stable Code after errors.As.
//
//	var apiErr *daytona.Error
//	if errors.As(err, &apiErr) && apiErr.Code == "quota_exceeded" {
//		fmt.Println(apiErr.Details) // map[available:12 limit:100 requested:500 resource:cpu]
//	}
type Error struct {
	// Kind is one of the Err... sentinels, or empty when none applies (e.g. the caller cancelled).
	Kind ErrorKind
	// StatusCode is the HTTP status of the API's answer; 0 when there was no answer.
	StatusCode int
	// Code is the API's error code, e.g. validation_failed, quota_exceeded, name_conflict.
	Code string
	// Message says what went wrong.
	Message string
	// Details are the API's structured details, e.g. the offending field or the quota numbers.
	Details map[string]any
	// RetryAfter is the answer's Retry-After (429, 503); 0 when it sent none.
	RetryAfter time.Duration
	// SandboxID, State and ErrorReason describe the sandbox of an ErrSandboxState.
	SandboxID   string
	State       string
	ErrorReason string
	// SnapshotName names the snapshot of an ErrSnapshotState (or of a snapshot wait's ErrTimeout);
	// State and ErrorReason then describe the snapshot.
	SnapshotName string

	cause error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("daytona: ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "%s: ", e.Code)
	}
	b.WriteString(e.Message)
	return b.String()
}

// Is reports whether target is this error's kind, so errors.Is(err, daytona.ErrTimeout) works.
func (e *Error) Is(target error) bool {
	kind, ok := target.(ErrorKind)
	return ok && e.Kind != "" && kind == e.Kind
}

// Unwrap returns the underlying cause, if any (context.DeadlineExceeded, a *net.OpError, ...).
// Errors of the generated client are never returned.
func (e *Error) Unwrap() error { return e.cause }

// errorBody is the body every API error has; proxies may answer anything else.
type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

var kindByStatus = map[int]ErrorKind{
	http.StatusBadRequest:            ErrValidation,
	http.StatusUnauthorized:          ErrAuthentication,
	http.StatusForbidden:             ErrAuthorization,
	http.StatusNotFound:              ErrNotFound,
	http.StatusConflict:              ErrConflict,
	http.StatusRequestEntityTooLarge: ErrValidation,
	http.StatusUnprocessableEntity:   ErrValidation,
	http.StatusTooManyRequests:       ErrRateLimit,
}

// toError is the one place where a failed call becomes an *Error. call names the request
// ("POST /sandbox/bulk"), limit is the SDK's own deadline for it.
func toError(err error, response *http.Response, call string, limit time.Duration) error {
	if err == nil {
		return nil
	}
	var known *Error
	if errors.As(err, &known) {
		return known
	}
	if response != nil && response.StatusCode >= 300 {
		return fromResponse(err, response, call)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: ErrTimeout, Message: fmt.Sprintf("no answer from %s within %s", call, limit), cause: context.DeadlineExceeded}
	case errors.Is(err, context.Canceled):
		return &Error{Message: call + " was cancelled", cause: context.Canceled}
	}
	// A 2xx whose body could not be read: the connection dropped midway (a body that arrived
	// whole but did not decode is a GenericOpenAPIError).
	var apiErr *apiclient.GenericOpenAPIError
	if response != nil && !errors.As(err, &apiErr) {
		cause := err
		if errors.Is(err, io.ErrUnexpectedEOF) {
			cause = io.ErrUnexpectedEOF
		}
		return &Error{Kind: ErrConnection, Message: fmt.Sprintf("the answer to %s was cut off before it completed: %v", call, err), cause: cause}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if urlErr.Timeout() {
			return &Error{Kind: ErrTimeout, Message: fmt.Sprintf("no answer from %s in time", call), cause: urlErr.Err}
		}
		return &Error{
			Kind:    ErrConnection,
			Message: fmt.Sprintf("cannot reach the Daytona API (%s): %v. Is it running, and is DAYTONA_API_URL right?", call, urlErr.Err),
			cause:   urlErr.Err,
		}
	}
	// Without an answer and without a transport error (both handled above), the generated client
	// refused the arguments itself against the spec (a minimum, a required field): nothing was sent.
	if response == nil {
		return &Error{Kind: ErrValidation, Code: "validation_failed", Message: fmt.Sprintf("%s: %s", call, err.Error())}
	}
	// A 2xx answer the generated client could not decode. Only the message is kept: the
	// generated error type must not escape.
	return &Error{Message: fmt.Sprintf("%s: %s", call, err.Error())}
}

func fromResponse(err error, response *http.Response, call string) *Error {
	var raw []byte
	var apiErr *apiclient.GenericOpenAPIError
	if errors.As(err, &apiErr) {
		raw = apiErr.Body()
	}
	return fromBody(response.StatusCode, raw, response.Header, call)
}

// fromBody is the error an answer of status with body raw stands for; header may be nil.
func fromBody(status int, raw []byte, header http.Header, call string) *Error {
	var body errorBody
	if json.Unmarshal(raw, &body) != nil {
		if text := strings.TrimSpace(string(raw)); text != "" && !strings.HasPrefix(text, "{") {
			body.Message = truncate(text, 500)
		}
	}
	kind, ok := kindByStatus[status]
	if !ok && status >= 500 {
		kind = ErrServer
	}
	message := body.Message
	if message == "" {
		message = fmt.Sprintf("%s failed with HTTP %d", call, status)
	}
	return &Error{
		Kind: kind, StatusCode: status, Code: body.Code, Message: message, Details: body.Details,
		RetryAfter: retryAfter(header.Get("Retry-After")),
	}
}

func retryAfter(header string) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if seconds, err := strconv.ParseFloat(header, 64); err == nil {
		return max(time.Duration(seconds*float64(time.Second)), 0)
	}
	if at, err := http.ParseTime(header); err == nil {
		return max(time.Until(at), 0)
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
