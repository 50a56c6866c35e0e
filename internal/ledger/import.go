package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/register"
)

// ImportStatus is where an import stands.
type ImportStatus string

// The import statuses: a checked file waits for its commit; a commit runs in the background and
// ends committed (everything written) or failed (nothing written).
const (
	ImportValidated  ImportStatus = "validated"
	ImportCommitting ImportStatus = "committing"
	ImportCommitted  ImportStatus = "committed"
	ImportFailed     ImportStatus = "failed"
)

var importStatusLabels = map[ImportStatus]string{ImportValidated: "待确认导入", ImportCommitting: "正在导入",
	ImportCommitted: "已导入", ImportFailed: "导入失败"}

// Label is the status's Chinese name.
func (s ImportStatus) Label() string { return importStatusLabels[s] }

// Import is one uploaded ledger: its mapping, the check of its rows and, once committed, what the
// commit changed.
type Import struct {
	ID            int64         `json:"id"`
	CommunityID   int64         `json:"community_id"`
	CommunityName string        `json:"community_name"`
	Kind          string        `json:"kind"`
	FileName      string        `json:"file_name"`
	Status        ImportStatus  `json:"status"`
	Mapping       LedgerMapping `json:"mapping"`
	TotalRows     int           `json:"total_rows"`
	ValidRows     int           `json:"valid_rows"`
	ErrorRows     int           `json:"error_rows"`
	DoneRows      int           `json:"done_rows"`
	CreatedRows   int           `json:"created_rows"`
	UpdatedRows   int           `json:"updated_rows"`
	Message       string        `json:"message"`
	CreatedBy     string        `json:"created_by"`
	CreatedAt     time.Time     `json:"created_at"`
	FinishedAt    *time.Time    `json:"finished_at"`
	Check         ImportCheck   `json:"check"`
	// PreviousImport is the earlier committed import of the same file, when there is one.
	PreviousImport int64  `json:"previous_import,omitempty"`
	sha256         string `json:"-"`
}

// Progress returns the committed share of the valid rows, 0–100.
func (im *Import) Progress() int {
	if im.ValidRows == 0 {
		return 0
	}
	return im.DoneRows * 100 / im.ValidRows
}

// Committable reports whether the import may be committed now.
func (im *Import) Committable() bool {
	return (im.Status == ImportValidated || im.Status == ImportFailed) && im.Check.Problem == "" && im.ValidRows > 0
}

// ImportCheck is what checking a file under its mapping found: what committing would do, the first
// rows as they would be stored, and every error and correction.
type ImportCheck struct {
	Problem       string       `json:"problem,omitempty"` // a mapping problem that stops the whole file
	ToCreate      int          `json:"to_create"`
	ToUpdate      int          `json:"to_update"`
	Unchanged     int          `json:"unchanged"`
	NewHouseholds int          `json:"new_households"`
	Preview       []PreviewRow `json:"preview"`
	Errors        []RowIssue   `json:"errors"`
	Fixes         []RowIssue   `json:"fixes"`
	// FixKinds counts the corrections by kind, every kind however many rows it covers.
	FixKinds []FixKind `json:"fix_kinds"`
	// Skipped lists the summary rows (合计, 小计, a lone count), which are not people.
	Skipped    []RowIssue `json:"skipped"`
	ErrorCount int        `json:"error_count"` // all errors; Errors lists at most maxIssues
	FixCount   int        `json:"fix_count"`
}

// FixKind is one kind of automatic correction and how many cells it was made in.
type FixKind struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// PreviewRow is a ledger row as it will be stored: numbers masked, aliases resolved.
type PreviewRow struct {
	Row           int      `json:"row"`
	Action        string   `json:"action"` // create, update, unchanged
	Name          string   `json:"name"`
	Gender        string   `json:"gender"`
	BirthDate     string   `json:"birth_date"`
	IDMasked      string   `json:"id_masked"`
	PhoneMasked   string   `json:"phone_masked"`
	Address       string   `json:"address"`
	NewHousehold  bool     `json:"new_household"`
	Relation      string   `json:"relation"`
	ResidenceType string   `json:"residence_type"`
	Ethnicity     string   `json:"ethnicity"`
	Tags          []string `json:"tags"`
	Changes       []string `json:"changes,omitempty"` // for updates: the fields that change
}

// ActionLabel is the preview action in Chinese.
func (p PreviewRow) ActionLabel() string {
	switch p.Action {
	case actionCreate:
		return "新增"
	case actionUpdate:
		return "更新"
	}
	return "无变化"
}

const (
	actionCreate    = "create"
	actionUpdate    = "update"
	actionUnchanged = "unchanged"
	previewRows     = 20
	maxIssues       = 1000
)

// Ledger imports the resident ledger (人口台账) into the register and exports the ledgers. It owns
// the goroutines that commit large imports in the background and their progress.
type Ledger struct {
	db     *db.DB
	sealer *pii.Sealer
	reg    *register.Service
	log    *slog.Logger
	mu     sync.Mutex
	// progress holds the rows done by each running commit; the write transaction cannot share it.
	progress map[int64]int
	wg       sync.WaitGroup
	// batch is the number of rows per multi-row INSERT.
	batch int
	// afterBatch, when set, runs after each batch inside the write transaction; tests make it fail.
	afterBatch func(done int) error
	// parsed holds the rows of the latest check until its commit takes them (guarded by mu).
	parsed *parsedRows
}

