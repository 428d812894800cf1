# frozen_string_literal: true

require 'json'
require 'time'

module Daytona
  # The root of every error the SDK raises. Rescue a subclass, or branch on {#code}, the API's
  # stable snake_case error code.
  #
  # @example
  #   begin
  #     daytona.bulk_create([Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 500, sandbox_name_prefix: 'eval')])
  #   rescue Daytona::AuthorizationError => e
  #     puts e.details if e.code == 'quota_exceeded' # {"resource"=>"cpu", "requested"=>500, ...}
  #   end
  class Error < StandardError
    # @return [Integer, nil] HTTP status of the API's answer; nil when there was no answer
    attr_reader :status_code
    # @return [String, nil] the API's error code, e.g. "validation_failed", "name_conflict"
    attr_reader :code
    # @return [Hash, nil] structured details from the API, e.g. the offending field
    attr_reader :details
    # @return [String, nil] the X-Request-Id header of the answer, when the server sent one
    attr_reader :request_id
    # @return [Float, nil] the answer's Retry-After in seconds, when it sent one (429, 503)
    attr_reader :retry_after

    def initialize(message = nil, status_code: nil, code: nil, details: nil, request_id: nil, retry_after: nil)
      super(message)
      @status_code = status_code
      @code = code
      @details = details
      @request_id = request_id
      @retry_after = retry_after
    end
  end

  # 400, 413 or 422: the request was rejected as invalid (`validation_failed`, `empty_selector`,
  # `reserved_label`, `snapshot_not_active`, ...), or its Idempotency-Key was used with another
  # request (`idempotency_key_reused`, 422).
  class ValidationError < Error; end

  # 401: the API key is missing, unknown or expired.
  class AuthenticationError < Error; end

  # 403: the key lacks a permission (`missing_permission`) or a quota is spent (`quota_exceeded`).
  class AuthorizationError < Error; end

  # 404: no such sandbox or snapshot in the key's organization.
  class NotFoundError < Error; end

  # 409: a name is taken (`name_conflict`), the sandbox is not in a state that allows it, or a
  # request with the same Idempotency-Key is still being processed (`idempotency_key_in_progress`).
  class ConflictError < Error; end

  # 429: too many requests; {#retry_after} holds the server's Retry-After in seconds, if any.
  class RateLimitError < Error; end

  # 5xx: the API failed, or runners lack room (`insufficient_capacity`, 503).
  class ServerError < Error; end

  # No answer within the client-side deadline. The operation may still complete on the server.
  class TimeoutError < Error; end

  # No complete answer: the connection was refused or reset, the host is unknown, or the answer
  # was cut off before it completed.
  class ConnectionError < Error; end

  # A sandbox ended in a state from which it will not start (`error`, `build_failed`, destroyed).
  class SandboxStateError < Error
    # @return [String] id of the sandbox
    attr_reader :sandbox_id
    # @return [String] the state it ended in
    attr_reader :state
    # @return [String, nil] the server's reason
    attr_reader :error_reason

    def initialize(message, sandbox_id:, state:, error_reason: nil)
      super(message)
      @sandbox_id = sandbox_id
      @state = state
      @error_reason = error_reason
    end
  end

  # A snapshot ended in `error` while {SnapshotService#create} waited: no runner could pull its
  # image. {#error_reason} is the registry's reason (e.g. "manifest unknown").
  class SnapshotStateError < Error
    # @return [String] name of the snapshot
    attr_reader :snapshot_name
    # @return [String] the state it ended in
    attr_reader :state
    # @return [String, nil] the registry's reason
    attr_reader :error_reason

    def initialize(message, snapshot_name:, state:, error_reason: nil)
      super(message)
      @snapshot_name = snapshot_name
      @state = state
      @error_reason = error_reason
    end
  end

  # The one place where a failed call of the generated client becomes a {Daytona::Error}. The
  # generated error is never passed on, so callers rescue only the SDK's tree.
  module ErrorMapper
    CLASS_BY_STATUS = {
      400 => ValidationError,
      401 => AuthenticationError,
      403 => AuthorizationError,
      404 => NotFoundError,
      409 => ConflictError,
      413 => ValidationError,
      422 => ValidationError
    }.freeze

    module_function

    # @param error [Exception] what the generated client raised
    # @param target [String] e.g. "POST /sandbox/bulk", for messages without a server answer
    # @param timeout [Numeric] the client-side deadline of the call, in seconds
    # @return [Daytona::Error]
    def from_exception(error, target:, timeout:)
      return error if error.is_a?(Error)
      # The generated client and its models raise ArgumentError for input its schema forbids.
      return ValidationError.new(error.message, code: 'validation_failed') if error.is_a?(ArgumentError)
      return Error.new("#{target}: #{error.message}") unless error.is_a?(DaytonaApiClient::ApiError)

      status = error.code
      # The generated client reports a libcurl timeout as an ApiError with no code at all.
      if status.nil?
        return TimeoutError.new("No answer from #{target} within #{timeout} s")
      end
      if status.zero?
        detail = error.instance_variable_get(:@message) || 'no response'
        return ConnectionError.new(
          "Cannot reach the Daytona API (#{target}): #{detail}. Is it running, and is DAYTONA_API_URL right?"
        )
      end
      # libcurl fails a 2xx only when the body did not arrive whole (the connection dropped midway).
      return ConnectionError.new("The answer to #{target} was cut off before it completed") if status < 300

      from_response(status, error.response_body, error.response_headers, target: target)
    end

    # Maps an HTTP answer `{ statusCode, code, message, details }` to an error class by status.
    #
    # @return [Daytona::Error]
    def from_response(status, body, headers, target:)
      parsed = parse_body(body)
      fields = {
        status_code: status,
        code: parsed[:code],
        details: parsed[:details],
        request_id: header(headers, 'x-request-id'),
        retry_after: retry_after_seconds(header(headers, 'retry-after'))
      }
      message = parsed[:message] || "#{target} failed with HTTP #{status}"
      return RateLimitError.new(message, **fields) if status == 429
      return ServerError.new(message, **fields) if status >= 500

      CLASS_BY_STATUS.fetch(status, Error).new(message, **fields)
    end

    # Proxies may answer with anything; only well-typed fields are taken.
    def parse_body(body)
      return {} if body.nil? || body.strip.empty?

      data = JSON.parse(body)
      return { message: body.strip[0, 500] } unless data.is_a?(Hash)

      {
        code: (data['code'] if data['code'].is_a?(String)),
        message: (data['message'] if data['message'].is_a?(String)),
        details: (data['details'] if data['details'].is_a?(Hash))
      }
    rescue JSON::ParserError
      { message: body.strip[0, 500] }
    end

    def header(headers, name)
      return nil if headers.nil?

      value = headers[name] || headers.find { |key, _| key.to_s.casecmp?(name) }&.last
      value.is_a?(Array) ? value.first : value
    end

    def retry_after_seconds(value)
      return nil if value.nil? || value.strip.empty?

      Float(value).clamp(0, Float::INFINITY)
    rescue ArgumentError
      begin
        [Time.httpdate(value) - Time.now, 0].max
      rescue ArgumentError
        nil
      end
    end
  end
end
