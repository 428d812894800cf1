package daytona

import (
	"context"
	"net/http"
	"time"
)

// callAPI runs one generated-client call with a hard deadline on the whole exchange (the earlier
// of limit and ctx's own) and turns every failure into an *Error.
func callAPI[T any](ctx context.Context, limit time.Duration, call string, do func(context.Context) (T, *http.Response, error)) (T, error) {
	if deadline, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(deadline))
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	result, response, err := do(ctx)
	if err != nil {
		var zero T
		return zero, toError(err, response, call, limit.Round(time.Millisecond))
	}
	return result, nil
}
