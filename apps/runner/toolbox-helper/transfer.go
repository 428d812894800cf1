package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

const copyBuffer = 1 << 20

// read writes {"size": N} on stderr once the file is open, then exactly N bytes on stdout.
func read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return &helperError{Code: "is_a_directory", Message: path + ": is a directory", Errno: "EISDIR"}
	}
	status, _ := json.Marshal(map[string]int64{"size": st.Size()})
	fmt.Fprintln(os.Stderr, string(status))
	out := bufio.NewWriterSize(os.Stdout, copyBuffer)
	if _, err := io.CopyN(out, f, st.Size()); err != nil {
		return err
	}
	return out.Flush()
}

// write takes the file from stdin in frames (a 4-byte big-endian length, then that many bytes;
// length 0 ends the file), so that a stdin closed early (a runner that died) is never taken for
// the end of the file. The bytes go to an unnamed file in the destination's directory, which is
// given its name only when complete: a failed or killed upload leaves nothing behind.
func write(path, maxText string) error {
	maxBytes, err := strconv.ParseInt(maxText, 10, 64)
	if err != nil || maxBytes < 0 {
		return &helperError{Code: "validation_failed", Message: "MAX_BYTES must be a non-negative integer"}
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return &helperError{Code: "is_a_directory", Message: path + ": is a directory", Errno: "EISDIR"}
		}
		mode = st.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	target, err := createTemp(path, mode)
	if err != nil {
		return err
	}
	defer target.discard()
	in := bufio.NewReaderSize(os.Stdin, copyBuffer)
	out := bufio.NewWriterSize(target.file, copyBuffer)
	var size int64
	var header [4]byte
	for {
		if _, err := io.ReadFull(in, header[:]); err != nil {
			return &helperError{Code: "upload_incomplete", Message: "the upload ended before the end of the file"}
		}
		length := int64(binary.BigEndian.Uint32(header[:]))
		if length == 0 {
			break
		}
		if size+length > maxBytes {
			return &helperError{Code: "file_too_large", Message: fmt.Sprintf("the file is larger than %d bytes", maxBytes), Errno: "EFBIG"}
		}
		if _, err := io.CopyN(out, in, length); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return &helperError{Code: "upload_incomplete", Message: "the upload ended before the end of the file"}
			}
			return err
		}
		size += length
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := target.commit(); err != nil {
		return err
	}
	return answer(map[string]int64{"size": size})
}

// oTmpfile is O_TMPFILE on Linux (__O_TMPFILE | O_DIRECTORY), which the syscall package lacks.
const oTmpfile = 0o20000000 | syscall.O_DIRECTORY

type tempFile struct {
	file        *os.File
	destination string
	// named is the temporary name when the file system has no unnamed files; empty otherwise.
	named     string
	committed bool
}

func createTemp(destination string, mode os.FileMode) (*tempFile, error) {
	dir := filepath.Dir(destination)
	fd, err := syscall.Open(dir, oTmpfile|syscall.O_WRONLY|syscall.O_CLOEXEC, uint32(mode))
	if err == nil {
		return &tempFile{file: os.NewFile(uintptr(fd), destination), destination: destination}, nil
	}
	if err != syscall.EOPNOTSUPP && err != syscall.EISDIR && err != syscall.EINVAL {
		return nil, &os.PathError{Op: "create", Path: destination, Err: err}
	}
	file, err := os.CreateTemp(dir, "."+filepath.Base(destination)+".upload-*")
	if err != nil {
		return nil, err
	}
	if err := file.Chmod(mode); err != nil {
		file.Close()
		os.Remove(file.Name())
		return nil, err
	}
	return &tempFile{file: file, destination: destination, named: file.Name()}, nil
}

// commit gives the complete file its name, replacing what had it (rename is atomic).
func (t *tempFile) commit() error {
	if t.named == "" {
		// An unnamed file gets a temporary name first: linkat cannot replace an existing name.
		t.named = fmt.Sprintf("%s/.%s.upload-%d", filepath.Dir(t.destination), filepath.Base(t.destination), os.Getpid())
		if err := linkProcFd(t.file, t.named); err != nil {
			t.named = ""
			return err
		}
	}
	if err := t.file.Close(); err != nil {
		return err
	}
	if err := os.Rename(t.named, t.destination); err != nil {
		return err
	}
	t.committed = true
	return nil
}

func (t *tempFile) discard() {
	if t.committed {
		return
	}
	t.file.Close()
	if t.named != "" {
		os.Remove(t.named)
	}
}

// linkProcFd names an O_TMPFILE file: linkat through /proc/self/fd with AT_SYMLINK_FOLLOW, the way
// open(2) documents for callers without CAP_DAC_READ_SEARCH.
func linkProcFd(file *os.File, name string) error {
	atFdcwd := -100 // AT_FDCWD
	const atSymlinkFollow = 0x400
	source, err := syscall.BytePtrFromString(fmt.Sprintf("/proc/self/fd/%d", file.Fd()))
	if err != nil {
		return err
	}
	target, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(atFdcwd), uintptr(unsafePointer(source)), uintptr(atFdcwd), uintptr(unsafePointer(target)), atSymlinkFollow, 0)
	if errno != 0 {
		return &os.LinkError{Op: "link", Old: "(upload)", New: name, Err: errno}
	}
	return nil
}
