// Command linli runs Linli, the grassroots governance platform: `linli serve` (the default) serves
// it; migrate, demo, user add and version are the maintenance commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"linli/internal/app"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "linli:", err)
		}
		os.Exit(1)
	}
}

const usage = `用法: linli <命令> [参数]

命令:
  serve      启动服务（默认）
  migrate    升级数据库结构
  demo       向空数据库写入南关社区演示数据
  gen        向空数据库写入模拟城市（性能测试用）：linli gen --residents 1000000 --years 5
  user add   创建账号（例如部署后的第一个管理员）
  import     导入台账：linli import residents 台账.xlsx --community 区划代码
  export     导出台账：linli export residents --community 区划代码 -o 台账.xlsx
  backup     备份数据库快照与数据目录（照片、上传文件）：linli backup -o 备份.tar.gz
  restore    恢复到空的位置：linli restore --db sqlite:新文件 --data 新目录 备份.tar.gz
  version    显示版本

运行 linli <命令> -h 查看各命令的参数。`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, stdout, stderr)
	case "demo":
		return demo(ctx, args, stdout, stderr)
	case "gen":
		return genCity(ctx, args, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return errors.New("用法: linli user add --username 名称 --name 姓名 --role 角色 --region 区划代码")
		}
		return userAdd(ctx, args[1:], stdout, stderr)
	case "import":
		return importLedger(ctx, args, stdout, stderr)
	case "export":
		return exportLedger(ctx, args, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "linli", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("未知命令 %q\n\n%s", cmd, usage)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// envBool reads a yes/no environment variable: 1, true, yes or on is yes.
func envBool(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// common are the flags every database command takes.
type common struct {
	db, dataDir, keyFile string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", env("LINLI_DB", "sqlite:data/linli.db"), "数据库：sqlite:文件路径 或 postgres://…（环境变量 LINLI_DB）")
	fs.StringVar(&c.dataDir, "data", env("LINLI_DATA", ""), "数据目录（上传文件、演示密钥），默认为 SQLite 文件所在目录或 data")
	fs.StringVar(&c.keyFile, "key-file", env("LINLI_KEY_FILE", ""), "个人信息加密密钥文件（或设置 LINLI_SECRET_KEY）")
}

func (c *common) config(log *slog.Logger) app.Config {
	dataDir := c.dataDir
	if dataDir == "" {
		dataDir = "data"
		if p, ok := strings.CutPrefix(c.db, "sqlite:"); ok {
			dataDir = filepath.Dir(p)
		}
	}
	return app.Config{DB: c.db, DataDir: dataDir, KeyFile: c.keyFile, SecretKey: os.Getenv("LINLI_SECRET_KEY"), Log: log}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("linli "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var c common
	c.register(fs)
	addr := fs.String("addr", env("LINLI_ADDR", "127.0.0.1:8080"), "监听地址（环境变量 LINLI_ADDR）")
	dbRead := fs.String("db-read", env("LINLI_DB_READ", ""), "PostgreSQL 只读副本（可选）")
	demoMode := fs.Bool("demo", false, "演示模式：空数据库时写入南关社区演示数据并创建演示账号")
	idle := fs.Duration("session-idle", 30*time.Minute, "会话空闲超时")
	maxAge := fs.Duration("session-max", 12*time.Hour, "会话绝对时长")
	tokenIdle := fs.Duration("token-idle", 2*time.Hour, "接口访问令牌空闲超时：超过此时长未使用即失效（令牌最长也不超过 --session-max）")
	proxies := fs.String("trusted-proxies", env("LINLI_TRUSTED_PROXIES", ""), "可信反向代理地址段，逗号分隔（如 127.0.0.1/32,10.0.0.0/8）；仅信任其 X-Forwarded-For")
	tiles := fs.String("tiles", env("LINLI_TILE_URL", ""), "地图瓦片地址模板（可选），如 https://{s}.example.com/{z}/{x}/{y}.png")
	maxExtension := fs.Int("case-max-extension-days", 30, "诉求延期最多可增加的工作日数")
	metricsToken := fs.String("metrics-token", env("LINLI_METRICS_TOKEN", ""), "允许其他机器凭此令牌读取 /metrics（环境变量 LINLI_METRICS_TOKEN）；不设置时仅本机直连可读")
	cookieSecure := fs.Bool("cookie-secure", envBool("LINLI_COOKIE_SECURE"), "浏览器只经 HTTPS 访问（TLS 反向代理之后）：Cookie 标记 Secure 并发送 HSTS（环境变量 LINLI_COOKIE_SECURE=1）；可信代理发来 X-Forwarded-Proto: https 时自动如此")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit on Go's own memory: the collector works harder near it, so the server stays
		// within its 200 MB budget under load (docs/performance.md). GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(128 << 20)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := c.config(log)
	cfg.Addr, cfg.DBRead, cfg.Demo, cfg.TileURL = *addr, *dbRead, *demoMode, *tiles
	var err error
	if cfg.TrustedProxies, err = parsePrefixes(*proxies); err != nil {
		return err
	}
	cfg.MetricsToken = *metricsToken
	cfg.CaseMaxExtensionDays = *maxExtension
	cfg.CookieSecure = *cookieSecure
	cfg.DemoPass = os.Getenv("LINLI_DEMO_PASSWORD")
	cfg.Auth = auth.Config{IdleTimeout: *idle, MaxAge: *maxAge, TokenIdle: *tokenIdle}
	start := time.Now()
	m, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	if a := os.Getenv("LINLI_PPROF"); a != "" {
		if err := servePprof(a, log); err != nil {
			return err
		}
	}
	if len(m.DemoAccounts) > 0 {
		printDemo(stdout, m)
	}
	log.Info("linli serving", "addr", "http://"+cfg.Addr, "db", db.Redact(cfg.DB), "version", version, "startup", time.Since(start).Round(time.Millisecond))
	return m.Run(ctx)
}

// parsePrefixes reads a comma-separated list of addresses or CIDR ranges.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			addr, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q 不是有效的地址", part)
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q 不是有效的地址段", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func printDemo(w io.Writer, m *app.Main) {
	fmt.Fprintln(w, "================ 演示模式 — 仅供演示，切勿用于真实数据 ================")
	if m.Config.Addr != "" {
		fmt.Fprintf(w, "打开 http://%s ，", m.Config.Addr)
	}
	fmt.Fprintf(w, "用以下任一账号登录，密码：%s\n", m.DemoPassword)
	fmt.Fprintln(w, "  "+strings.Join(m.DemoAccounts, "  "))
	fmt.Fprintln(w, "=====================================================================")
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := db.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _ := d.SchemaVersion(ctx)
	fmt.Fprintf(stdout, "已应用 %d 个迁移，当前数据库结构版本 %d\n", n, v)
	// As linli serve does at start: a database upgraded from before the case tally builds it once.
	built, err := cases.EnsureTallies(ctx, d)
	if err != nil {
		return err
	}
	if built {
		fmt.Fprintln(stdout, "已建立诉求统计汇总（case_tallies）")
	}
	return nil
}

func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := c.config(slog.New(slog.NewTextHandler(stderr, nil)))
	cfg.Demo = true
	cfg.DemoPass = os.Getenv("LINLI_DEMO_PASSWORD")
	start := time.Now()
	m, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	switch {
	case m.DemoSeeded:
		fmt.Fprintf(stdout, "南关社区演示数据已写入（用时 %s）\n", time.Since(start).Round(time.Millisecond))
	case len(m.DemoAccounts) > 0:
		fmt.Fprintln(stdout, "数据库中已有演示数据，未重复写入；演示账号密码已重置")
	default:
		fmt.Fprintln(stdout, "数据库已有数据（非演示数据），未写入演示数据")
		return nil
	}
	printDemo(stdout, m)
	return nil
}
