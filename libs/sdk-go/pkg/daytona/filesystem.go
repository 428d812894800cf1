package daytona

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// FileSystemService reads and writes files inside one sandbox. Reach it as sandbox.FileSystem.
// Paths are relative to the sandbox user's home, or absolute in the sandbox's own filesystem;
// they resolve inside the sandbox with that user's permissions, so a path the user may not read
// or write is an ErrAuthorization error with Code file_permission_denied, and a missing one an
// ErrNotFound error with Code file_not_found. The sandbox must be started (else ErrConflict,
// sandbox_not_started). Uploads and downloads are streamed, never whole in memory unless asked
// for ([]byte results), and are not retried.
type FileSystemService struct {
	sandboxID string
	client    *Client
}

// CreateFolder creates a directory and its missing parents (mode 0755 unless options.WithMode).
//
//	err := sandbox.FileSystem.CreateFolder(ctx, "work/data", options.WithMode("0700"))
func (f *FileSystemService) CreateFolder(ctx context.Context, path string, opts ...func(*options.CreateFolder)) error {
	var o options.CreateFolder
	for _, opt := range opts {
		opt(&o)
	}
	_, err := callAPI(ctx, f.client.config.requestTimeout, f.call("POST", "files/folder"), nil, func(ctx context.Context) (struct{}, *http.Response, error) {
		request := f.client.api.ToolboxAPI.CreateFolder(ctx, f.sandboxID).Path(path)
		if o.Mode != "" {
			request = request.Mode(o.Mode)
		}
		response, err := request.Execute()
		return struct{}{}, response, err
	})
	return err
}

// ListFiles lists a directory, like ls -l.
//
//	files, err := sandbox.FileSystem.ListFiles(ctx, ".")
//	for _, file := range files {
//		fmt.Println(file.Name, file.Size, file.IsDirectory)
//	}
func (f *FileSystemService) ListFiles(ctx context.Context, path string) ([]*types.FileInfo, error) {
	dtos, err := callAPI(ctx, f.client.config.requestTimeout, f.call("GET", "files"), f.client.retry, func(ctx context.Context) ([]apiclient.FileInfo, *http.Response, error) {
		return f.client.api.ToolboxAPI.ListFiles(ctx, f.sandboxID).Path(path).Execute()
	})
	if err != nil {
		return nil, err
	}
	files := make([]*types.FileInfo, len(dtos))
	for i, dto := range dtos {
		files[i] = fileInfo(dto)
	}
	return files, nil
}

// GetFileInfo describes one file or directory.
//
//	info, err := sandbox.FileSystem.GetFileInfo(ctx, "work/data.csv")
//	fmt.Println(info.Size, info.Permissions, info.ModifiedTime)
func (f *FileSystemService) GetFileInfo(ctx context.Context, path string) (*types.FileInfo, error) {
	dto, err := callAPI(ctx, f.client.config.requestTimeout, f.call("GET", "files/info"), f.client.retry, func(ctx context.Context) (*apiclient.FileInfo, *http.Response, error) {
		return f.client.api.ToolboxAPI.GetFileInfo(ctx, f.sandboxID).Path(path).Execute()
	})
	if err != nil {
		return nil, err
	}
	return fileInfo(*dto), nil
}

// DeleteFile deletes a file, or a directory: an empty one, or with recursive everything in it
// (a non-empty one without recursive is ErrConflict, directory_not_empty).
//
//	err := sandbox.FileSystem.DeleteFile(ctx, "work", true)
func (f *FileSystemService) DeleteFile(ctx context.Context, path string, recursive bool) error {
	_, err := callAPI(ctx, f.client.config.requestTimeout, f.call("DELETE", "files"), nil, func(ctx context.Context) (struct{}, *http.Response, error) {
		response, err := f.client.api.ToolboxAPI.DeleteFile(ctx, f.sandboxID).Path(path).Recursive(recursive).Execute()
		return struct{}{}, response, err
	})
	return err
}

// MoveFiles moves or renames a file or directory.
//
//	err := sandbox.FileSystem.MoveFiles(ctx, "draft.txt", "final/report.txt")
func (f *FileSystemService) MoveFiles(ctx context.Context, source, destination string) error {
	_, err := callAPI(ctx, f.client.config.requestTimeout, f.call("POST", "files/move"), nil, func(ctx context.Context) (struct{}, *http.Response, error) {
		response, err := f.client.api.ToolboxAPI.MoveFile(ctx, f.sandboxID).Source(source).Destination(destination).Execute()
		return struct{}{}, response, err
	})
	return err
}

