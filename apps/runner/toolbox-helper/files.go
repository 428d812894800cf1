package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fileInfo is the official Daytona toolbox's FileInfo.
type fileInfo struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	IsDir       bool   `json:"isDir"`
	Size        int64  `json:"size"`
	Mode        string `json:"mode"`
	Permissions string `json:"permissions"`
	Owner       string `json:"owner"`
	Group       string `json:"group"`
	ModTime     string `json:"modTime"`
	ModifiedAt  string `json:"modifiedAt"`
}

type names struct{ users, groups map[uint32]string }

// loadNames reads the sandbox's own /etc/passwd and /etc/group (never the host's): ids without
// an entry are shown as numbers.
func loadNames() names {
	return names{users: idNames("/etc/passwd"), groups: idNames("/etc/group")}
}

func idNames(file string) map[uint32]string {
	result := map[uint32]string{}
	f, err := os.Open(file)
	if err != nil {
		return result
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), ":")
		if len(fields) < 3 {
			continue
		}
		if id, err := strconv.ParseUint(fields[2], 10, 32); err == nil {
			if _, seen := result[uint32(id)]; !seen {
				result[uint32(id)] = fields[0]
			}
		}
	}
	return result
}

func (n names) describe(path string, info os.FileInfo) fileInfo {
	owner, group := "", ""
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		owner = n.name(n.users, st.Uid)
		group = n.name(n.groups, st.Gid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	modTime := info.ModTime().UTC().Format(time.RFC3339Nano)
	return fileInfo{
		Name:        info.Name(),
		Path:        abs,
		IsDir:       info.IsDir(),
		Size:        info.Size(),
		Mode:        info.Mode().String(),
		Permissions: "0" + strconv.FormatUint(uint64(info.Mode().Perm()), 8),
		Owner:       owner,
		Group:       group,
		ModTime:     modTime,
		ModifiedAt:  modTime,
	}
}

func (n names) name(table map[uint32]string, id uint32) string {
	if name, ok := table[id]; ok {
		return name
	}
	return strconv.FormatUint(uint64(id), 10)
}

func list(path string) error {
	dir, err := os.Open(path)
	if err != nil {
		return err
	}
	defer dir.Close()
	if st, err := dir.Stat(); err != nil {
		return err
	} else if !st.IsDir() {
		return &helperError{Code: "not_a_directory", Message: path + ": not a directory", Errno: "ENOTDIR"}
	}
	entries, err := dir.ReadDir(-1)
	if err != nil {
		return err
	}
	n := loadNames()
	files := make([]fileInfo, 0, len(entries))
	for _, entry := range entries {
		// Entries are not followed: a symlink is listed as itself.
		info, err := entry.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, n.describe(filepath.Join(path, entry.Name()), info))
	}
	return answer(files)
}

func info(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return answer(loadNames().describe(path, st))
}

func remove(path string, recursive bool) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if st.IsDir() && recursive {
		err = os.RemoveAll(path)
	} else {
		err = os.Remove(path)
	}
	if err != nil {
		if helper := asHelperError(err); helper.Errno == "EEXIST" || helper.Errno == "ENOTEMPTY" {
			return &helperError{Code: "directory_not_empty", Message: path + ": directory not empty (delete it with recursive=true)", Errno: helper.Errno}
		}
		return err
	}
	return answer(map[string]string{})
}

func mkdir(path, modeText string) error {
	mode, err := strconv.ParseUint(modeText, 8, 32)
	if err != nil || mode > 0o7777 {
		return &helperError{Code: "validation_failed", Message: "mode must be octal, such as 0755"}
	}
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return &helperError{Code: "file_exists", Message: path + ": exists and is not a directory", Errno: "EEXIST"}
	}
	if err := os.MkdirAll(path, os.FileMode(mode)&os.ModePerm); err != nil {
		return err
	}
	return answer(map[string]string{})
}

func move(source, destination string) error {
	err := os.Rename(source, destination)
	if asHelperError(orNil(err)).Errno == "EXDEV" {
		// Across file systems (the private /tmp and the root): copy a regular file, then remove it.
		err = copyAcross(source, destination)
	}
	if err != nil {
		return err
	}
	return answer(map[string]string{})
}

func orNil(err error) error {
	if err == nil {
		return &helperError{}
	}
	return err
}

func copyAcross(source, destination string) error {
	st, err := os.Lstat(source)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &helperError{Code: "filesystem_error", Message: source + ": only files can be moved to another file system", Errno: "EXDEV"}
	}
	in, err := os.Open(source)
	if err != nil {
		return err
	}
	defer in.Close()
	target, err := createTemp(destination, st.Mode().Perm())
	if err != nil {
		return err
	}
	defer target.discard()
	if _, err := io.Copy(target.file, in); err != nil {
		return err
	}
	if err := target.commit(); err != nil {
		return err
	}
	return os.Remove(source)
}
