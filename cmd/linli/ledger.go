package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"linli/internal/app"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/ledger"
	"linli/internal/register"
)

// parseInterspersed parses flags that may come before, between or after the positional arguments
// (linli import residents 台账.xlsx --community 620702001001) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// ledgerSession opens Linli and acts as the operator on the command line, with the powers of a
// community admin of the given community; everything it writes is audited as 命令行.
func ledgerSession(ctx context.Context, c common, code string, stderr io.Writer) (*app.Main, *ledger.Ledger, context.Context, *register.Region, error) {
	if code == "" {
		return nil, nil, nil, nil, errors.New("请用 --community 指定社区的区划代码，如 --community 620702001001")
	}
	m, err := app.New(ctx, c.config(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	svc := register.NewService(m.DB, m.Sealer)
	community, err := svc.RegionByCode(ctx, code)
	if err != nil {
		m.Close()
		return nil, nil, nil, nil, err
	}
	if community.Level != register.LevelCommunity {
		m.Close()
		return nil, nil, nil, nil, fmt.Errorf("区划 %s（%s）不是社区", code, community.Name)
	}
	p := &auth.Principal{Username: "命令行", Name: "命令行", Role: auth.CommunityAdmin, RegionID: community.ID,
		RegionPath: community.Path, RegionName: community.Name, RegionLevel: string(community.Level)}
	actx := audit.WithActor(auth.WithPrincipal(ctx, p), audit.Actor{Username: "命令行", IP: "local"})
	return m, ledger.New(m.DB, m.Sealer, svc, m.Log), actx, community, nil
}

// cliErr shows a domain error by its Chinese message alone, without its code.
func cliErr(err *error) {
	if *err != nil && errs.CodeOf(*err) != errs.Internal {
		*err = errors.New(errs.MessageOf(*err))
	}
}

func importLedger(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer cliErr(&err)
	fs := newFlags("import", stderr)
	var c common
	c.register(fs)
	code := fs.String("community", "", "导入到的社区区划代码（必填）")
	dryRun := fs.Bool("dry-run", false, "只校验，不写入")
	report := fs.String("errors", "", "把错误报告写入此 .xlsx 文件")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "residents" {
		return errors.New("用法: linli import residents 台账文件(.xlsx 或 .csv) --community 区划代码 [--dry-run] [--errors 错误报告.xlsx]")
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		return fmt.Errorf("读取 %s: %w", pos[1], err)
	}
	m, lg, actx, community, err := ledgerSession(ctx, c, *code, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	im, err := lg.Upload(actx, community.ID, filepath.Base(pos[1]), data)
	if err != nil {
		return err
	}
	ck := im.Check
	fmt.Fprintf(stdout, "%s → %s：共 %d 行，有效 %d 行，有错误 %d 行（新增 %d 人，更新 %d 人，无变化 %d 人，新建 %d 户）\n",
		im.FileName, community.Name, im.TotalRows, im.ValidRows, im.ErrorRows, ck.ToCreate, ck.ToUpdate, ck.Unchanged, ck.NewHouseholds)
	if ck.Problem != "" {
		return errors.New(ck.Problem)
	}
	for i, e := range ck.Errors {
		if i == 20 {
			fmt.Fprintf(stdout, "  ……共 %d 处错误\n", ck.ErrorCount)
			break
		}
		fmt.Fprintf(stdout, "  第%d行 %s：%s\n", e.Row, e.Column, e.Message)
	}
	if *report != "" && im.ErrorRows > 0 {
		if err := writeFile(*report, func(w io.Writer) error { _, err := lg.ErrorReport(actx, im.ID, w); return err }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "错误报告已写入 %s\n", *report)
	}
	if *dryRun || im.ValidRows == 0 {
		return nil
	}
	done, err := lg.CommitAndWait(actx, im.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "导入完成：新增 %d 人，更新 %d 人\n", done.CreatedRows, done.UpdatedRows)
	return nil
}

func exportLedger(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer cliErr(&err)
	fs := newFlags("export", stderr)
	var c common
	c.register(fs)
	code := fs.String("community", "", "社区区划代码（必填）")
	out := fs.String("o", "", "输出的 .xlsx 文件（必填）")
	unmask := fs.Bool("unmask", false, "导出完整身份证号和电话（须同时填写 --reason，记入审计）")
	reason := fs.String("reason", "", "导出完整号码的用途")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return errors.New("用法: linli export residents|households|buildings --community 区划代码 -o 文件.xlsx")
	}
	m, lg, actx, community, err := ledgerSession(ctx, c, *code, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	var n int
	err = writeFile(*out, func(w io.Writer) error {
		var err error
		switch pos[0] {
		case "residents":
			n, err = lg.ExportResidents(actx, ledger.ExportRequest{Unmask: *unmask, Reason: *reason}, w)
		case "households":
			n, err = lg.ExportHouseholds(actx, 0, w)
		case "buildings":
			n, err = lg.ExportBuildings(actx, 0, w)
		default:
			err = fmt.Errorf("未知台账 %q：可导出 residents、households、buildings", pos[0])
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导出%s %d 条到 %s\n", community.Name, n, *out)
	return nil
}

// writeFile writes through fn into a temporary file renamed into place, so a failure leaves no
// half-written workbook behind.
func writeFile(path string, fn func(io.Writer) error) error {
	if !strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		return fmt.Errorf("输出文件 %s 应以 .xlsx 结尾", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".linli-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
