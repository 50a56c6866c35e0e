package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

// userAddInput is what `linli user add` was asked to create.
type userAddInput struct {
	username, name, role, region string
	regionName, regionLevel      string
	parent, org                  string
	mustChange                   bool
}

// userAdd creates an account on the command line, typically the first administrator of a real
// deployment. The password comes from LINLI_USER_PASSWORD or is typed at the terminal without
// echo; it is never printed.
func userAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user add", stderr)
	var c common
	c.register(fs)
	var in userAddInput
	fs.StringVar(&in.username, "username", "", "用户名（3–32位字母、数字、点、下划线或连字符）")
	fs.StringVar(&in.name, "name", "", "姓名")
	fs.StringVar(&in.role, "role", "", "角色代码，如 district_admin、community_admin、security_admin、auditor")
	fs.StringVar(&in.region, "region", "", "所属区划代码，如 620702")
	fs.StringVar(&in.regionName, "region-name", "", "区划不存在时新建，其名称，如 甘州区")
	fs.StringVar(&in.regionLevel, "region-level", "", "新建区划的级别：district、street 或 community")
	fs.StringVar(&in.parent, "parent", "", "新建区划的上级区划代码（可选）")
	fs.StringVar(&in.org, "org", "", "所属单位（共建单位联络人、职能部门账号）")
	fs.BoolVar(&in.mustChange, "must-change", false, "要求首次登录时修改密码")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	password, err := readPassword(stderr, in.username)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "cli"})
	svc := auth.NewService(d, auth.Config{})
	var region *register.Region
	var created bool
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if region, created, err = in.findOrCreateRegion(ctx, tx); err != nil {
			return err
		}
		_, err = svc.CreateUser(ctx, tx, auth.NewUser{Username: in.username, Name: in.name, Password: password,
			Role: auth.Role(in.role), RegionID: region.ID, OrgName: in.org, MustChange: in.mustChange})
		return err
	})
	if err != nil {
		return describe(err)
	}
	if created {
		fmt.Fprintf(stdout, "已新建区划：%s（%s，代码 %s）\n", region.Name, region.Level.Label(), region.Code)
	}
	fmt.Fprintf(stdout, "已创建账号 %s（%s，%s，%s）\n", in.username, in.name, auth.Role(in.role).Label(), region.Name)
	return nil
}

func (in *userAddInput) validate() error {
	var problems []string
	if in.username == "" || in.name == "" || in.role == "" || in.region == "" {
		problems = append(problems, "必须提供 --username、--name、--role 和 --region")
	}
	if in.username != "" {
		if err := auth.ValidateUsername(in.username); err != nil {
			problems = append(problems, errs.MessageOf(err))
		}
	}
	if in.role != "" && !auth.Role(in.role).Valid() {
		var codes []string
		for _, r := range auth.Roles {
			codes = append(codes, string(r)+"（"+r.Label()+"）")
		}
		problems = append(problems, fmt.Sprintf("未知角色 %q，可用角色：%s", in.role, strings.Join(codes, "、")))
	}
	switch in.regionLevel {
	case "", "district", "street", "community":
	default:
		problems = append(problems, "--region-level 只能是 district、street 或 community")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "；"))
	}
	return nil
}

// findOrCreateRegion returns the region with the given code, creating it (under --parent) when
// it does not exist and --region-name says what it is called.
func (in *userAddInput) findOrCreateRegion(ctx context.Context, tx *db.Tx) (*register.Region, bool, error) {
	if r, err := regionByCode(ctx, tx, in.region); err == nil {
		return r, false, nil
	} else if !errs.Is(err, errs.NotFound) {
		return nil, false, err
	}
	if in.regionName == "" || in.regionLevel == "" {
		return nil, false, fmt.Errorf("区划代码 %s 不存在；如需新建，请同时提供 --region-name 和 --region-level（以及上级 --parent）", in.region)
	}
	var parentID int64
	if in.parent != "" {
		parent, err := regionByCode(ctx, tx, in.parent)
		if err != nil {
			return nil, false, fmt.Errorf("上级区划代码 %s 不存在", in.parent)
		}
		parentID = parent.ID
	}
	r, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: parentID, Level: register.Level(in.regionLevel),
		Code: in.region, Name: in.regionName})
	return r, err == nil, err
}

func regionByCode(ctx context.Context, tx *db.Tx, code string) (*register.Region, error) {
	r := &register.Region{}
	err := tx.QueryRowContext(ctx, `SELECT id, level, code, name FROM regions WHERE code = $1`, code).
		Scan(&r.ID, &r.Level, &r.Code, &r.Name)
	if err != nil {
		return nil, db.NotFound(err, "区划不存在")
	}
	return r, nil
}

// readPassword takes the password from LINLI_USER_PASSWORD, or asks for it twice at the terminal
// without echo, and checks it against the password rules.
func readPassword(prompt io.Writer, username string) (string, error) {
	password, fromEnv := os.LookupEnv("LINLI_USER_PASSWORD")
	if !fromEnv {
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return "", errors.New("请在终端中运行以输入密码，或通过环境变量 LINLI_USER_PASSWORD 提供密码")
		}
		var err error
		if password, err = askPassword(prompt, fd, "请输入密码："); err != nil {
			return "", err
		}
		again, err := askPassword(prompt, fd, "请再次输入密码：")
		if err != nil {
			return "", err
		}
		if again != password {
			return "", errors.New("两次输入的密码不一致")
		}
	}
	if err := auth.ValidatePassword(password, username); err != nil {
		return "", errors.New(errs.MessageOf(err))
	}
	return password, nil
}

func askPassword(prompt io.Writer, fd int, label string) (string, error) {
	fmt.Fprint(prompt, label)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("读取密码: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// describe turns a domain error into a plain sentence for the console, field messages included.
func describe(err error) error {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		if errs.CodeOf(err) == errs.Internal {
			return err
		}
		return errors.New(errs.MessageOf(err))
	}
	var msgs []string
	for _, m := range fields {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "；"))
}
