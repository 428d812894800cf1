# frozen_string_literal: true

require 'uri'

module Daytona
  # Settings of a {Daytona::Daytona} client, each resolved on its own: the argument, then the
  # environment (DAYTONA_API_KEY, DAYTONA_API_URL), then the first `.env.local` found from the
  # working directory upwards (the file `npm start` writes). The file is read only when something
  # is still missing and never changes ENV.
  class Config
    DEFAULT_API_URL = 'http://127.0.0.1:3000/api'
    DEFAULT_REQUEST_TIMEOUT = 60
    ENV_FILE = '.env.local'

    # @return [String]
    attr_reader :api_key, :api_url
    # @return [Numeric] seconds allowed for an ordinary call (get, list, delete, bulk delete, the create request)
    attr_reader :request_timeout
    # @return [Integer] how many times an idempotent call is tried again (see RetryPolicy)
    attr_reader :max_retries

    # @example
    #   Daytona::Config.new(api_key: 'dtn_...', api_url: 'http://127.0.0.1:3000/api')
    # @raise [Daytona::Error] without a key, or with a URL that is not http(s)
    def initialize(api_key: nil, api_url: nil, request_timeout: nil, max_retries: nil, env: ENV, cwd: Dir.pwd)
      key = present(api_key) || present(env['DAYTONA_API_KEY'])
      url = present(api_url) || present(env['DAYTONA_API_URL'])
      if key.nil? || url.nil?
        from_file = read_env_file(cwd)
        key ||= present(from_file['DAYTONA_API_KEY'])
        url ||= present(from_file['DAYTONA_API_URL'])
      end
      if key.nil?
        raise Error, 'No Daytona API key. Run `npm start` in the Daytona repository (it prints a key and writes ' \
                     'it to .env.local), then run from that directory; or set DAYTONA_API_KEY; or pass ' \
                     'Daytona::Daytona.new(api_key: ...).'
      end
      @api_key = key
      @api_url = validate_url((url || DEFAULT_API_URL).sub(%r{/+\z}, ''))
      @request_timeout = request_timeout || DEFAULT_REQUEST_TIMEOUT
      raise Error, "request_timeout must be a positive number of seconds, got #{@request_timeout.inspect}" unless
        @request_timeout.is_a?(Numeric) && @request_timeout.positive?

      @max_retries = max_retries.nil? ? RetryPolicy::DEFAULT_MAX_RETRIES : max_retries
      raise Error, "max_retries must be a whole number, 0 or more, got #{@max_retries.inspect}" unless
        @max_retries.is_a?(Integer) && @max_retries >= 0
    end

    # The generated client's view of the URL.
    # @return [URI::Generic]
    def uri
      URI(api_url)
    end

    private

    def present(value)
      value = value&.strip
      value.nil? || value.empty? ? nil : value
    end

    def validate_url(url)
      uri = URI(url)
      raise URI::InvalidURIError unless %w[http https].include?(uri.scheme) && uri.host && !uri.host.empty?

      url
    rescue URI::InvalidURIError
      raise Error, "The Daytona API URL must be an http(s) URL, got #{url.inspect}"
    end

    def read_env_file(cwd)
      dir = File.expand_path(cwd)
      loop do
        candidate = File.join(dir, ENV_FILE)
        return parse_env_file(File.read(candidate)) if File.file?(candidate)

        parent = File.dirname(dir)
        return {} if parent == dir

        dir = parent
      end
    end

    # `KEY=value` lines; `#` comments, `export ` prefixes and surrounding quotes are allowed.
    def parse_env_file(text)
      text.each_line.with_object({}) do |line, values|
        match = /\A\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*\z/.match(line)
        next unless match

        raw = match[2]
        quoted = /\A(['"])(.*)\1\z/.match(raw)
        values[match[1]] = quoted ? quoted[2] : raw.sub(/\s+#.*\z/, '')
      end
    end
  end
end