// UploadFile uploads the local file localPath to remotePath, read from disk as it is sent, and
// replaces what is there. A file past the server's limit (1 GiB by default) is ErrValidation,
// file_too_large, and leaves nothing behind.
//
//	err := sandbox.FileSystem.UploadFile(ctx, "dataset.parquet", "work/dataset.parquet")
func (f *FileSystemService) UploadFile(ctx context.Context, localPath, remotePath string) error {
	return f.upload(ctx, types.FileUpload{LocalPath: localPath, Destination: remotePath})
}

// UploadFileStream uploads what source yields to remotePath, as it is read.
//
//	err := sandbox.FileSystem.UploadFileStream(ctx, strings.NewReader("hello\n"), "hello.txt")
//	err = sandbox.FileSystem.UploadFileStream(ctx, response.Body, "download.bin")
func (f *FileSystemService) UploadFileStream(ctx context.Context, source io.Reader, remotePath string) error {
	if source == nil {
		return &Error{Kind: ErrValidation, Code: "validation_failed", Message: "UploadFileStream: source is nil"}
	}
	return f.upload(ctx, types.FileUpload{Reader: source, Destination: remotePath})
}

func (f *FileSystemService) upload(ctx context.Context, file types.FileUpload) error {
	if err := checkUpload(0, file); err != nil {
		return err
	}
	body, contentType := multipartBody(func(parts *multipart.Writer) error { return copyPart(parts, "file", file) })
	response, release, err := f.client.transfer(ctx, "POST", f.sandboxID, "files/upload", url.Values{"path": {file.Destination}}, contentType, body)
	if err != nil {
		return err
	}
	return finish(response, release, f.call("POST", "files/upload"))
}

// UploadFiles uploads several files in one request, each streamed in turn. Files before one
// that fails are kept.
//
//	err := sandbox.FileSystem.UploadFiles(ctx, []types.FileUpload{
//		{LocalPath: "model.bin", Destination: "work/model.bin"},
//		{Reader: strings.NewReader(`{"epochs": 3}`), Destination: "work/config.json"},
//	})
func (f *FileSystemService) UploadFiles(ctx context.Context, files []types.FileUpload) error {
	if len(files) == 0 {
		return nil
	}
	for i, file := range files {
		if err := checkUpload(i, file); err != nil {
			return err
		}
	}
	body, contentType := multipartBody(func(parts *multipart.Writer) error {
		for i, file := range files {
			if err := parts.WriteField(fmt.Sprintf("files[%d].path", i), file.Destination); err != nil {
				return err
			}
			if err := copyPart(parts, fmt.Sprintf("files[%d].file", i), file); err != nil {
				return err
			}
		}
		return nil
	})
	response, release, err := f.client.transfer(ctx, "POST", f.sandboxID, "files/bulk-upload", nil, contentType, body)
	if err != nil {
		return err
	}
	return finish(response, release, f.call("POST", "files/bulk-upload"))
}

// DownloadFile downloads remotePath. Without localPath it returns the contents (small files);
// with one it writes the file there as it arrives and returns nil, so a big file is never in
// memory.
//
//	data, err := sandbox.FileSystem.DownloadFile(ctx, "work/result.json", nil)
//	local := "result.tar"
//	_, err = sandbox.FileSystem.DownloadFile(ctx, "work/result.tar", &local)
func (f *FileSystemService) DownloadFile(ctx context.Context, remotePath string, localPath *string) ([]byte, error) {
	stream, err := f.DownloadFileStream(ctx, remotePath)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	call := f.call("GET", "files/download")
	if localPath == nil {
		data, err := io.ReadAll(stream)
		if err != nil {
			return nil, toError(err, &http.Response{}, call, transferTimeout)
		}
		return data, nil
	}
	return nil, writeLocal(*localPath, stream, call)
}

// DownloadFileStream opens remotePath for reading as it arrives; close the reader when done.
//
//	stream, err := sandbox.FileSystem.DownloadFileStream(ctx, "work/big.log")
//	if err != nil {
//		return err
//	}
//	defer stream.Close()
//	_, err = io.Copy(os.Stdout, stream)
func (f *FileSystemService) DownloadFileStream(ctx context.Context, remotePath string) (io.ReadCloser, error) {
	response, release, err := f.client.transfer(ctx, "GET", f.sandboxID, "files/download", url.Values{"path": {remotePath}}, "", nil)
	if err != nil {
		return nil, err
	}
	return &releasingBody{ReadCloser: response.Body, release: release}, nil
}

