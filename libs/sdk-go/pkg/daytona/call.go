package daytona

import (
	"context"
	"net/http"
	"time"
)

// callAPI runs one generated-client call with a hard deadline on the whole exchange (the earlier
// of limit and ctx's own) and turns every failure into an *Error. With a retry policy (only for
// idempotent calls), transient failures are tried again within that same deadline.
func callAPI[T any](ctx context.Context, limit time.Duration, call string, retry *retryPolicy, do func(context.Context) (T, *http.Response, error)) (T, error) {
	if deadline, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(deadline))
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var deadline time.Time
	if retry != nil {
		deadline = retry.now().Add(limit)
	}
	for failures := 1; ; failures++ {
		result, response, err := do(ctx)
		if err == nil {
			return result, nil
		}
		var zero T
		mapped := toError(err, response, call, limit.Round(time.Millisecond))
		if retry == nil {
			return zero, mapped
		}
		apiErr, isError := mapped.(*Error)
		if !isError {
			return zero, mapped
		}
		delay, ok := retry.delayBeforeRetry(failures, apiErr, deadline)
		if !ok {
			return zero, mapped
		}
		if err := retry.sleep(ctx, delay); err != nil {
			return zero, toError(err, nil, call, limit.Round(time.Millisecond))
		}
	}
}
