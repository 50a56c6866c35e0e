package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"linli/internal/app"
	"linli/internal/auth"
	"linli/internal/db"
	linlidemo "linli/internal/demo"
	"linli/internal/gen"
	"linli/internal/pii"
)

// genCity writes a synthetic city into an empty database (linli gen --residents 1000000 --years 5).
func genCity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gen", stderr)
	var c common
	c.register(fs)
	residents := fs.Int("residents", 1_000_000, "居民人数（约数，每个社区约3000人）")
	years := fs.Int("years", 5, "诉求与走访的年数")
	seed := fs.Uint64("seed", 1, "随机种子：相同参数生成相同数据")
	until := fs.String("until", "", "历史截止日期 YYYY-MM-DD（默认今天，UTC）")
	params := fs.Int("sqlite-params", 300, "SQLite 每条 INSERT 的参数个数")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opt := gen.Options{Residents: *residents, Years: *years, Seed: *seed, Progress: stderr, SQLiteParams: *params}
	if *until != "" {
		t, err := time.Parse("2006-01-02", *until)
		if err != nil {
			return fmt.Errorf("--until 应为 YYYY-MM-DD：%w", err)
		}
		opt.Until = t
	}
	d, err := db.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	cfg := c.config(nil)
	cfg.Demo = true // like the demo, create a key file next to the database when there is none
	key, err := app.LoadKey(cfg)
	if err != nil {
		return err
	}
	sealer, err := pii.NewSealer(key)
	if err != nil {
		return err
	}
	password := os.Getenv("LINLI_DEMO_PASSWORD")
	if password == "" {
		password = linlidemo.RandomPassword()
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	opt.PasswordHash = hash
	res, err := gen.Run(ctx, d, sealer, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "模拟城市已写入：%d 个社区，居民 %d 人，诉求 %d 件，用时 %s\n", res.Communities, res.Rows["residents"],
		res.Rows["cases"], res.Took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "账号：d+区代码、s+街道代码、c+社区代码、g+网格代码（如 c620701001001），密码：%s\n", password)
	return nil
}
