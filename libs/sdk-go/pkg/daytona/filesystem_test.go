package daytona

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// toolboxSandbox is a started sandbox whose API is handler.
func toolboxSandbox(t *testing.T, handler http.HandlerFunc) *Sandbox {
	t.Helper()
	client := stubAPI(t, handler)
	dto := sandboxJSON("sb-1", "files", "started")
	raw, _ := json.Marshal(dto)
	var sandbox apiclientSandbox
	if err := json.Unmarshal(raw, &sandbox); err != nil {
		t.Fatal(err)
	}
	return newSandbox(sandbox, client)
}

func fileInfoJSON(name string, size int, isDir bool) map[string]any {
	return map[string]any{
		"name": name, "path": "/home/daytona/" + name, "isDir": isDir, "size": size, "mode": "-rw-r--r--", "permissions": "0644",
		"owner": "daytona", "group": "daytona", "modTime": "2025-01-31T12:00:00Z", "modifiedAt": "2025-01-31T12:00:00Z",
	}
}

func TestFileSystemCallsSendTheirPathsAndMapTheAnswers(t *testing.T) {
	var requests []string
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/toolbox/sb-1/files":
			writeJSON(w, 200, []any{fileInfoJSON("a.txt", 12, false), fileInfoJSON("dir", 4096, true)})
		case r.Method == "GET" && r.URL.Path == "/api/toolbox/sb-1/files/info":
			writeJSON(w, 200, fileInfoJSON("a.txt", 12, false))
		default:
			w.WriteHeader(204)
		}
	})
	ctx := context.Background()

	files, err := sandbox.FileSystem.ListFiles(ctx, "work")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "a.txt" || files[0].Size != 12 || files[0].IsDirectory || !files[1].IsDirectory ||
		files[0].Permissions != "0644" || files[0].Owner != "daytona" || files[0].ModifiedTime.Year() != 2025 {
		t.Errorf("listed %+v %+v", files[0], files[1])
	}
	info, err := sandbox.FileSystem.GetFileInfo(ctx, "work/a.txt")
	if err != nil || info.Path != "/home/daytona/a.txt" {
		t.Fatalf("info %+v, %v", info, err)
	}
	for _, err := range []error{
		sandbox.FileSystem.CreateFolder(ctx, "work/new", options.WithMode("0700")),
		sandbox.FileSystem.MoveFiles(ctx, "a b.txt", "work/c.txt"),
		sandbox.FileSystem.DeleteFile(ctx, "work", true),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"GET /api/toolbox/sb-1/files?path=work",
		"GET /api/toolbox/sb-1/files/info?path=work%2Fa.txt",
		"POST /api/toolbox/sb-1/files/folder?mode=0700&path=work%2Fnew",
		"POST /api/toolbox/sb-1/files/move?destination=work%2Fc.txt&source=a+b.txt",
		"DELETE /api/toolbox/sb-1/files?path=work&recursive=true",
	}
	if !reflect.DeepEqual(requests, want) {
		t.Errorf("sent\n%s\nwant\n%s", strings.Join(requests, "\n"), strings.Join(want, "\n"))
	}
}

func TestFileSystemErrorsAreTheServersCodes(t *testing.T) {
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("path") {
		case "../../etc/shadow":
			writeJSON(w, 403, errorJSON(403, "file_permission_denied", "permission denied: ../../etc/shadow", nil))
		default:
			writeJSON(w, 404, errorJSON(404, "file_not_found", "no such file: missing.txt", nil))
		}
	})
	ctx := context.Background()

	_, err := sandbox.FileSystem.DownloadFile(ctx, "../../etc/shadow", nil)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrAuthorization) || apiErr.Code != "file_permission_denied" || apiErr.StatusCode != 403 {
		t.Fatalf("download of a forbidden path: %#v", err)
	}
	_, err = sandbox.FileSystem.GetFileInfo(ctx, "missing.txt")
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrNotFound) || apiErr.Code != "file_not_found" {
		t.Fatalf("info of a missing file: %#v", err)
	}
	stream, err := sandbox.FileSystem.DownloadFileStream(ctx, "missing.txt")
	if stream != nil || !errors.As(err, &apiErr) || apiErr.Code != "file_not_found" || apiErr.Message != "no such file: missing.txt" {
		t.Fatalf("stream of a missing file: %v %#v", stream, err)
	}
}