// DownloadFiles downloads several files in one request. Each answer says what became of its
// file: its Data or Destination, or its own Error (a missing file is ErrNotFound, file_not_found,
// and does not fail the others). The error return is for the request as a whole.
//
//	results, err := sandbox.FileSystem.DownloadFiles(ctx, []types.FileDownloadRequest{
//		{Source: "work/a.txt"},
//		{Source: "work/big.bin", Destination: "big.bin"},
//	})
//	for _, result := range results {
//		if result.Error != nil {
//			log.Printf("%s: %v", result.Source, result.Error)
//		}
//	}
func (f *FileSystemService) DownloadFiles(ctx context.Context, files []types.FileDownloadRequest) ([]types.FileDownloadResponse, error) {
	if len(files) == 0 {
		return nil, nil
	}
	call := f.call("POST", "files/bulk-download")
	paths := make([]string, len(files))
	pending := map[string][]int{}
	for i, file := range files {
		paths[i] = file.Source
		pending[file.Source] = append(pending[file.Source], i)
	}
	body, _ := json.Marshal(apiclient.FilesDownloadRequest{Paths: paths})
	response, release, err := f.client.transfer(ctx, "POST", f.sandboxID, "files/bulk-download", nil, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer release()
	defer response.Body.Close()
	_, params, err := mime.ParseMediaType(response.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, &Error{Kind: ErrServer, Message: fmt.Sprintf("%s answered %q, not multipart", call, response.Header.Get("Content-Type"))}
	}
	results := make([]types.FileDownloadResponse, len(files))
	answered := make([]bool, len(files))
	parts := multipart.NewReader(response.Body, params["boundary"])
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, toError(err, response, call, transferTimeout)
		}
		source := partFileName(part)
		queue := pending[source]
		if len(queue) == 0 {
			part.Close()
			continue
		}
		i := queue[0]
		pending[source] = queue[1:]
		answered[i] = true
		results[i] = types.FileDownloadResponse{Source: source}
		if err := readDownloadPart(part, files[i], &results[i], call); err != nil {
			return nil, err
		}
	}
	for i, file := range files {
		if !answered[i] {
			results[i] = types.FileDownloadResponse{Source: file.Source, Error: &Error{Kind: ErrServer, Message: fmt.Sprintf("%s: no answer for %s", call, file.Source)}}
		}
	}
	return results, nil
}

// readDownloadPart takes one part of a bulk download: a file, or the error the server had with it.
func readDownloadPart(part *multipart.Part, request types.FileDownloadRequest, result *types.FileDownloadResponse, call string) error {
	defer part.Close()
	if part.FormName() == "error" {
		raw, err := io.ReadAll(io.LimitReader(part, maxErrorBody))
		if err != nil {
			return toError(err, &http.Response{}, call, transferTimeout)
		}
		var status struct {
			StatusCode int `json:"statusCode"`
		}
		_ = json.Unmarshal(raw, &status)
		result.Error = fromBody(status.StatusCode, raw, nil, call+" "+request.Source)
		return nil
	}
	if request.Destination == "" {
		data, err := io.ReadAll(part)
		if err != nil {
			return toError(err, &http.Response{}, call, transferTimeout)
		}
		result.Data = data
		return nil
	}
	if err := writeLocal(request.Destination, part, call); err != nil {
		result.Error = err
		return nil
	}
	result.Destination = request.Destination
	return nil
}

// partFileName is the filename of a part's Content-Disposition as sent (Part.FileName keeps
// only its last element, and the server names each part by the path asked for).
func partFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// writeLocal writes what source yields to the local file path; a local failure is ErrValidation
// with no code (nothing the server said), a cut-off answer ErrConnection.
func writeLocal(path string, source io.Reader, call string) error {
	local, err := os.Create(path)
	if err != nil {
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf("%s: %v", call, err), cause: err}
	}
	if _, err := io.Copy(local, source); err != nil {
		local.Close()
		return toError(err, &http.Response{}, call, transferTimeout)
	}
	if err := local.Close(); err != nil {
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf("%s: %v", call, err), cause: err}
	}
	return nil
}

// releasingBody ends its request's deadline when closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	defer b.release()
	return b.ReadCloser.Close()
}

func (f *FileSystemService) call(method, route string) string {
	return method + " /toolbox/" + f.sandboxID + "/" + route
}

func fileInfo(dto apiclient.FileInfo) *types.FileInfo {
	modified, _ := time.Parse(time.RFC3339Nano, dto.ModTime)
	return &types.FileInfo{
		Name: dto.Name, Path: dto.Path, IsDirectory: dto.IsDir, Size: int64(dto.Size), Mode: dto.Mode,
		Permissions: dto.Permissions, Owner: dto.Owner, Group: dto.Group, ModifiedTime: modified,
	}
}
