package daytona

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
)

// DefaultAPIURL is where `npm start` serves the API.
const DefaultAPIURL = "http://127.0.0.1:3000/api"

const (
	defaultRequestTimeout = 60 * time.Second
	envFileName           = ".env.local"
)

// config is the client's settings once resolved.
type config struct {
	apiKey         string
	apiURL         string
	requestTimeout time.Duration
	maxRetries     int
}

// resolveConfig takes each setting from the first of: the options, the environment, the first
// .env.local found from cwd upwards (read only when something is still missing; never changes
// the process environment).
func resolveConfig(o options.Client, getenv func(string) string, cwd string) (config, error) {
	apiKey := firstNonEmpty(o.APIKey, getenv("DAYTONA_API_KEY"))
	apiURL := firstNonEmpty(o.APIURL, getenv("DAYTONA_API_URL"))
	if apiKey == "" || apiURL == "" {
		fromFile, err := readEnvFileUpwards(cwd)
		if err != nil {
			return config{}, err
		}
		apiKey = firstNonEmpty(apiKey, fromFile["DAYTONA_API_KEY"])
		apiURL = firstNonEmpty(apiURL, fromFile["DAYTONA_API_URL"])
	}
	if apiKey == "" {
		return config{}, &Error{Message: "no Daytona API key. Run `npm start` in the Daytona repository (it prints a key " +
			"and writes it to .env.local), then run from that directory; or set DAYTONA_API_KEY; or pass options.WithAPIKey"}
	}
	apiURL = strings.TrimRight(firstNonEmpty(apiURL, DefaultAPIURL), "/")
	if parsed, err := url.Parse(apiURL); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return config{}, &Error{Message: fmt.Sprintf("the Daytona API URL must be an http(s) URL, got %q", apiURL)}
	}
	timeout := o.RequestTimeout
	if timeout == 0 {
		timeout = defaultRequestTimeout
	}
	if timeout < 0 {
		return config{}, &Error{Message: fmt.Sprintf("the request timeout must be positive, got %s", timeout)}
	}
	maxRetries := DefaultMaxRetries
	if o.MaxRetries != nil {
		maxRetries = *o.MaxRetries
	}
	if maxRetries < 0 {
		return config{}, &Error{Message: fmt.Sprintf("max retries must be 0 or more, got %d", maxRetries)}
	}
	return config{apiKey: apiKey, apiURL: apiURL, requestTimeout: timeout, maxRetries: maxRetries}, nil
}

func firstNonEmpty(values ...string) string {
	for _, value := range values {
		if trimmed := strings.TrimSpace(value); trimmed != "" {
			return trimmed
		}
	}
	return ""
}

func readEnvFileUpwards(dir string) (map[string]string, error) {
	if dir == "" {
		return nil, nil
	}
	for {
		text, err := os.ReadFile(filepath.Join(dir, envFileName))
		if err == nil {
			return parseEnvFile(text), nil
		}
		if !os.IsNotExist(err) {
			return nil, &Error{Message: fmt.Sprintf("reading %s: %v", filepath.Join(dir, envFileName), err), cause: err}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, nil
		}
		dir = parent
	}
}

var envLine = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$`)
var quotedValue = regexp.MustCompile(`^(['"])(.*)(['"])$`)
var trailingComment = regexp.MustCompile(`\s+#.*$`)

// parseEnvFile reads KEY=value lines; # comments, `export ` prefixes and quotes are allowed.
func parseEnvFile(text []byte) map[string]string {
	values := map[string]string{}
	scanner := bufio.NewScanner(bytes.NewReader(text))
	for scanner.Scan() {
		match := envLine.FindStringSubmatch(scanner.Text())
		if match == nil {
			continue
		}
		key, raw := match[1], match[2]
		if quoted := quotedValue.FindStringSubmatch(raw); quoted != nil && quoted[1] == quoted[3] {
			values[key] = quoted[2]
		} else {
			values[key] = trailingComment.ReplaceAllString(raw, "")
		}
	}
	return values
}
