package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/jobs"
)

// WebhookConfig says where notifications are POSTed for an SMS or WeChat gateway.
type WebhookConfig struct {
	URL     string        // http(s) endpoint; empty turns the webhook off
	Secret  string        // when set, each request carries X-Linli-Signature (HMAC-SHA256)
	Timeout time.Duration // per request (default 10 s)
	BaseURL string        // public address of Linli, to turn links into full URLs; optional
}

// WebhookFromEnv reads LINLI_WEBHOOK_URL, LINLI_WEBHOOK_SECRET and LINLI_BASE_URL.
func WebhookFromEnv() WebhookConfig {
	return WebhookConfig{URL: os.Getenv("LINLI_WEBHOOK_URL"), Secret: os.Getenv("LINLI_WEBHOOK_SECRET"),
		BaseURL: os.Getenv("LINLI_BASE_URL")}
}

// Validate checks that the URL, when set, is an absolute http or https URL.
func (c WebhookConfig) Validate() error {
	if c.URL == "" {
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("LINLI_WEBHOOK_URL 应为 http:// 或 https:// 开头的完整地址")
	}
	return nil
}

// Configure records in the database whether a webhook is configured, so that Notify enqueues
// deliveries exactly when there is somewhere to deliver them. app calls it at start.
func Configure(ctx context.Context, d *db.DB, c WebhookConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	value := "off"
	if c.URL != "" {
		value = "on"
	}
	_, err := d.W.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		webhookKey, value, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("notify: configure webhook: %w", err)
	}
	return nil
}

// Webhook delivers notifications to the configured URL; its Handle is the WebhookJob handler.
type Webhook struct {
	cfg    WebhookConfig
	d      *db.DB
	client *http.Client
}

// NewWebhook returns the webhook deliverer for cfg over d.
func NewWebhook(d *db.DB, cfg WebhookConfig) *Webhook {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Webhook{cfg: cfg, d: d, client: &http.Client{Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Register adds the webhook job's handler to a runner.
func (w *Webhook) Register(r *jobs.Runner) { r.Register(WebhookJob, w.Handle) }

// Message is the JSON body POSTed to the webhook. It names the recipient by account, never by ID or
// phone number: the gateway keeps its own address book.
type Message struct {
	Event        string           `json:"event"` // "notification"
	Delivery     int64            `json:"delivery"`
	Notification MessageBody      `json:"notification"`
	Recipient    MessageRecipient `json:"recipient"`
}

// MessageBody is the notification inside a Message.
type MessageBody struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	URL       string    `json:"url,omitempty"`
	RegionID  int64     `json:"region_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MessageRecipient is the user a Message is for.
type MessageRecipient struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// Handle POSTs the job's notification. A 2xx answer is delivered; a network error, 408, 429 or
// 5xx is retried by the runner with backoff; any other answer fails the job at once.
func (w *Webhook) Handle(ctx context.Context, job *jobs.Job) error {
	if w.cfg.URL == "" {
		return jobs.Permanent(errors.New("未配置通知推送地址（LINLI_WEBHOOK_URL）"))
	}
	var p webhookPayload
	if err := job.Decode(&p); err != nil {
		return err
	}
	msg, err := w.message(ctx, p.NotificationID)
	if err != nil {
		return err
	}
	if msg == nil {
		return nil // the notification or its user is gone: nothing to deliver
	}
	msg.Delivery = job.ID
	body, err := json.Marshal(msg)
	if err != nil {
		return jobs.Permanent(err)
	}
	return w.post(ctx, msg.Event, strconv.FormatInt(job.ID, 10), body)
}

// post sends one signed JSON body. A 2xx answer is delivered; a network error, 408, 429 or 5xx is
// an error to retry; any other answer is permanent.
func (w *Webhook) post(ctx context.Context, event, delivery string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Linli-Webhook/1")
	req.Header.Set("X-Linli-Event", event)
	req.Header.Set("X-Linli-Delivery", delivery)
	req.Header.Set("X-Linli-Timestamp", ts)
	if w.cfg.Secret != "" {
		req.Header.Set("X-Linli-Signature", Sign(w.cfg.Secret, ts, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", redactURL(err, w.cfg.URL))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	default:
		return jobs.Permanent(fmt.Errorf("webhook answered %d", resp.StatusCode))
	}
}

// TextMessage is the JSON body of a text the gateway sends to a phone number as it is (a
// resident's verification code): {"event": "sms", "phone": …, "text": …}.
type TextMessage struct {
	Event string `json:"event"`
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// SendText POSTs a text for one phone number to the gateway, signed like the notifications, at
// once (a verification code is useless later).
func (w *Webhook) SendText(ctx context.Context, phone, text string) error {
	if w.cfg.URL == "" {
		return errors.New("未配置短信推送地址（LINLI_WEBHOOK_URL）")
	}
	body, err := json.Marshal(TextMessage{Event: "sms", Phone: phone, Text: text})
	if err != nil {
		return err
	}
	return w.post(ctx, "sms", "sms-"+strconv.FormatInt(time.Now().UnixNano(), 36), body)
}

// Sign returns the X-Linli-Signature value for a request body sent at timestamp (Unix seconds):
// "sha256=" and the hex HMAC-SHA256 of timestamp + "." + body under the secret. Receivers
// recompute it and reject old timestamps.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (w *Webhook) message(ctx context.Context, id int64) (*Message, error) {
	var m Message
	var region *int64
	err := w.d.R.QueryRowContext(ctx, `SELECT n.id, n.kind, n.title, n.body, n.link, n.region_id, n.created_at,
			u.id, u.username, u.name, u.role
		FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = $1`, id).Scan(
		&m.Notification.ID, &m.Notification.Kind, &m.Notification.Title, &m.Notification.Body, &m.Notification.Link,
		&region, &m.Notification.CreatedAt, &m.Recipient.UserID, &m.Recipient.Username, &m.Recipient.Name, &m.Recipient.Role)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("webhook: load notification %d: %w", id, err)
	}
	if region != nil {
		m.Notification.RegionID = *region
	}
	m.Event = "notification"
	if m.Notification.Link != "" && w.cfg.BaseURL != "" {
		m.Notification.URL = strings.TrimRight(w.cfg.BaseURL, "/") + m.Notification.Link
	}
	return &m, nil
}

// redactURL keeps a secret token that may sit in the webhook URL's query out of logs and job rows.
func redactURL(err error, raw string) error {
	u, perr := url.Parse(raw)
	if perr != nil || (u.RawQuery == "" && u.User == nil) {
		return err
	}
	safe := u.Scheme + "://" + u.Host + u.Path
	return errors.New(strings.ReplaceAll(err.Error(), raw, safe))
}