// New returns the ledger import and export service over the register kept in d; log receives
// the internal errors of background commits.
func New(d *db.DB, sealer *pii.Sealer, reg *register.Service, log *slog.Logger) *Ledger {
	return &Ledger{db: d, sealer: sealer, reg: reg, log: log, progress: map[int64]int{}, batch: 500}
}

// Wait blocks until every background commit has finished; the server calls it before closing the
// database, tests before asserting.
func (l *Ledger) Wait() { l.wg.Wait() }

// community returns the community region an import goes to, checking permission and scope.
func (l *Ledger) community(ctx context.Context, p *auth.Principal, id int64) (*register.Region, error) {
	if err := p.Require(auth.RegisterImport); err != nil {
		return nil, err
	}
	r, err := l.reg.Region(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if r.Level != register.LevelCommunity {
		return nil, errs.Field("community", "请选择要导入的社区")
	}
	return r, nil
}

// Communities lists the communities the principal may import into.
func (l *Ledger) Communities(ctx context.Context, p *auth.Principal) ([]register.Region, error) {
	if err := p.Require(auth.RegisterImport); err != nil {
		return nil, err
	}
	return l.reg.Communities(ctx, p)
}

// Upload checks a ledger file for a community: it finds the header, suggests the column mapping,
// validates every row against the register and keeps the file (encrypted) for the commit.
func (l *Ledger) Upload(ctx context.Context, communityID int64, fileName string, data []byte) (*Import, error) {
	p := auth.FromContext(ctx)
	c, err := l.community(ctx, p, communityID)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxLedgerBytes {
		return nil, ledgerErr("文件超过 %d MB，请拆分后分批导入", MaxLedgerBytes>>20)
	}
	m, err := sniffLedger(fileName, data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	im := &Import{CommunityID: c.ID, CommunityName: c.Name, Kind: "residents", FileName: fileName,
		Status: ImportValidated, Mapping: m, sha256: hex.EncodeToString(sum[:]), CreatedBy: p.Username}
	rows, err := l.check(ctx, im, data)
	if err != nil {
		return nil, err
	}
	sealed := l.sealer.Seal(string(data))
	var createdBy any // the command line acts without an account
	if p.UserID != 0 {
		createdBy = p.UserID
	}
	err = l.db.InTx(ctx, func(tx *db.Tx) error {
		im.CreatedAt = time.Now().UTC()
		mapping, report, err := im.encode()
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO imports (region_id, kind, file_name, file_sha256, status, mapping,
			total_rows, valid_rows, error_rows, report, content_enc, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			im.CommunityID, im.Kind, im.FileName, im.sha256, im.Status, mapping, im.TotalRows, im.ValidRows,
			im.ErrorRows, report, sealed, createdBy, im.CreatedAt).Scan(&im.ID)
		if err != nil {
			return fmt.Errorf("insert import: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "import.upload", ObjectType: "import", ObjectID: im.ID,
			RegionID: im.CommunityID, Detail: "上传人口台账 " + im.FileName, After: im.summary()})
	})
	if err != nil {
		return nil, err
	}
	l.keepParsed(im, rows)
	im.PreviousImport = l.previous(ctx, im)
	return im, nil
}

// Remap changes the column mapping of an import that is not committed yet and checks the file again.
func (l *Ledger) Remap(ctx context.Context, id int64, columns []string) (*Import, error) {
	p := auth.FromContext(ctx)
	im, data, err := l.load(ctx, p, id, true)
	if err != nil {
		return nil, err
	}
	if im.Status != ImportValidated && im.Status != ImportFailed {
		return nil, errs.E(errs.Conflict, "该台账%s，不能再修改列对应关系", im.Status.Label())
	}
	if len(columns) != len(im.Mapping.Headers) {
		return nil, ledgerErr("列对应关系应有 %d 列", len(im.Mapping.Headers))
	}
	im.Mapping.Columns = columns
	rows, err := l.check(ctx, im, data)
	if err != nil {
		return nil, err
	}
	im.Status = ImportValidated
	err = l.db.InTx(ctx, func(tx *db.Tx) error {
		mapping, report, err := im.encode()
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE imports SET mapping = $1, report = $2, total_rows = $3, valid_rows = $4,
			error_rows = $5, status = $6, message = '' WHERE id = $7 AND status IN ('validated', 'failed')`,
			mapping, report, im.TotalRows, im.ValidRows, im.ErrorRows, im.Status, im.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "该台账正在导入或已导入，不能再修改")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "import.mapping", ObjectType: "import", ObjectID: im.ID,
			RegionID: im.CommunityID, Detail: "修改列对应关系", After: im.summary()})
	})
	if err != nil {
		return nil, err
	}
	l.keepParsed(im, rows)
	return im, nil
}

// Get returns an import in the principal's scope, with the progress of a running commit.
func (l *Ledger) Get(ctx context.Context, id int64) (*Import, error) {
	im, _, err := l.load(ctx, auth.FromContext(ctx), id, false)
	return im, err
}

// summary is the audit record of an import: counts only, never a cell of the file.
func (im *Import) summary() map[string]any {
	return map[string]any{"file_name": im.FileName, "status": im.Status, "total_rows": im.TotalRows,
		"valid_rows": im.ValidRows, "error_rows": im.ErrorRows, "created_rows": im.CreatedRows,
		"updated_rows": im.UpdatedRows, "to_create": im.Check.ToCreate, "to_update": im.Check.ToUpdate,
		"unchanged": im.Check.Unchanged, "new_households": im.Check.NewHouseholds}
}

func (im *Import) encode() (mapping, report string, err error) {
	mb, err := json.Marshal(im.Mapping)
	if err != nil {
		return "", "", err
	}
	rb, err := json.Marshal(im.Check)
	return string(mb), string(rb), err
}

const importColumns = `i.id, i.region_id, g.name, i.kind, i.file_name, i.file_sha256, i.status, i.mapping, i.total_rows,
	i.valid_rows, i.error_rows, i.done_rows, i.created_rows, i.updated_rows, i.message, COALESCE(u.username, ''),
	i.created_at, i.finished_at`

func scanImport(row interface{ Scan(...any) error }, extra ...any) (*Import, error) {
	im := &Import{}
	var mapping string
	dest := append([]any{&im.ID, &im.CommunityID, &im.CommunityName, &im.Kind, &im.FileName, &im.sha256, &im.Status,
		&mapping, &im.TotalRows, &im.ValidRows, &im.ErrorRows, &im.DoneRows, &im.CreatedRows, &im.UpdatedRows,
		&im.Message, &im.CreatedBy, &im.CreatedAt, &im.FinishedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(mapping), &im.Mapping); err != nil {
		return nil, fmt.Errorf("import %d mapping: %w", im.ID, err)
	}
	return im, nil
}

// load reads an import in the principal's scope, with its check and, when withData, its file.
func (l *Ledger) load(ctx context.Context, p *auth.Principal, id int64, withData bool) (*Import, []byte, error) {
	if err := p.Require(auth.RegisterImport); err != nil {
		return nil, nil, err
	}
	var report string
	var sealed []byte
	content := "NULL"
	if withData {
		content = "i.content_enc"
	}
	im, err := scanImport(l.db.R.QueryRowContext(ctx, `SELECT `+importColumns+`, i.report, `+content+`
		FROM imports i JOIN regions g ON g.id = i.region_id LEFT JOIN users u ON u.id = i.created_by
		WHERE i.id = $1 AND g.path LIKE $2`, id, p.Scope()), &report, &sealed)
	if err != nil {
		return nil, nil, db.NotFound(err, "台账导入记录不存在")
	}
	if report != "" {
		if err := json.Unmarshal([]byte(report), &im.Check); err != nil {
			return nil, nil, fmt.Errorf("import %d report: %w", id, err)
		}
	}
	l.overlay(im)
	var data []byte
	if withData {
		plain, err := l.sealer.Open(sealed)
		if err != nil {
			return nil, nil, fmt.Errorf("import %d file: %w", id, err)
		}
		data = []byte(plain)
	}
	im.PreviousImport = l.previous(ctx, im)
	return im, data, nil
}

// overlay shows a running commit's progress, and a commit that stopped with the process (the
// write transaction rolled back, so nothing was written) as failed.
func (l *Ledger) overlay(im *Import) {
	if im.Status != ImportCommitting {
		return
	}
	l.mu.Lock()
	done, running := l.progress[im.ID]
	l.mu.Unlock()
	if running {
		im.DoneRows = done
		return
	}
	im.Status = ImportFailed
	im.Message = "导入被中断（服务已重启），数据库未作任何更改，请重新提交导入"
}

// previous returns the id of an earlier committed import of the same file into the same community.
func (l *Ledger) previous(ctx context.Context, im *Import) int64 {
	var id int64
	err := l.db.R.QueryRowContext(ctx, `SELECT id FROM imports WHERE region_id = $1 AND file_sha256 = $2
		AND status = 'committed' AND id <> $3 ORDER BY id DESC LIMIT 1`, im.CommunityID, im.sha256, im.ID).Scan(&id)
	if err != nil {
		return 0
	}
	return id
}

// List returns the most recent imports in the principal's scope.
func (l *Ledger) List(ctx context.Context, limit int) ([]Import, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(auth.RegisterImport); err != nil {
		return nil, err
	}
	rows, err := l.db.R.QueryContext(ctx, `SELECT `+importColumns+`
		FROM imports i JOIN regions g ON g.id = i.region_id LEFT JOIN users u ON u.id = i.created_by
		WHERE g.path LIKE $1 ORDER BY i.id DESC LIMIT $2`, p.Scope(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		l.overlay(im)
		out = append(out, *im)
	}
	return out, rows.Err()
}
