package cases

// pages_import.go is the preview step of the 12345 import page: the file is read and checked row
// by row without writing anything, and kept under the data directory until the user confirms
// (at most importKeep); the commit then runs the core ImportHotline on the same bytes.

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"linli/internal/errs"
	"linli/internal/pii"
)

// PreviewRow is one work order as the preview shows it; the caller's phone is masked.
type PreviewRow struct {
	Line       int
	ExternalNo string
	ReceivedAt *time.Time
	Deadline   *time.Time
	Caller     string
	Phone      string
	Category   string
	Text       string
	Exists     bool
	Errors     []RowError
}

// ImportPreview is the checked file waiting for confirmation.
type ImportPreview struct {
	Token    string
	FileName string
	Rows     []PreviewRow
	Errors   []RowError
	// Ignored lists the rows passed over: blank, 合计/小计, identical duplicates folded.
	Ignored  []RowError
	Folded   int
	New      int
	Existing int
}

var importToken = regexp.MustCompile(`^[0-9]+-[A-Za-z0-9]{26}$`)

func (s *Service) importPath(token string) string {
	return filepath.Join(s.opts.DataDir, "imports", "cases", token+".bin")
}

// importKeep is how long a previewed file waits for confirmation: it holds callers' names and
// phone numbers in the clear, so it is not kept a moment longer than the import needs.
const importKeep = time.Hour

// sweepImports removes the previews nobody confirmed within importKeep.
func (s *Service) sweepImports() {
	dir := filepath.Dir(s.importPath("x"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > importKeep {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// PreviewHotline checks a 12345 export without importing it: header, every row's fields and which
// work orders are already registered. A file with new valid work orders is kept for CommitHotline,
// which imports those and passes over the rows with errors.
func (s *Service) PreviewHotline(ctx context.Context, f HotlineFile) (*ImportPreview, error) {
	rd, err := s.readHotline(ctx, f)
	if err != nil {
		return nil, err
	}
	p, rows, cats := rd.p, rd.rows, rd.cats
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.FullName
	}
	out := &ImportPreview{FileName: f.Name, Rows: []PreviewRow{}, Errors: []RowError{}, Ignored: rd.ignored, Folded: rd.folded}
	for _, r := range rows {
		in, rowErrs := r.in, r.errs
		pr := PreviewRow{Line: r.line, ExternalNo: in.ExternalNo, ReceivedAt: in.ReceivedAt, Deadline: in.ExternalDeadline,
			Caller: in.ReporterName, Category: names[in.CategoryID], Text: firstRunes(in.Description, 40), Errors: rowErrs}
		if phone, err := pii.NormalizePhone(in.ReporterPhone); err == nil {
			pr.Phone = pii.MaskPhone(phone)
		}
		if in.ExternalNo != "" {
			var n int
			if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE external_no = $1`, in.ExternalNo).Scan(&n); err != nil {
				return nil, err
			}
			pr.Exists = n > 0
		}
		if pr.Exists {
			out.Existing++
		} else if len(rowErrs) == 0 {
			out.New++
		}
		out.Errors = append(out.Errors, rowErrs...)
		out.Rows = append(out.Rows, pr)
	}
	if out.New > 0 {
		if s.opts.DataDir == "" {
			return nil, errs.E(errs.Invalid, "未配置数据目录，无法暂存导入文件")
		}
		s.sweepImports()
		out.Token = strconv.FormatInt(p.UserID, 10) + "-" + rand.Text()
		path := s.importPath(out.Token)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("import dir: %w", err)
		}
		if err := os.WriteFile(path, f.Data, 0o640); err != nil {
			return nil, fmt.Errorf("keep import: %w", err)
		}
	}
	return out, nil
}

// CommitHotline imports the valid rows of the file a preview kept (token) — the user confirmed
// them with its errors in view — and removes it.
// Only the user who previewed it may commit it.
func (s *Service) CommitHotline(ctx context.Context, token, name string, communityID int64) (*ImportResult, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !importToken.MatchString(token) || token[:len(strconv.FormatInt(p.UserID, 10))+1] != strconv.FormatInt(p.UserID, 10)+"-" {
		return nil, errs.E(errs.NotFound, "导入文件已失效，请重新上传")
	}
	path := s.importPath(token)
	info, err := os.Stat(path)
	if err != nil || time.Since(info.ModTime()) > importKeep {
		_ = os.Remove(path)
		return nil, errs.E(errs.NotFound, "导入文件已失效，请重新上传")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(errs.NotFound, "导入文件已失效，请重新上传")
	}
	res, err := s.ImportHotline(ctx, HotlineFile{Name: name, Data: data, CommunityID: communityID, Confirm: true})
	if err == nil {
		_ = os.Remove(path)
	}
	return res, err
}
