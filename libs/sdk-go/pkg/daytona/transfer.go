package daytona

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	// A file transfer's deadline unless ctx has an earlier one: big files take long.
	transferTimeout = 30 * time.Minute
	// The most of an error answer read to report it.
	maxErrorBody = 64 << 10
)

// The generated client reads a whole multipart body or download into memory, so file transfers
// are plain net/http requests on the client's own HTTP client: bodies are written and read as
// they go. They are never retried: an upload's reader is consumed by the first attempt, and a
// download may already be partly written.

// transfer is one streaming request to {apiURL}/toolbox/{sandboxID}/{route}. On a 2xx it
// returns the response, whose body the caller reads and closes, and a release that ends the
// request's deadline (call it after the body); otherwise the *Error the answer stands for.
func (c *Client) transfer(ctx context.Context, method, sandboxID, route string, query url.Values, contentType string, body io.Reader) (*http.Response, func(), error) {
	call := method + " /toolbox/" + sandboxID + "/" + route
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	target := c.config.apiURL + "/toolbox/" + url.PathEscape(sandboxID) + "/" + route
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	request, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		cancel()
		return nil, nil, &Error{Kind: ErrValidation, Message: fmt.Sprintf("%s: %v", call, err), cause: err}
	}
	request.Header.Set("Authorization", "Bearer "+c.config.apiKey)
	request.Header.Set("User-Agent", "daytona-sdk-go")
	if contentType != "" {
		request.Header.Set("Content-Type", contentType)
	}
	response, err := c.api.GetConfig().HTTPClient.Do(request)
	if err != nil {
		cancel()
		return nil, nil, toError(err, nil, call, transferTimeout)
	}
	if response.StatusCode >= 300 {
		defer cancel()
		defer response.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(response.Body, maxErrorBody))
		return nil, nil, fromBody(response.StatusCode, raw, response.Header, call)
	}
	return response, cancel, nil
}

// finish drains and closes a response that carries nothing the caller needs, and maps a cut-off
// read to an error.
func finish(response *http.Response, release func(), call string) error {
	defer release()
	defer response.Body.Close()
	if _, err := io.Copy(io.Discard, response.Body); err != nil {
		return toError(err, response, call, transferTimeout)
	}
	return nil
}

// multipartBody streams the parts write produces as a request body, writing as the request
// reads. An error of write (a local file that cannot be read) fails the request.
func multipartBody(write func(*multipart.Writer) error) (io.Reader, string) {
	reader, writer := io.Pipe()
	parts := multipart.NewWriter(writer)
	go func() {
		err := write(parts)
		if err == nil {
			err = parts.Close()
		}
		writer.CloseWithError(err)
	}()
	return reader, parts.FormDataContentType()
}

// copyPart writes one upload's contents as the file part field.
func copyPart(parts *multipart.Writer, field string, file types.FileUpload) error {
	part, err := parts.CreateFormFile(field, path.Base(file.Destination))
	if err != nil {
		return err
	}
	if file.LocalPath != "" {
		local, err := os.Open(file.LocalPath)
		if err != nil {
			return err
		}
		defer local.Close()
		_, err = io.Copy(part, local)
		return err
	}
	_, err = io.Copy(part, file.Reader)
	return err
}

// checkUpload refuses what cannot be sent before any request.
func checkUpload(i int, file types.FileUpload) error {
	switch {
	case file.Destination == "":
		return &Error{Kind: ErrValidation, Code: "validation_failed", Message: fmt.Sprintf("files[%d]: no Destination", i)}
	case (file.LocalPath == "") == (file.Reader == nil):
		return &Error{Kind: ErrValidation, Code: "validation_failed", Message: fmt.Sprintf("files[%d]: give exactly one of LocalPath and Reader", i)}
	case file.LocalPath != "":
		if _, err := os.Stat(file.LocalPath); err != nil {
			return &Error{Kind: ErrValidation, Code: "validation_failed", Message: fmt.Sprintf("files[%d]: %v", i, err), cause: err}
		}
	}
	return nil
}
