# frozen_string_literal: true

require 'daytona_api_client'
require 'erb'
require 'typhoeus'

module Daytona
  # The generated clients the SDK calls. Every call gets its own client-side deadline (the whole
  # exchange, enforced by libcurl; retries included) and every failure becomes a {Daytona::Error}.
  # @api private
  class ApiCalls
    # @return [Numeric]
    attr_reader :request_timeout
    # @return [Daytona::RetryPolicy]
    attr_reader :retry_policy

    # @param config [Daytona::Config]
    def initialize(config)
      @config = config
      @request_timeout = config.request_timeout
      @retry_policy = RetryPolicy.new(config.max_retries)
    end

    # Runs a call of the generated SandboxApi within `timeout` seconds; an `idempotent` one is
    # tried again after transient failures, within the same deadline.
    # @example
    #   api.sandbox(60, 'GET /sandbox/x', idempotent: true) { |sandboxes| sandboxes.get_sandbox('x') }
    def sandbox(timeout, target, idempotent: false, &block)
      call(timeout, target, idempotent) { |client| block.call(DaytonaApiClient::SandboxApi.new(client)) }
    end

    # Sends one streaming toolbox request to `{api_url}/toolbox/{sandbox_id}/{route}` with Typhoeus
    # (the generated client holds whole bodies in memory or, for downloads, loses the error
    # body). `body` may hold File values (multipart, read from disk by libcurl as it sends) or be
    # a String. A 2xx answer's headers go to `on_headers` and its body to `on_chunk` as it
    # arrives; any other answer becomes a {Daytona::Error} from its (bounded) body. Never retried:
    # the body may be consumed or half written.
    # @return [Typhoeus::Response]
    def transfer(timeout, sandbox_id, method, route, params: nil, body: nil, headers: {}, on_headers: nil, on_chunk: nil)
      target = "#{method.upcase} /toolbox/#{sandbox_id}/#{route}"
      status = nil
      error_body = +''
      request = Typhoeus::Request.new(
        "#{@config.api_url}/toolbox/#{ERB::Util.url_encode(sandbox_id)}/#{route}",
        method: method, params: params, body: body, timeout: timeout, params_encoding: :multi,
        headers: { 'Authorization' => "Bearer #{@config.api_key}", 'User-Agent' => 'daytona-sdk-ruby' }.merge(headers)
      )
      # A callback that raises inside libcurl's write callback would unwind through C: the error
      # is kept, the transfer aborted, and the error raised once libcurl has returned. Ethon runs
      # on_headers at the first header line, before the others have arrived, so the
      # headers are handed on with the first chunk of the body, when they are all there.
      failure = nil
      headers_seen = false
      request.on_headers { |response| status = response.code }
      request.on_body do |chunk, response|
        next :abort if failure

        if status && status >= 200 && status < 300
          on_headers&.call(response) unless headers_seen
          headers_seen = true
          on_chunk&.call(chunk)
        elsif error_body.bytesize < MAX_ERROR_BODY
          error_body << chunk
        end
        nil
      rescue StandardError => e
        failure = e
        :abort
      end
      response = request.run
      raise failure if failure
      raise transfer_error(response, error_body, target, timeout), cause: nil unless response.success?

      response
    end

    # Runs a read of the generated ToolboxApi (list, info, session reads) within `timeout`
    # seconds, tried again after transient failures.
    def toolbox_read(timeout, target, &block)
      call(timeout, target, true) { |client| block.call(DaytonaApiClient::ToolboxApi.new(client)) }
    end

    # Runs a call of the generated ToolboxApi within `timeout` seconds, never retried.
    def toolbox(timeout, target, &block)
      call(timeout, target, false) { |client| block.call(DaytonaApiClient::ToolboxApi.new(client)) }
    end

    # Runs a call of the generated SnapshotsApi within `timeout` seconds; an `idempotent` one is
    # tried again after transient failures, within the same deadline.
    def snapshots(timeout, target, idempotent: false, &block)
      call(timeout, target, idempotent) { |client| block.call(DaytonaApiClient::SnapshotsApi.new(client)) }
    end

    private

    # The most of an error answer kept to report it.
    MAX_ERROR_BODY = 64 * 1024

    def transfer_error(response, error_body, target, timeout)
      return TimeoutError.new("No answer from #{target} within #{timeout} s") if response.timed_out?
      if response.code.zero?
        return ConnectionError.new("Cannot reach the Daytona API (#{target}): #{response.return_message}. " \
                                   'Is it running, and is DAYTONA_API_URL right?')
      end
      # libcurl fails a 2xx only when the body did not arrive whole (the connection dropped midway).
      return ConnectionError.new("The answer to #{target} was cut off before it completed") if response.code < 300

      ErrorMapper.from_response(response.code, error_body, response.headers, target: target)
    end

    def call(timeout, target, idempotent)
      clock = @retry_policy.clock
      deadline = clock.now + timeout
      failures = 0
      begin
        yield DaytonaApiClient::ApiClient.new(generated_config([deadline - clock.now, 0.001].max))
      rescue DaytonaApiClient::ApiError, ArgumentError => e
        error = ErrorMapper.from_exception(e, target: target, timeout: timeout)
        failures += 1
        delay = idempotent && @retry_policy.delay_before_retry(failures, error, deadline)
        raise error, cause: nil unless delay

        clock.sleep(delay)
        retry
      end
    end

    # A configuration per call: the generated client reads its timeout from its configuration.
    def generated_config(timeout)
      uri = @config.uri
      DaytonaApiClient::Configuration.new.tap do |generated|
        generated.scheme = uri.scheme
        generated.host = "#{uri.host}:#{uri.port}"
        generated.base_path = uri.path
        generated.access_token = @config.api_key
        # `states=a&states=b`, as the API expects; Typhoeus would send `states[0]=a` by default.
        generated.params_encoding = :multi
        # Typhoeus turns a Float into milliseconds; 0 would mean "no limit".
        generated.timeout = [timeout.to_f, 0.001].max
      end
    end
  end
end
