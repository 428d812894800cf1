# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::ErrorMapper do
  include_context 'with a stub API'
  # One attempt: the mapping, not the retries (retry_policy_spec.rb), is under test here.
  let(:daytona) { Daytona::Daytona.new(api_key: 'dtn_test', api_url: api.url, max_retries: 0) }

  {
    400 => [Daytona::ValidationError, 'validation_failed'],
    401 => [Daytona::AuthenticationError, 'unauthenticated'],
    403 => [Daytona::AuthorizationError, 'quota_exceeded'],
    404 => [Daytona::NotFoundError, 'sandbox_not_found'],
    409 => [Daytona::ConflictError, 'name_conflict'],
    413 => [Daytona::ValidationError, 'payload_too_large'],
    422 => [Daytona::ValidationError, 'idempotency_key_reused'],
    429 => [Daytona::RateLimitError, 'rate_limited'],
    500 => [Daytona::ServerError, 'internal_error'],
    503 => [Daytona::ServerError, 'insufficient_capacity']
  }.merge(
    [400, 'empty_selector'] => [Daytona::ValidationError, 'empty_selector'],
    [400, 'reserved_label'] => [Daytona::ValidationError, 'reserved_label'],
    [409, 'idempotency_key_in_progress'] => [Daytona::ConflictError, 'idempotency_key_in_progress']
  ).each do |key, (error_class, code)|
    status = Array(key).first
    it "maps HTTP #{status} with code #{code} to #{error_class}, keeping status, code, message and details" do
      details = { 'field' => 'items[0].count' }
      api.on('GET', '/sandbox/x', status: status, body: error_json(status, code, 'it went wrong', details),
                                  headers: { 'X-Request-Id' => 'req-42' })

      expect { daytona.get('x') }.to raise_error(error_class) { |error|
        expect(error).to be_a(Daytona::Error)
        expect(error.status_code).to eq(status)
        expect(error.code).to eq(code)
        expect(error.message).to eq('it went wrong')
        expect(error.details).to eq(details)
        expect(error.request_id).to eq('req-42')
      }
    end
  end

  it 'reads Retry-After into RateLimitError#retry_after' do
    api.on('GET', '/sandbox/x', status: 429, body: error_json(429, 'rate_limited'), headers: { 'Retry-After' => '7' })

    expect { daytona.get('x') }.to raise_error(Daytona::RateLimitError) { |error| expect(error.retry_after).to eq(7.0) }
  end

  it 'keeps a non-JSON body (from a proxy, say) as the message of the status class' do
    api.on('GET', '/sandbox/x', status: 502, body: 'Bad Gateway from the proxy')

    expect { daytona.get('x') }.to raise_error(Daytona::ServerError) { |error|
      expect(error.message).to eq('Bad Gateway from the proxy')
      expect(error.code).to be_nil
      expect(error.status_code).to eq(502)
    }
  end

  it 'falls back to a message naming the call when the body is empty' do
    api.on('DELETE', '/sandbox/x', status: 418, body: '')

    expect { daytona.delete('x') }.to raise_error(Daytona::Error, 'DELETE /sandbox/x failed with HTTP 418') { |error|
      expect(error.class).to eq(Daytona::Error)
    }
  end

  it 'reads Retry-After of a 503 too, also as an HTTP date' do
    api.on('GET', '/sandbox/x', status: 503, body: error_json(503, 'database_unavailable'),
                                headers: { 'Retry-After' => (Time.now + 60).httpdate })

    expect { daytona.get('x') }.to raise_error(Daytona::ServerError) { |error| expect(error.retry_after).to be_within(2).of(59.5) }
  end

  it 'maps an answer cut off midway to ConnectionError, not to its 200' do
    api.on('GET', '/sandbox/x', body: sandbox_json, cut: true)

    expect { daytona.get('x') }.to raise_error(Daytona::ConnectionError, %r{GET /sandbox/x was cut off}) { |error|
      expect(error.status_code).to be_nil
    }
  end

  it 'never lets the generated client\'s error escape, nor keeps it as the cause' do
    api.on('GET', '/sandbox/x', status: 404, body: error_json(404, 'sandbox_not_found'))

    expect { daytona.get('x') }.to raise_error(Daytona::NotFoundError) { |error| expect(error.cause).to be_nil }
  end

  it 'maps the generated client\'s own argument checks to ValidationError' do
    expect { daytona.list(limit: 5000) }.to raise_error(Daytona::ValidationError, /limit/) { |error|
      expect(error.code).to eq('validation_failed')
      expect(error.status_code).to be_nil
    }
    expect(api.received).to be_empty
  end
end