// readUpload returns the parts of a multipart request: field name -> (filename, content).
func readUpload(t *testing.T, r *http.Request) map[string][2]string {
	t.Helper()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		t.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
		return nil
	}
	parts := map[string][2]string{}
	reader := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := reader.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Error(err)
			return parts
		}
		content, _ := io.ReadAll(part)
		parts[part.FormName()] = [2]string{part.FileName(), string(content)}
	}
}

func TestUploadFileStreamsALocalFileAndAReaderAsMultipart(t *testing.T) {
	var got []map[string][2]string
	var queries []string
	var lengths []int64
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		lengths = append(lengths, r.ContentLength)
		got = append(got, readUpload(t, r))
		writeJSON(w, 200, map[string]any{"path": "/home/daytona/x", "size": 5})
	})
	local := filepath.Join(t.TempDir(), "local.bin")
	if err := os.WriteFile(local, []byte("from disk"), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := sandbox.FileSystem.UploadFile(context.Background(), local, "work/a.bin"); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.FileSystem.UploadFileStream(context.Background(), strings.NewReader("from a reader"), "b.txt"); err != nil {
		t.Fatal(err)
	}

	if queries[0] != "/api/toolbox/sb-1/files/upload?path=work%2Fa.bin" || queries[1] != "/api/toolbox/sb-1/files/upload?path=b.txt" {
		t.Errorf("sent to %v", queries)
	}
	if got[0]["file"] != [2]string{"a.bin", "from disk"} || got[1]["file"] != [2]string{"b.txt", "from a reader"} {
		t.Errorf("parts %v", got)
	}
	// Streamed: the body's length is not known in advance (a buffered body would have one).
	if lengths[0] != -1 || lengths[1] != -1 {
		t.Errorf("content lengths %v, want -1 (chunked)", lengths)
	}
}

func TestUploadFilesSendsEachPathAndFileInOneRequest(t *testing.T) {
	var parts map[string][2]string
	var path string
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		parts = readUpload(t, r)
		writeJSON(w, 200, map[string]any{"files": []any{}})
	})
	local := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(local, []byte("weights"), 0o600); err != nil {
		t.Fatal(err)
	}

	err := sandbox.FileSystem.UploadFiles(context.Background(), []types.FileUpload{
		{LocalPath: local, Destination: "work/model.bin"},
		{Reader: strings.NewReader(`{"epochs": 3}`), Destination: "work/config.json"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"files[0].path": {"", "work/model.bin"}, "files[0].file": {"model.bin", "weights"},
		"files[1].path": {"", "work/config.json"}, "files[1].file": {"config.json", `{"epochs": 3}`},
	}
	if path != "/api/toolbox/sb-1/files/bulk-upload" || !reflect.DeepEqual(parts, want) {
		t.Errorf("sent to %s: %v", path, parts)
	}
}

func TestUploadsRefuseWhatCannotBeSentWithoutAsking(t *testing.T) {
	asked := false
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) { asked = true })
	ctx := context.Background()

	for name, err := range map[string]error{
		"missing local file": sandbox.FileSystem.UploadFile(ctx, filepath.Join(t.TempDir(), "nope"), "x"),
		"no destination":     sandbox.FileSystem.UploadFiles(ctx, []types.FileUpload{{Reader: strings.NewReader("x")}}),
		"both sources":       sandbox.FileSystem.UploadFiles(ctx, []types.FileUpload{{LocalPath: "a", Reader: strings.NewReader("x"), Destination: "x"}}),
		"nil reader":         sandbox.FileSystem.UploadFileStream(ctx, nil, "x"),
	} {
		if !errors.Is(err, ErrValidation) {
			t.Errorf("%s: %v, want ErrValidation", name, err)
		}
	}
	if asked {
		t.Error("the server was asked")
	}
}

