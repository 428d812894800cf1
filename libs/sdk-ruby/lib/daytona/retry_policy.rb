# frozen_string_literal: true

module Daytona
  # When a failed attempt of an idempotent call (GET, DELETE, a create with its Idempotency-Key,
  # bulk delete) is tried again: after an answer that never came or was cut off, a 429, a 503, or
  # a 409 `idempotency_key_in_progress`; at most `max_retries` times, and never past the call's
  # own deadline, so a call takes no longer with retries than without.
  # @api private
  class RetryPolicy
    DEFAULT_MAX_RETRIES = 3
    # Full jitter: retry n waits a random time below min(MAX_BACKOFF, BASE_BACKOFF * 2**(n-1)).
    BASE_BACKOFF = 0.5
    MAX_BACKOFF = 8.0

    # How the SDK reads time, waits and draws the jitter; the SDK's own specs replace it.
    class Clock
      # @return [Float] seconds, monotonic
      def now
        ::Process.clock_gettime(::Process::CLOCK_MONOTONIC)
      end

      def sleep(seconds)
        Kernel.sleep(seconds)
      end

      # @return [Float] in [0, 1)
      def rand
        Random.rand
      end
    end

    # @return [Integer]
    attr_reader :max_retries
    # @return [#now, #sleep, #rand]
    attr_accessor :clock

    def initialize(max_retries, clock: Clock.new)
      @max_retries = max_retries
      @clock = clock
    end

    # Seconds to wait before retry number `retry_number` (1-based) after `error`, or nil when the
    # error is final: not transient, retries used up, or the wait would reach `deadline` (a
    # {Clock#now} value). The server's Retry-After, when it sent one, is the wait.
    #
    # @param error [Daytona::Error]
    # @return [Float, nil]
    def delay_before_retry(retry_number, error, deadline)
      return nil if retry_number > max_retries || !transient?(error)

      delay = error.retry_after || (clock.rand * [MAX_BACKOFF, BASE_BACKOFF * (2**(retry_number - 1))].min)
      clock.now + delay < deadline ? delay : nil
    end

    private

    # Failures another attempt may not meet. A timeout is not one: the call's deadline has passed.
    def transient?(error)
      case error
      when ConnectionError, RateLimitError then true
      when ServerError then error.status_code == 503
      when ConflictError then error.code == 'idempotency_key_in_progress'
      else false
      end
    end
  end
end
