package daytona

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
)

func envOf(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

func writeEnvFile(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, ".env.local"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestConfigOptionsWinOverEnvironmentAndEnvFile(t *testing.T) {
	dir := t.TempDir()
	writeEnvFile(t, dir, "DAYTONA_API_KEY=from-file\nDAYTONA_API_URL=http://file:1/api\n")
	env := envOf(map[string]string{"DAYTONA_API_KEY": "from-env", "DAYTONA_API_URL": "http://env:2/api"})

	cfg, err := resolveConfig(options.Client{APIKey: "from-options", APIURL: "http://options:3/api/"}, env, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.apiKey != "from-options" || cfg.apiURL != "http://options:3/api" {
		t.Errorf("got key %q url %q, want the options' (trailing slash dropped)", cfg.apiKey, cfg.apiURL)
	}

	cfg, err = resolveConfig(options.Client{}, env, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.apiKey != "from-env" || cfg.apiURL != "http://env:2/api" {
		t.Errorf("got key %q url %q, want the environment's", cfg.apiKey, cfg.apiURL)
	}
}

func TestConfigReadsEnvFileFromAParentPerSetting(t *testing.T) {
	root := t.TempDir()
	writeEnvFile(t, root, "# written by npm start\nexport DAYTONA_API_KEY=\"from-file\"\nDAYTONA_API_URL=http://file:1/api # local\n")
	nested := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}

	cfg, err := resolveConfig(options.Client{}, envOf(map[string]string{"DAYTONA_API_URL": "http://env:2/api"}), nested)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.apiKey != "from-file" || cfg.apiURL != "http://env:2/api" {
		t.Errorf("got key %q url %q, want the file's key and the environment's URL", cfg.apiKey, cfg.apiURL)
	}

	cfg, err = resolveConfig(options.Client{}, noEnv, nested)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.apiURL != "http://file:1/api" {
		t.Errorf("got url %q, want the file's without its comment", cfg.apiURL)
	}
}

func TestConfigDefaultsURLAndRequestTimeout(t *testing.T) {
	cfg, err := resolveConfig(options.Client{APIKey: "k"}, noEnv, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.apiURL != "http://127.0.0.1:3000/api" || cfg.requestTimeout != defaultRequestTimeout {
		t.Errorf("got url %q timeout %s", cfg.apiURL, cfg.requestTimeout)
	}
}

func TestConfigWithoutKeyIsAnErrorSayingHowToGetOne(t *testing.T) {
	_, err := newClient(options.Client{}, noEnv, t.TempDir())
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v (%T), want *daytona.Error", err, err)
	}
	for _, hint := range []string{"npm start", "DAYTONA_API_KEY", "WithAPIKey"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error %q does not mention %s", err, hint)
		}
	}
}

func TestConfigRejectsANonHTTPURL(t *testing.T) {
	_, err := resolveConfig(options.Client{APIKey: "k", APIURL: "localhost:3000"}, noEnv, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "http(s) URL") {
		t.Errorf("got %v, want an error about the URL", err)
	}
}