func TestAnUploadTooLargeIsTheServersFileTooLarge(t *testing.T) {
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.CopyN(io.Discard, r.Body, 1024) // the server refuses after reading a little
		writeJSON(w, 413, errorJSON(413, "file_too_large", "big.bin is larger than 1048576 bytes", map[string]any{"maxBytes": 1048576}))
	})

	err := sandbox.FileSystem.UploadFileStream(context.Background(), io.LimitReader(zeros{}, 64<<20), "big.bin")
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrValidation) || apiErr.Code != "file_too_large" || apiErr.Details["maxBytes"] != float64(1048576) {
		t.Fatalf("got %#v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDownloadFileReturnsTheContentsOrWritesTheLocalFile(t *testing.T) {
	var paths []string
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Query().Get("path"))
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte("contents of " + r.URL.Query().Get("path")))
	})
	ctx := context.Background()

	data, err := sandbox.FileSystem.DownloadFile(ctx, "a.txt", nil)
	if err != nil || string(data) != "contents of a.txt" {
		t.Fatalf("got %q, %v", data, err)
	}
	local := filepath.Join(t.TempDir(), "b.txt")
	data, err = sandbox.FileSystem.DownloadFile(ctx, "b.txt", &local)
	if err != nil || data != nil {
		t.Fatalf("got %q, %v", data, err)
	}
	if written, _ := os.ReadFile(local); string(written) != "contents of b.txt" {
		t.Errorf("wrote %q", written)
	}
	stream, err := sandbox.FileSystem.DownloadFileStream(ctx, "c.txt")
	if err != nil {
		t.Fatal(err)
	}
	streamed, _ := io.ReadAll(stream)
	if err := stream.Close(); err != nil || string(streamed) != "contents of c.txt" {
		t.Errorf("streamed %q, %v", streamed, err)
	}
}

func TestDownloadFilesMatchesEachPartToItsRequestAndKeepsPerFileErrors(t *testing.T) {
	var asked map[string][]string
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&asked)
		var body bytes.Buffer
		parts := multipart.NewWriter(&body)
		// Answered out of order, and named by the full path asked for.
		writePart(parts, "file", "dir/b.txt", "bee")
		writePart(parts, "error", "missing.txt", `{"message":"no such file: missing.txt","statusCode":404,"code":"file_not_found"}`)
		writePart(parts, "file", "a.txt", "ay")
		_ = parts.Close()
		w.Header().Set("Content-Type", parts.FormDataContentType())
		_, _ = w.Write(body.Bytes())
	})
	local := filepath.Join(t.TempDir(), "b.txt")

	results, err := sandbox.FileSystem.DownloadFiles(context.Background(), []types.FileDownloadRequest{
		{Source: "a.txt"}, {Source: "missing.txt"}, {Source: "dir/b.txt", Destination: local},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asked, map[string][]string{"paths": {"a.txt", "missing.txt", "dir/b.txt"}}) {
		t.Errorf("asked for %v", asked)
	}
	if results[0].Source != "a.txt" || string(results[0].Data) != "ay" || results[0].Error != nil {
		t.Errorf("first %+v", results[0])
	}
	var apiErr *Error
	if !errors.As(results[1].Error, &apiErr) || !errors.Is(results[1].Error, ErrNotFound) || apiErr.Code != "file_not_found" || results[1].Data != nil {
		t.Errorf("second %+v", results[1])
	}
	if written, _ := os.ReadFile(local); results[2].Destination != local || string(written) != "bee" || results[2].Data != nil {
		t.Errorf("third %+v, wrote %q", results[2], written)
	}
}

func writePart(parts *multipart.Writer, field, filename, content string) {
	header := textproto.MIMEHeader{}
	header.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": field, "filename": filename}))
	part, _ := parts.CreatePart(header)
	_, _ = part.Write([]byte(content))
}
